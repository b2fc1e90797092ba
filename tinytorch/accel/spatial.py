"""Convolution, max-pooling and batch-norm kernels: channels-last inside conv2d, NCHW outside.

Module 09 teaches conv2d as im2col + one GEMM and its input gradient as col2im, a scatter-add of
the column gradient. These kernels give the same values and gradients, faster:

- fast_conv2d windows the input channels-last as (N, H, W, kh, kw, C) (a view; the copy that
  makes the column matrix moves runs of C contiguous floats), runs one GEMM giving (N·H'·W', C_out)
  and hands out a C-contiguous (N, C_out, H', W') array, as the plain path (and PyTorch's default
  memory format) does, so `.view(N, -1)` works on it. The transpose to NCHW and the bias add are
  one pass over the output (measured, conv 3→32 at 32×32 and 32→64 at 16×16, batch 64: 5.6 and
  9.5 ms with the GEMM, against 4.8 and 10.4 ms for a batched GEMM per sample writing NCHW
  directly, and 3.2 and 9.6 ms for the old channels-last view). Contiguity costs the CNN step
  (benchmarks/cnn.py, 1 thread, load below 1) about 10-14 ms: 86-96 ms against 76-82 ms for the
  channels-last output, torch 55-61 ms. The gradient arriving from above
  is copied to (N·H'·W', C_out) once. The input gradient skips the column gradient: one small GEMM
  per kernel offset, (N·H·W, C_out) by (C_out, C_in), added straight into the strided slice of
  the padded input gradient it belongs to (col2im fused with the GEMM: no (N·H·W, kh·kw·C_in)
  array). The weight gradient is computed as (colsᵀ g)ᵀ and the bias gradient as a vector-matrix
  product, the orders measured fastest.
  Measured piece by piece (float32, 1 BLAS thread, load about 1.5, conv 32→64 3×3 p1 at 16×16,
  batch 64): the input gradient 9.0 ms vs 17.0 ms for the column-gradient GEMM + col2im; the bias
  gradient 0.06 ms vs 0.30 ms for a sum over rows; windowing channels-last 0.95 ms.
- fast_max_pool2d (non-overlapping windows: stride = kernel, no padding or dilation) computes the
  maximum by strided slices as module 09 does and records, in the same pass, which offset of the
  window won (the first maximum in window order, PyTorch's rule) as one byte per output. Its
  gradient is one comparison and one product per offset, written straight into the slices.
- fast_batch_norm treats a channels-last input (no longer a conv's output: contiguous NCHW input
  takes the plain batch_norm) as an (N·H·W, C) matrix: per-channel sums are
  vector-matrix products, and per-channel vectors are broadcast over 64 rows at a time (`_wide`).

Plain path (kernels.plain()) against these kernels, forward + backward, float32, 1 BLAS thread,
process CPU time, min of medians, measured in one process while the machine's load was about 6:
(before the conv output was made contiguous) conv 32→64 above 39.6 ms vs 47.2 ms (−16%); conv
3→32 3×3 p1 at 32×32, batch 64, weight gradient only 10.3 ms vs 12.3 ms (−16%); 2×2
max-pool of a channels-last (64, 32, 32, 32) input 13.7 ms vs 29.3 ms (−53%); batch norm (training)
of a channels-last (128, 32, 32, 32) input 41.0 ms vs 61.4 ms (−33%).

Each kernel hands back to the plain function (module 09) any call it does not handle: groups,
non-float dtypes, unbatched (C, H, W) input, overlapping, padded or dilated pools, batch norm of
an input that is not channels-last.
"""
import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tinytorch.core.autograd import gradient
from tinytorch.core.batchnorm import batch_norm
from tinytorch.core.pooling import max_pool2d
from tinytorch.core.spatial import conv2d
from tinytorch.core.tensor import Tensor
from tinytorch.kernels import replaces


def _pair(value):
    """An int or a pair of ints as a tuple of two positive-or-zero ints; None when it is neither."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value) if \
        isinstance(value, (tuple, list)) else None
    if pair is None or len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                                 and v >= 0 for v in pair):
        return None
    return tuple(int(v) for v in pair)


def _wide(matrix, *vectors):
    """matrix (M, C) as (M/k, k·C) and each (C,) vector tiled k times to match. NumPy broadcasts a
    (C,) row over (M, C) one C-long inner loop per row, slowly for a few dozen channels (131072×32:
    4.5 ms, against 1.0 ms for an elementwise product of two such matrices); k rows at once make
    the inner loop k·C long. k divides M (k = 1 leaves the matrix as it is)."""
    m, c = matrix.shape
    k = math.gcd(m, max(1, 2048 // max(c, 1)))
    return (matrix.reshape(m // k, k * c),) + tuple(np.tile(v, k) for v in vectors)


def _same_padding(kernel, dilation):
    """padding='same' at stride 1: ((top, bottom), (left, right)), the extra one after, as PyTorch."""
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)


def _conv_geometry(input, weight, bias, stride, padding, dilation, groups):
    """(stride, dilation, ((top, bottom), (left, right)), output size) when the fast path applies;
    None for every call the plain conv2d should take (and raise on, for bad arguments)."""
    if groups != 1 or not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        return None
    x, w = input.data, weight.data
    if w.dtype.kind != "f" or x.dtype != w.dtype or x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        return None
    if bias is not None and not (isinstance(bias, Tensor) and bias.data.dtype == w.dtype
                                 and bias.data.shape == w.shape[:1]):
        return None
    stride, dilation, kernel = _pair(stride), _pair(dilation), w.shape[2:]
    if stride is None or dilation is None or 0 in stride or 0 in dilation:
        return None
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0), (0, 0))
        elif padding == "same" and stride == (1, 1):
            pads = _same_padding(kernel, dilation)
        else:
            return None
    else:
        pair = _pair(padding)
        if pair is None:
            return None
        pads = ((pair[0], pair[0]), (pair[1], pair[1]))
    size = tuple((n + sum(p) - d * (k - 1) - 1) // s + 1
                 for n, p, k, d, s in zip(x.shape[2:], pads, kernel, dilation, stride))
    if min(size) < 1 or 0 in x.shape or 0 in w.shape:
        return None
    return stride, dilation, pads, size


def _padded_nhwc(x, pads):
    """x (N, C, H, W) as an (N, H', W', C) channels-last array with zero padding (a view when the
    padding is zero)."""
    xt = x.transpose(0, 2, 3, 1)
    if not any(p for pair in pads for p in pair):
        return xt
    (top, bottom), (left, right) = pads
    n, h, w, c = xt.shape
    xp = np.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
    xp[:, top:top + h, left:left + w] = xt
    return xp


@replaces(conv2d)
def fast_conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d (N, C_in, H, W) * (C_out, C_in, kh, kw) -> (N, C_out, H', W'), computed channels-last
    (one GEMM giving (N·H'·W', C_out)) and handed out C-contiguous NCHW, as the plain path's: the
    bias add and the transpose are one pass. The plain conv2d for any call this does not handle."""
    geometry = _conv_geometry(input, weight, bias, stride, padding, dilation, groups)
    if geometry is None:
        return conv2d(input, weight, bias, stride, padding, dilation, groups)
    (s0, s1), (d0, d1), pads, (oh, ow) = geometry
    x, w = input.data, weight.data
    c_out, c_in, kh, kw = w.shape
    xp = _padded_nhwc(x, pads)
    n, sn, sh, sw, sc = xp.shape[0], *xp.strides
    windows = as_strided(xp, (n, oh, ow, kh, kw, c_in), (sn, s0 * sh, s1 * sw, d0 * sh, d1 * sw, sc),
                         writeable=False)
    cols = windows.reshape(n * oh * ow, kh * kw * c_in)            # the one copy: (N·H'·W', kh·kw·C_in)
    wmat = w.transpose(0, 2, 3, 1).reshape(c_out, kh * kw * c_in)  # rows ordered like a window
    out = (cols @ wmat.T).reshape(n, oh * ow, c_out).transpose(0, 2, 1)
    data = np.empty((n, c_out, oh, ow), dtype=x.dtype)              # contiguous NCHW, as the plain path
    if bias is None:
        data.reshape(n, c_out, oh * ow)[...] = out
    else:                                                           # the bias added in the same pass
        np.add(out, bias.data[:, None], out=data.reshape(n, c_out, oh * ow))
    inputs = (input, weight) if bias is None else (input, weight, bias)
    geometry = ((s0, s1), (d0, d1), pads, x.shape)
    return Tensor.from_op(data, "conv2d_nhwc", inputs, {"cols": cols, "wmat": wmat, "geometry": geometry})


@gradient("conv2d_nhwc")
def _fast_conv2d_grad(grad, out, inputs, saved):
    """d/dW = (colsᵀ g)ᵀ, d/db = 1ᵀ g, d/dx = Σ over kernel offsets of g W[:, :, i, j] added into
    the strided slice of the padded input that offset read; g is (N·H'·W', C_out), channels-last."""
    (s0, s1), (d0, d1), pads, x_shape = saved["geometry"]
    cols, wmat = saved["cols"], saved["wmat"]
    c_out, c_in, kh, kw = inputs[1].data.shape
    g = grad.transpose(0, 2, 3, 1)                     # the reshape below copies an NCHW grad
    n, oh, ow = g.shape[:3]
    g2 = g.reshape(n * oh * ow, c_out)
    grads = [None, None]
    if inputs[0].requires_grad:
        (top, bottom), (left, right) = pads
        h, w_ = x_shape[2], x_shape[3]
        dxp = np.zeros((n, h + top + bottom, w_ + left + right, c_in), dtype=grad.dtype)
        w4 = wmat.reshape(c_out, kh, kw, c_in)
        for i, j in itertools.product(range(kh), range(kw)):
            rows = slice(i * d0, i * d0 + s0 * (oh - 1) + 1, s0)
            columns = slice(j * d1, j * d1 + s1 * (ow - 1) + 1, s1)
            dxp[:, rows, columns] += (g2 @ w4[:, i, j]).reshape(n, oh, ow, c_in)
        grads[0] = dxp[:, top:top + h, left:left + w_].transpose(0, 3, 1, 2)
    if inputs[1].requires_grad:
        grad_w = (cols.T @ g2).T.reshape(c_out, kh, kw, c_in)
        grads[1] = np.ascontiguousarray(grad_w.transpose(0, 3, 1, 2))
    if len(inputs) == 3:
        grads.append(np.ones(len(g2), dtype=g2.dtype) @ g2 if inputs[2].requires_grad else None)
    return grads


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode):
    """The window (kh, kw) when the fast path applies (stride = kernel, no padding or dilation,
    floating 4-D input, at least one output); None otherwise."""
    if not isinstance(input, Tensor) or input.data.ndim != 4 or input.data.dtype.kind != "f":
        return None
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _pair(stride)
    if kernel is None or 0 in kernel or stride != kernel or _pair(padding) != (0, 0) or _pair(dilation) != (1, 1):
        return None
    h, w = input.data.shape[2:]
    if h < kernel[0] or w < kernel[1] or (ceil_mode and (h % kernel[0] or w % kernel[1])):
        return None
    return kernel


@replaces(max_pool2d)
def fast_max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """max_pool2d (N, C, H, W) -> (N, C, H//kh, W//kw) for non-overlapping windows, remembering the
    winning offset of each window (one byte); the plain max_pool2d for any other call."""
    kernel = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode)
    if kernel is None:
        return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)
    x, (kh, kw) = input.data, kernel
    oh, ow = x.shape[2] // kh, x.shape[3] // kw
    offsets = list(itertools.product(range(kh), range(kw)))
    best = x[:, :, 0:oh * kh:kh, 0:ow * kw:kw].copy(order="K")     # keeps the input's layout
    winner = np.zeros_like(best, dtype=np.uint8)
    for k, (i, j) in enumerate(offsets[1:], start=1):
        candidate = x[:, :, i:oh * kh:kh, j:ow * kw:kw]
        # winner ← k where strictly greater (the first maximum wins), in uint8 arithmetic that
        # wraps back: ufuncs follow the arrays' memory order, np.putmask would not (5x slower)
        winner += (candidate > best) * (np.uint8(k) - winner)
        np.maximum(best, candidate, out=best)
    # handed out contiguous, as the plain path's output is, so that .view(N, -1) works on it
    return Tensor.from_op(np.ascontiguousarray(best), "max_pool2d_window", (input,),
                          {"winner": winner, "kernel": kernel, "shape": x.shape})


@gradient("max_pool2d_window")
def _fast_max_pool2d_grad(grad, out, inputs, saved):
    """The gradient of each window goes to its winning offset: one comparison per offset."""
    winner, (kh, kw) = saved["winner"], saved["kernel"]
    oh, ow = winner.shape[2:]
    dx = np.zeros_like(inputs[0].data, dtype=grad.dtype)          # the input's layout (order K)
    for k, (i, j) in enumerate(itertools.product(range(kh), range(kw))):
        np.multiply(grad, winner == k, out=dx[:, :, i:oh * kh:kh, j:ow * kw:kw])
    return [dx]


def _channels_last(x):
    """x (N, C, H, W) as the (N·H·W, C) matrix of its channels-last memory, or None when x is not
    laid out channels-last (a copy would cost what the kernel saves)."""
    rows = x.transpose(0, 2, 3, 1)
    return rows.reshape(-1, x.shape[1]) if rows.flags.c_contiguous else None


def _bn_fits(input, running_mean, running_var, weight, bias, training):
    if not isinstance(input, Tensor) or input.data.ndim != 4 or input.data.dtype.kind != "f":
        return False
    x, c = input.data, input.data.shape[1]
    if _channels_last(x) is None or (training and x.size // c <= 1):
        return False
    if not training and (running_mean is None or running_var is None):
        return False
    vectors = [t for t in (running_mean, running_var) if t is not None]
    affine = [t for t in (weight, bias) if t is not None]
    return (all(isinstance(t, Tensor) and t.data.shape == (c,) for t in vectors + affine)
            and all(t.data.dtype == x.dtype for t in affine))


@replaces(batch_norm)
def fast_batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
                    momentum=0.1, eps=1e-5):
    """batch_norm of a channels-last (N, C, H, W) input (an (N, H, W, C) batch permuted) as
    an (N·H·W, C) matrix: the per-channel sums are vector-matrix products and the output keeps
    the input's layout. The plain batch_norm for any other call. Measured on a channels-last
    (128, 32, 32, 32) input, forward + backward: see the module docstring."""
    if not _bn_fits(input, running_mean, running_var, weight, bias, training):
        return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    x = input.data
    (n, c, h, w), x2 = x.shape, _channels_last(x)
    ones = np.ones(len(x2), dtype=x.dtype)
    if training:
        mean = ones @ x2 / np.asarray(len(x2), dtype=x.dtype)
        centered = np.subtract(*_wide(x2, mean)).reshape(x2.shape)
        var = ones @ (centered * centered) / np.asarray(len(x2), dtype=x.dtype)
        if running_mean is not None:
            running_mean.data[...] = (1 - momentum) * running_mean.data + momentum * mean
        if running_var is not None:
            running_var.data[...] = (1 - momentum) * running_var.data + momentum * var * len(x2) / (len(x2) - 1)
    else:
        mean, var = running_mean.data, running_var.data
        centered = np.subtract(*_wide(x2, mean.astype(x.dtype))).reshape(x2.shape)
    invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
    x_hat, wide_invstd = _wide(centered, invstd)
    x_hat *= wide_invstd                                  # in place: centered is a fresh array
    scale = np.ones_like(invstd) if weight is None else weight.data
    shift = np.zeros_like(invstd) if bias is None else bias.data
    wide_x_hat, wide_scale, wide_shift = _wide(x_hat.reshape(x2.shape), scale, shift)
    out = wide_x_hat * wide_scale
    out += wide_shift
    x_hat, out = x_hat.reshape(x2.shape), out.reshape(x2.shape)
    inputs = [input] + [t for t in (weight, bias) if t is not None]
    saved = {"x_hat": x_hat, "invstd": invstd, "training": training, "weight": weight is not None}
    return Tensor.from_op(out.reshape(n, h, w, c).transpose(0, 3, 1, 2), "batch_norm_nhwc", inputs, saved)


@gradient("batch_norm_nhwc")
def _fast_batch_norm_grad(grad, out, inputs, saved):
    """With g = grad as (N·H·W, C), m rows, γ the weight (1 without one): d/dbias = 1ᵀg,
    d/dweight = 1ᵀ(g·x̂); d/dinput = γ·invstd·(g − d/dbias/m − x̂·d/dweight/m) with batch
    statistics, γ·invstd·g with running ones."""
    x_hat, invstd, n, c = saved["x_hat"], saved["invstd"], grad.shape[0], grad.shape[1]
    g2 = grad.transpose(0, 2, 3, 1).reshape(-1, c)       # a copy only if grad is not channels-last
    ones = np.ones(len(g2), dtype=g2.dtype)
    grad_bias, grad_weight = ones @ g2, ones @ (g2 * x_hat)
    scale = invstd * inputs[1].data if saved["weight"] else invstd
    count = np.asarray(len(g2), dtype=g2.dtype)
    wide_g, mean_g, mean_gx, wide_scale = _wide(g2, grad_bias / count, grad_weight / count, scale)
    if saved["training"]:
        wide_x_hat = _wide(x_hat)[0]
        d_x = wide_g - mean_g
        d_x -= wide_x_hat * mean_gx
        d_x *= wide_scale
    else:
        d_x = wide_g * wide_scale
    d_x = d_x.reshape(g2.shape)
    grads = [d_x.reshape(n, grad.shape[2], grad.shape[3], c).transpose(0, 3, 1, 2)]
    if saved["weight"]:
        grads.append(grad_weight)
    if len(inputs) - 1 > saved["weight"]:
        grads.append(grad_bias)
    return grads
