# Generated from notebooks/masters/09_spatial.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.pooling: max, average and adaptive average pooling over 2-D windows
(strided slices, one per kernel offset), with their gradient rules and layers."""
import numpy as np

from tinytorch.core.autograd import gradient
from tinytorch.core.module import Module
from tinytorch.core.spatial import _as_tensor, _pair
from tinytorch.core.tensor import Tensor
from tinytorch.kernels import kernel


def _pool_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling output length: floor or ceil of (size + 2p - d(k-1) - 1) / s,
    plus 1; with ceil_mode, a last window that would start in the right padding is
    dropped."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _pool_setup(input, kernel_size, stride, padding, dilation, ceil_mode, op):
    """(x as (N, C, H, W), unbatched, k, s, p, d, (OH, OW)) after checking what
    PyTorch checks."""
    x = _as_tensor(input, "input", op).data
    if x.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, "
                           f"got size {list(x.shape)}")
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    k = _pair(kernel_size, "kernel_size", op)
    s = k if stride is None or stride == () else _pair(stride, "stride", op)
    p, d = _pair(padding, "padding", op), _pair(dilation, "dilation", op)
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: kernel_size {k}, stride {s} and dilation {d} should "
                           "be greater than zero")
    if any(pi < 0 or pi > ki // 2 for pi, ki in zip(p, k)):
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel "
                           f"size, but got pad={p} and kernel_size={k}")
    out = tuple(_pool_size(x.shape[2 + a], k[a], s[a], p[a], d[a], ceil_mode)
                for a in range(2))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: output size {out} is too small for input size "
                           f"{list(x.shape)}, kernel_size {k}, padding {p}")
    return x, unbatched, k, s, p, d, out


def _padded(x, k, s, p, d, out, fill):
    """x padded with `fill`: p before, and after as far as the last window reaches."""
    reach = [(o - 1) * si + di * (ki - 1) + 1 for o, si, di, ki in zip(out, s, d, k)]
    after = [max(r - n - pi, 0) for r, n, pi in zip(reach, x.shape[2:], p)]
    return np.pad(x, ((0, 0), (0, 0), (p[0], after[0]), (p[1], after[1])),
                  constant_values=fill)


def _window(k, s, d, out, i, j):
    """The strided slices that pick, for every output position, the element at kernel
    offset (i, j) of its window."""
    return (slice(None), slice(None),
            slice(i * d[0], i * d[0] + s[0] * (out[0] - 1) + 1, s[0]),
            slice(j * d[1], j * d[1] + s[1] * (out[1] - 1) + 1, s[1]))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The maximum of every kernel_size window (torch.nn.functional.max_pool2d).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW); padding counts as -inf; stride
    defaults to kernel_size.
    """
    x, unbatched, k, s, p, d, out = _pool_setup(input, kernel_size, stride, padding,
                                                dilation, ceil_mode, "max_pool2d")
    xp = _padded(x, k, s, p, d, out, -np.inf)
    best = xp[_window(k, s, d, out, 0, 0)]
    for i in range(k[0]):
        for j in range(k[1]):
            # NaN wins, as in PyTorch
            best = np.maximum(best, xp[_window(k, s, d, out, i, j)])
    saved = {"xp": xp, "k": k, "s": s, "d": d, "p": p, "unbatched": unbatched}
    return Tensor.from_op(best[0] if unbatched else best, "max_pool2d", (input,), saved)


@gradient("max_pool2d")
def _max_pool2d_grad(grad, out, inputs, saved):
    """max_pool2d: each window's gradient goes to the first of its maxima in window
    order (rows, then columns); overlapping windows add up."""
    g = grad[None] if saved["unbatched"] else grad
    best = out.data[None] if saved["unbatched"] else out.data
    xp, k, s, p, d = saved["xp"], saved["k"], saved["s"], saved["p"], saved["d"]
    d_xp = np.zeros(xp.shape, dtype=grad.dtype)
    # windows whose maximum was found already
    done = np.zeros(best.shape, dtype=bool)
    for i in range(k[0]):
        for j in range(k[1]):
            window = _window(k, s, d, g.shape[2:], i, j)
            candidate = xp[window]
            wins = ~done & ((candidate == best) | np.isnan(candidate))
            d_xp[window] += np.where(wins, g, 0)
            done |= wins
    h, w = inputs[0].data.shape[-2:]
    d_x = d_xp[:, :, p[0]:p[0] + h, p[1]:p[1] + w]
    return (d_x[0] if saved["unbatched"] else d_x,)


def _avg_divisor(size, kernel, stride, padding, out, count_include_pad):
    """How many elements each output position along one axis averages: the window cut
    at the padded edge (size + padding), or at the input itself without
    count_include_pad."""
    start = np.arange(out) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of every kernel_size window (torch.nn.functional.avg_pool2d).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW). Zero padding; the divisor
    counts it with count_include_pad (not past the padded edge), or divisor_override.
    """
    x, unbatched, k, s, p, d, out = _pool_setup(input, kernel_size, stride, padding, 1,
                                                ceil_mode, "avg_pool2d")
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d: divisor must be not zero")
        divisor = np.full(out, float(divisor_override))
    else:
        divisor = np.outer(*[_avg_divisor(x.shape[2 + a], k[a], s[a], p[a], out[a],
                                          count_include_pad) for a in range(2)])
    xp = _padded(x, k, s, p, d, out, 0)
    total = np.zeros(x.shape[:2] + out, dtype=x.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            total += xp[_window(k, s, d, out, i, j)]
    result = (total / divisor).astype(x.dtype)
    saved = {"divisor": divisor, "padded_shape": xp.shape, "k": k, "s": s, "p": p,
             "d": d, "unbatched": unbatched}
    return Tensor.from_op(result[0] if unbatched else result, "avg_pool2d", (input,),
                          saved)


@gradient("avg_pool2d")
def _avg_pool2d_grad(grad, out, inputs, saved):
    """avg_pool2d: every element of a window receives grad / divisor."""
    g = (grad[None] if saved["unbatched"] else grad) / saved["divisor"]
    k, s, p, d = saved["k"], saved["s"], saved["p"], saved["d"]
    d_xp = np.zeros(saved["padded_shape"], dtype=grad.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            d_xp[_window(k, s, d, g.shape[2:], i, j)] += g
    h, w = inputs[0].data.shape[-2:]
    d_x = d_xp[:, :, p[0]:p[0] + h, p[1]:p[1] + w]
    return (d_x[0] if saved["unbatched"] else d_x,)


def _adaptive_matrix(size, out, dtype):
    """(out, size) averaging matrix: row i averages input[floor(i * size / out) :
    ceil((i + 1) * size / out)], PyTorch's start and end indices."""
    i = np.arange(out)
    start, end = (i * size) // out, -(-((i + 1) * size) // out)
    positions = np.arange(size)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (torch.nn.functional.adaptive_avg_pool2d).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, *output_size); output_size: int or pair,
    None keeping that input size. out = A_h @ x @ A_w^T with averaging matrices A.
    """
    x = _as_tensor(input, "input", "adaptive_avg_pool2d").data
    if x.ndim not in (3, 4) or 0 in x.shape[-2:]:
        raise RuntimeError("adaptive_avg_pool2d: expected a 3-D or 4-D input with "
                           f"non-zero height and width, got size {list(x.shape)}")
    sizes = (output_size if isinstance(output_size, (tuple, list))
             else (output_size,) * 2)
    sizes = tuple(x.shape[-2 + a] if sizes[a] is None else sizes[a] for a in range(2))
    oh, ow = _pair(sizes, "output_size", "adaptive_avg_pool2d")
    if oh < 0 or ow < 0:
        raise RuntimeError("adaptive_avg_pool2d: output_size should be >= 0, got "
                           f"{sizes}")
    a_h = _adaptive_matrix(x.shape[-2], oh, x.dtype)
    a_w = _adaptive_matrix(x.shape[-1], ow, x.dtype)
    return Tensor.from_op(a_h @ x @ a_w.T, "adaptive_avg_pool2d", (input,),
                          {"a_h": a_h, "a_w": a_w})


@gradient("adaptive_avg_pool2d")
def _adaptive_avg_pool2d_grad(grad, out, inputs, saved):
    """adaptive_avg_pool2d: A_h^T @ grad @ A_w."""
    return (saved["a_h"].T @ grad @ saved["a_w"],)


class MaxPool2d(Module):
    """Max pooling (torch.nn.MaxPool2d): kernel_size, stride (default kernel_size),
    padding, dilation, ceil_mode. Shape: (N, C, H, W) -> (N, C, OH, OW)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.dilation, self.ceil_mode = dilation, ceil_mode

    def forward(self, input):
        return kernel(max_pool2d)(input, self.kernel_size, self.stride, self.padding,
                                  self.dilation, self.ceil_mode)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding="
                f"{self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Average pooling (torch.nn.AvgPool2d): kernel_size, stride (default kernel_size),
    padding, ceil_mode, count_include_pad, divisor_override."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return kernel(avg_pool2d)(input, self.kernel_size, self.stride, self.padding,
                                  self.ceil_mode, self.count_include_pad,
                                  self.divisor_override)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")


class AdaptiveAvgPool2d(Module):
    """Adaptive average pooling to output_size (torch.nn.AdaptiveAvgPool2d)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return kernel(adaptive_avg_pool2d)(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
