# Generated from notebooks/masters/09_spatial.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.spatial: convolution by im2col + one matrix product, its backward by
col2im, and F.pad; the pools are in core/pooling.py, batch norm in core/batchnorm.py."""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tinytorch.core.autograd import gradient
from tinytorch.core.creation import default_generator
from tinytorch.core.module import Module, Parameter
from tinytorch.core.tensor import Tensor
from tinytorch.kernels import kernel


def _pair(value, name, op):
    """(a, b) from an int or a tuple of one or two ints (PyTorch's `_pair`)."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(items) == 1:
        items = items * 2
    if len(items) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
            for v in items):
        raise TypeError(f"{op}: {name} should be an int or a pair of ints, got "
                        f"{value!r}")
    return int(items[0]), int(items[1])


def _as_tensor(x, name, op):
    """x itself when it is a Tensor; TypeError naming `name` otherwise."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} should be a Tensor, got {type(x).__name__}")
    return x


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """The output length of a convolution or pool along one axis, for a `size` input
    with `padding` added on each side: floor((size + 2p - d(k - 1) - 1) / s) + 1."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def im2col(x, kernel_size, stride=(1, 1), dilation=(1, 1)):
    """The column matrix of an NHWC array x (already padded): one row per output
    position, one column per (kernel row, kernel column, channel).

    Shapes: x (N, H, W, C) -> (N * OH * OW, kh * kw * C), rows in (n, oh, ow) order.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    n, h, w, c = x.shape
    oh = conv_output_size(h, kh, sh, 0, dh)
    ow = conv_output_size(w, kw, sw, 0, dw)
    bn, bh, bw, bc = x.strides
    windows = as_strided(x, shape=(n, oh, ow, kh, kw, c),
                         strides=(bn, bh * sh, bw * sw, bh * dh, bw * dw, bc),
                         writeable=False)  # a view: no copy yet
    return windows.reshape(n * oh * ow, kh * kw * c)  # the copy: im2col's memory cost


def _conv_padding(padding, kernel, dilation, stride):
    """((top, bottom), (left, right)) from an int, a pair, 'valid' or 'same' (the odd
    extra row and column of 'same' goes after, as in PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise RuntimeError(f"conv2d: invalid padding string {padding!r}, should be "
                               "one of 'valid' or 'same'")
        if stride != (1, 1):
            raise RuntimeError("conv2d: padding='same' is not supported for strided "
                               f"convolutions (stride={stride})")
        total = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple((t // 2, t - t // 2) for t in total)
    ph, pw = _pair(padding, "padding", "conv2d")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got {padding}")
    return (ph, ph), (pw, pw)


def _check_conv(x, weight, bias, stride, dilation, groups):
    """Raise PyTorch's error kinds, with the shapes, for arguments conv2d cannot use."""
    if x.ndim != 4:
        raise RuntimeError("Expected 3D (unbatched) or 4D (batched) input to conv2d, "
                           f"but got input of size: {list(x.shape)}")
    if weight.ndim != 4:
        raise RuntimeError("conv2d: weight should be 4-D (out_channels, in_channels / "
                           f"groups, kH, kW), got size {list(weight.shape)}")
    if min(stride) <= 0:
        raise RuntimeError(
            f"conv2d: non-positive stride is not supported, got {stride}")
    if min(dilation) <= 0:
        raise RuntimeError("conv2d: dilation should be greater than zero, got "
                           f"{dilation}")
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise RuntimeError(
            f"conv2d: non-positive groups is not supported, got {groups}")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size "
                           f"{list(weight.shape)} instead")
    if x.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size "
                           f"{list(weight.shape)}, expected input{list(x.shape)} to "
                           f"have {weight.shape[1] * groups} channels, but got "
                           f"{x.shape[1]} channels instead")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias "
                           f"to be 1-dimensional with {weight.shape[0]} elements, but "
                           f"got bias of size {list(bias.shape)} instead")
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype):
        raise RuntimeError(f"conv2d: input ({x.dtype}), weight ({weight.dtype}) and "
                           "bias should have the same dtype")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation (torch.nn.functional.conv2d) by im2col and one matrix
    product per group.

    Shapes: input (N, C, H, W) or (C, H, W); weight (O, C / groups, kh, kw); bias (O,)
    -> (N, O, OH, OW) (or (O, OH, OW)). stride, dilation: int or pair; padding: int,
    pair, 'valid' or 'same'.
    """
    _as_tensor(input, "input", "conv2d")
    _as_tensor(weight, "weight", "conv2d")
    unbatched = input.ndim == 3
    x = input.data[None] if unbatched else input.data
    w = weight.data
    b = None if bias is None else _as_tensor(bias, "bias", "conv2d").data
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    _check_conv(x, w, b, stride, dilation, groups)
    kernel_size = w.shape[2:]
    pads = _conv_padding(padding, kernel_size, dilation, stride)
    n, c = x.shape[:2]
    hp, wp = x.shape[2] + sum(pads[0]), x.shape[3] + sum(pads[1])
    if any(d * (k - 1) + 1 > s for d, k, s in zip(dilation, kernel_size, (hp, wp))):
        raise RuntimeError(f"Calculated padded input size per channel: ({hp} x {wp}). "
                           f"Kernel size: ({dilation[0] * (kernel_size[0] - 1) + 1} x "
                           f"{dilation[1] * (kernel_size[1] - 1) + 1}). Kernel size "
                           "can't be greater than actual input size")
    # NHWC, padded: the windows of one output position are then contiguous per row
    xp = np.pad(x.transpose(0, 2, 3, 1), ((0, 0), pads[0], pads[1], (0, 0)))
    cols = im2col(xp, kernel_size, stride, dilation)                # (M, kh*kw*C)
    oh = conv_output_size(hp, kernel_size[0], stride[0], 0, dilation[0])
    ow = conv_output_size(wp, kernel_size[1], stride[1], 0, dilation[1])
    o, cg = w.shape[0], c // groups
    k = kernel_size[0] * kernel_size[1]
    # groups: (M, kh*kw, g, Cg) -> (g, M, kh*kw*Cg),
    #         weight (O, Cg, kh, kw) -> (g, kh*kw*Cg, O/g)
    cols = cols.reshape(-1, k, groups, cg).transpose(2, 0, 1, 3)
    cols = cols.reshape(groups, -1, k * cg)
    w_cols = w.reshape(groups, o // groups, cg, k).transpose(0, 3, 2, 1).reshape(
        groups, k * cg, o // groups)
    out = cols @ w_cols                                               # (g, M, O/g)
    out = out.reshape(groups, n, oh, ow, o // groups).transpose(1, 0, 4, 2, 3)
    out = out.reshape(n, o, oh, ow)
    if b is not None:
        out = out + b.reshape(1, o, 1, 1)
    out = out[0] if unbatched else out
    inputs = (input, weight) if bias is None else (input, weight, bias)
    saved = {"cols": cols, "w_cols": w_cols, "padded_shape": xp.shape, "pads": pads,
             "stride": stride, "dilation": dilation, "groups": groups,
             "unbatched": unbatched}
    return Tensor.from_op(np.ascontiguousarray(out), "conv2d", inputs, saved)


@gradient("conv2d")
def _conv2d_grad(grad, out, inputs, saved):
    """conv2d: d/dweight = cols^T @ grad, d/dbias = grad summed over (N, OH, OW),
    d/dinput = col2im(grad @ weight^T), with the padding cut off again."""
    input, weight = inputs[0], inputs[1]
    g = grad[None] if saved["unbatched"] else grad
    n, o, oh, ow = g.shape
    groups, w = saved["groups"], weight.data
    cg, (kh, kw) = w.shape[1], w.shape[2:]
    g_cols = g.reshape(n, groups, o // groups, oh, ow).transpose(1, 0, 3, 4, 2).reshape(
        groups, n * oh * ow, o // groups)                             # (g, M, O/g)
    grads = [None, None]
    if input.requires_grad:
        d_cols = g_cols @ saved["w_cols"].transpose(0, 2, 1)          # (g, M, kh*kw*Cg)
        d_cols = d_cols.reshape(groups, -1, kh * kw, cg).transpose(1, 2, 0, 3)
        d_xp = col2im(d_cols, saved["padded_shape"], (kh, kw), saved["stride"],
                      saved["dilation"])
        (top, bottom), (left, right) = saved["pads"]
        hp, wp = d_xp.shape[1:3]
        d_x = d_xp[:, top:hp - bottom, left:wp - right, :].transpose(0, 3, 1, 2)
        grads[0] = d_x[0] if saved["unbatched"] else d_x
    if weight.requires_grad:
        # (g, kh*kw*Cg, O/g)
        d_w = saved["cols"].transpose(0, 2, 1) @ g_cols
        grads[1] = d_w.reshape(groups, kh * kw, cg, o // groups).transpose(
            0, 3, 2, 1).reshape(w.shape)
    if len(inputs) == 3:
        grads.append(g.sum(axis=(0, 2, 3)))
    return grads


def col2im(cols, shape, kernel_size, stride=(1, 1), dilation=(1, 1)):
    """The adjoint of im2col: add each row of `cols` back onto the window it came from.

    Shapes: cols (N * OH * OW, kh * kw * C), shape = (N, H, W, C) of the padded NHWC
    input -> (N, H, W, C). A loop over the kh * kw kernel offsets, none over pixels.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    n, h, w, c = shape
    oh = conv_output_size(h, kh, sh, 0, dh)
    ow = conv_output_size(w, kw, sw, 0, dw)
    cols = cols.reshape(n, oh, ow, kh, kw, c)
    out = np.zeros(shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw, :] += cols[:, :, :, i, j, :]
    return out


def _pad_widths(pad, shape, op="pad"):
    """[(before, after)] for each dim of `shape` from PyTorch's flat pad tuple, which
    starts at the last dim: (left, right, top, bottom, ...)."""
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise RuntimeError(f"{op}: the pad tuple should have an even length of at most "
                           f"2 * input.ndim = {2 * len(shape)}, got {pad}")
    widths = [(0, 0)] * len(shape)
    for d in range(len(pad) // 2):
        widths[len(shape) - 1 - d] = (int(pad[2 * d]), int(pad[2 * d + 1]))
    return widths


_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_indices(size, before, after, mode):
    """For mode reflect/replicate/circular: which input index each output position
    along one axis copies (np.pad of the index range itself)."""
    return np.pad(np.arange(size), (before, after), mode=_NUMPY_MODES[mode])


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative amounts, crop) the last len(pad) // 2 dims
    (torch.nn.functional.pad).

    pad: (left, right) for the last dim, then (top, bottom) for the one before, ...;
    mode: 'constant' (with `value`, default 0), 'reflect', 'replicate' or 'circular'.
    """
    x = _as_tensor(input, "input", "pad").data
    widths = _pad_widths(pad, x.shape)
    if mode == "constant":
        crop = tuple(slice(max(-a, 0), n - max(-b, 0))
                     for (a, b), n in zip(widths, x.shape))
        grow = [(max(a, 0), max(b, 0)) for a, b in widths]
        out = np.pad(x[crop], grow, constant_values=0 if value is None else value)
        return Tensor.from_op(out, "pad", (input,), {"widths": widths, "mode": mode})
    if mode not in _NUMPY_MODES:
        raise NotImplementedError("pad: mode should be 'constant', 'reflect', "
                                  f"'replicate' or 'circular', got {mode!r}")
    dims = len(tuple(pad)) // 2
    if dims not in (1, 2, 3) or x.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(f"pad: {mode} padding of the last {dims} dims needs "
                                  f"an input of {dims + 1} or {dims + 2} dims, got "
                                  f"size {list(x.shape)}")
    out, indices = x, []
    for d, ((a, b), n) in enumerate(zip(widths, x.shape)):
        if a == b == 0:
            continue
        limit = n - 1 if mode == "reflect" else n
        if min(a, b) < 0 or max(a, b) > limit:
            raise RuntimeError(f"pad: {mode} padding ({a}, {b}) at dim {d} should be "
                               f"between 0 and {limit} for an input of size "
                               f"{list(x.shape)}")
        index = _pad_indices(n, a, b, mode)
        out = np.take(out, index, axis=d)
        indices.append((d, n, index))
    return Tensor.from_op(out, "pad", (input,), {"widths": widths, "mode": mode,
                                                 "indices": indices})


@gradient("pad")
def _pad_grad(grad, out, inputs, saved):
    """pad: constant mode cuts the padding off the gradient (and zero-fills what was
    cropped); the other modes add every copy's gradient back to the index it copies."""
    if saved["mode"] == "constant":
        widths = saved["widths"]
        keep = tuple(slice(max(a, 0), n - max(b, 0))
                     for (a, b), n in zip(widths, grad.shape))
        return (np.pad(grad[keep], [(max(-a, 0), max(-b, 0)) for a, b in widths]),)
    for d, n, index in reversed(saved["indices"]):
        moved = np.moveaxis(grad, d, 0)
        summed = np.zeros((n,) + moved.shape[1:], dtype=grad.dtype)
        np.add.at(summed, index, moved)
        grad = np.moveaxis(summed, 0, d)
    return (grad,)


class Conv2d(Module):
    """A 2-D convolution layer (torch.nn.Conv2d).

    Args: in_channels, out_channels, kernel_size (int or pair); stride, padding
        ('same', 'valid', int or pair), dilation, groups; bias (default True);
        padding_mode 'zeros', 'reflect', 'replicate' or 'circular'.
    Shape: (N, in_channels, H, W) -> (N, out_channels, OH, OW).
    Attributes: weight (out_channels, in_channels / groups, kh, kw);
        bias (out_channels,) or None.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros"):
        super().__init__()
        if groups <= 0:
            raise ValueError(f"Conv2d: groups must be a positive integer, got {groups}")
        if in_channels % groups:
            raise ValueError(f"Conv2d: in_channels must be divisible by groups, got "
                             f"in_channels={in_channels}, groups={groups}")
        if out_channels % groups:
            raise ValueError(f"Conv2d: out_channels must be divisible by groups, got "
                             f"out_channels={out_channels}, groups={groups}")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError("Conv2d: padding_mode must be 'zeros', 'reflect', "
                             f"'replicate' or 'circular', got {padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.groups = groups
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.dilation = _pair(dilation, "dilation", "Conv2d")
        self.padding = (padding if isinstance(padding, str)
                        else _pair(padding, "padding", "Conv2d"))
        try:  # PyTorch's layer raises ValueError where its function raises RuntimeError
            _conv_padding(self.padding, self.kernel_size, self.dilation, self.stride)
        except RuntimeError as error:
            raise ValueError(str(error).replace("conv2d:", "Conv2d:")) from None
        self.padding_mode = padding_mode
        self.weight = Parameter(np.empty((out_channels, in_channels // groups)
                                         + self.kernel_size, dtype=np.float32))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in =
        in_channels / groups * kh * kw: PyTorch's kaiming_uniform_(a=sqrt(5))."""
        fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        generator = default_generator()
        self.weight.data[...] = generator.uniform(-bound, bound, self.weight.shape)
        if self.bias is not None:
            self.bias.data[...] = generator.uniform(-bound, bound, self.bias.shape)

    def forward(self, input):
        """(N, C, H, W) -> (N, out_channels, OH, OW); (C, H, W) without the N."""
        if self.padding_mode == "zeros":
            return kernel(conv2d)(input, self.weight, self.bias, self.stride,
                                  self.padding, self.dilation, self.groups)
        pads = _conv_padding(self.padding, self.kernel_size, self.dilation, self.stride)
        padded = pad(input, pads[1] + pads[0], mode=self.padding_mode)
        return kernel(conv2d)(padded, self.weight, self.bias, self.stride, 0,
                              self.dilation, self.groups)

    def extra_repr(self):
        """PyTorch's: the arguments that differ from their defaults."""
        text = (f"{self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text
