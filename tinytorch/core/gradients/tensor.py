# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.gradients.tensor: the gradient rules of module 01's ops."""
import math

import numpy as np

from tinytorch.core.autograd import gradient, unbroadcast
from tinytorch.core.broadcasting import _power
from tinytorch.core.dtypes import _data
from tinytorch.core.tensor import Tensor


@gradient("add")
def _add_grad(grad, out, inputs, saved):
    """a + b: both operands receive grad unchanged."""
    return (grad,) * len(inputs)


@gradient("mul")
def _mul_grad(grad, out, inputs, saved):
    """a * b: d/da = b, d/db = a."""
    a, b = saved["a"], saved["b"]
    if not isinstance(b, Tensor):  # a Tensor times a number
        return (grad * b,)
    if not isinstance(a, Tensor):  # a number times a Tensor
        return (grad * a,)
    return grad * b.data, grad * a.data


@gradient("sub")
def _sub_grad(grad, out, inputs, saved):
    """a - b: d/da = 1, d/db = -1."""
    grads = []
    if isinstance(saved["a"], Tensor):
        grads.append(grad)
    if isinstance(saved["b"], Tensor):
        grads.append(-grad)
    return grads


@gradient("div")
def _div_grad(grad, out, inputs, saved):
    """a / b: d/da = 1/b, d/db = -a/b**2 = -out/b."""
    a, b = saved["a"], saved["b"]
    grads = []
    if isinstance(a, Tensor):
        grads.append(grad / _data(b))
    if isinstance(b, Tensor):
        grads.append(-grad * out.data / _data(b))
    return grads


@gradient("pow")
def _pow_grad(grad, out, inputs, saved):
    """a ** b: d/da = b * a**(b-1) (0 where b == 0), d/db = out * log(a) (0 where a ==
    0, b >= 0). a**(b-1) with module 01's _power, as PyTorch: at a = -0.0, d(a **
    0.5)/da is -inf."""
    a, b = saved["a"], saved["b"]
    x, y = _data(a), _data(b)
    grads = []
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(a, Tensor):
            grads.append(grad * np.where(y == 0, 0, y * _power(x, y - 1)))
        if isinstance(b, Tensor):
            grads.append(grad * np.where((x == 0) & (y >= 0), 0, out.data * np.log(x)))
    return grads


@gradient("neg")
def _neg_grad(grad, out, inputs, saved):
    """-a: d/da = -1."""
    return (-grad,)


@gradient("exp")
def _exp_grad(grad, out, inputs, saved):
    """exp(a): d/da = exp(a) = out."""
    return (grad * out.data,)


@gradient("log")
def _log_grad(grad, out, inputs, saved):
    """log(a): d/da = 1/a."""
    return (grad / inputs[0].data,)


@gradient("abs")
def _abs_grad(grad, out, inputs, saved):
    """|a|: d/da = sign(a), 0 at 0 and at nan (as in PyTorch)."""
    x = inputs[0].data
    return (grad * np.where(np.isnan(x), 0, np.sign(x)),)


@gradient("sqrt")
def _sqrt_grad(grad, out, inputs, saved):
    """sqrt(a): d/da = 1 / (2 sqrt(a)) = 1 / (2 out): inf at 0, nan below 0 and at
    -inf."""
    with np.errstate(divide="ignore"):
        return (grad / (2 * out.data),)


@gradient("matmul")
def _matmul_grad(grad, out, inputs, saved):
    """a @ b: d/da = grad @ b^T, d/db = a^T @ grad, for 1-D operands and broadcast batch
    dims too."""
    a, b = saved["a"], saved["b"]
    x, y = np.asarray(_data(a)), np.asarray(_data(b))
    x_vector, y_vector = x.ndim == 1, y.ndim == 1
    if y_vector:
        grad, y = grad[..., None], y[:, None]
    if x_vector:
        grad, x = grad[..., None, :], x[None, :]
    grads = []
    if isinstance(a, Tensor):
        grad_a = None
        if a.requires_grad:
            grad_a = grad @ np.swapaxes(y, -1, -2)
            if x_vector:
                grad_a = grad_a[..., 0, :]
        grads.append(grad_a)
    if isinstance(b, Tensor):
        grad_b = None
        if b.requires_grad:
            grad_b = np.swapaxes(x, -1, -2) @ grad
            if y_vector:
                grad_b = grad_b[..., 0]
        grads.append(grad_b)
    return grads


def _expand(grad, saved, shape):
    """The gradient of a reduction over saved['axis'] (keepdims saved['keepdims']),
    broadcast back to the input's `shape` (a read-only view)."""
    axis = saved["axis"]
    if axis is not None and not saved["keepdims"]:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


@gradient("sum")
def _sum_grad(grad, out, inputs, saved):
    """sum: every input element receives the gradient of the output element it went
    into."""
    return (_expand(grad, saved, inputs[0].data.shape),)


@gradient("mean")
def _mean_grad(grad, out, inputs, saved):
    """mean: like sum, divided by the number of elements averaged into each output."""
    shape, axis = inputs[0].data.shape, saved["axis"]
    count = math.prod(shape) if axis is None else math.prod(shape[d] for d in axis)
    return (_expand(grad, saved, shape) / count,)


@gradient("max")
@gradient("min")
def _extremum_grad(grad, out, inputs, saved):
    """max/min: the gradient goes to the winning elements, split evenly among ties
    (torch.amax)."""
    x = inputs[0].data
    winners = x == _expand(out.data, saved, x.shape)
    count = winners.sum(axis=saved["axis"], keepdims=True)
    return (_expand(grad, saved, x.shape) * winners / count,)


@gradient("reshape")
def _reshape_grad(grad, out, inputs, saved):
    """reshape: the same elements in the same order, so reshape the gradient back."""
    return (grad.reshape(inputs[0].data.shape),)


@gradient("transpose")
def _transpose_grad(grad, out, inputs, saved):
    """transpose(dim0, dim1) is its own inverse."""
    return (np.swapaxes(grad, saved["dim0"], saved["dim1"]) if grad.ndim else grad,)


@gradient("permute")
def _permute_grad(grad, out, inputs, saved):
    """permute(dims) is undone by the inverse permutation: inverse[dims[i]] = i."""
    inverse = [0] * len(saved["dims"])
    for position, d in enumerate(saved["dims"]):
        inverse[d] = position
    return (np.transpose(grad, inverse),)


def _is_basic_index(index):
    """True for ints, slices, None and Ellipsis only: each element is picked at most
    once."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, slice)
               or (isinstance(i, (int, np.integer))
                   and not isinstance(i, (bool, np.bool_)))
               for i in items)


@gradient("getitem")
def _getitem_grad(grad, out, inputs, saved):
    """a[index]: gradients go back to the picked positions; repeated picks add up."""
    full = np.zeros(inputs[0].data.shape, dtype=grad.dtype)
    if _is_basic_index(saved["index"]):
        full[saved["index"]] = grad
    else:
        np.add.at(full, saved["index"], grad)
    return (full,)


@gradient("cat")
def _cat_grad(grad, out, inputs, saved):
    """cat along dim: each input gets its own slice of the gradient (a skipped (0,) one,
    zeros)."""
    pieces = np.split(grad, np.cumsum(saved["sizes"])[:-1], axis=saved["dim"])
    return tuple(g if g.shape == t.data.shape else np.zeros(t.data.shape, grad.dtype)
                 for g, t in zip(pieces, inputs))


@gradient("expand")
def _expand_grad(grad, out, inputs, saved):
    """expand: every copy of an element sends its gradient back, and they add up."""
    return (unbroadcast(grad, inputs[0].data.shape),)


@gradient("clone")
@gradient("to")
def _copy_grad(grad, out, inputs, saved):
    """clone and to: the same values (maybe in another dtype): the gradient passes
    through."""
    return (grad,)


@gradient("max_dim")
@gradient("min_dim")
def _max_dim_grad(grad, out, inputs, saved):
    """t.max(dim) / t.min(dim): each slice's gradient goes to the one index returned."""
    shape, index = inputs[0].data.shape, saved["index"]
    full = np.zeros(shape or (1,), dtype=grad.dtype)
    np.put_along_axis(full, index, grad.reshape(index.shape), axis=saved["dim"])
    return (full.reshape(shape),)


@gradient("where")
def _where_grad(grad, out, inputs, saved):
    """where(condition, input, other): input gets the gradient where condition holds,
    other elsewhere."""
    condition, grads = saved["condition"], []
    if isinstance(saved["input"], Tensor):
        grads.append(np.where(condition, grad, 0))
    if isinstance(saved["other"], Tensor):
        grads.append(np.where(condition, 0, grad))
    return grads


@gradient("clamp")
def _clamp_grad(grad, out, inputs, saved):
    """clamp(x, min, max): x gets the gradient where min <= x <= max (1 at the bounds,
    as PyTorch); a Tensor bound gets it where it won: min where x < min < max, max where
    x > max or max < min."""
    x, low, high = saved["input"].data, _data(saved["min"]), _data(saved["max"])
    inside = np.ones(grad.shape, dtype=bool)
    if low is not None:
        inside = inside & (x >= low)
    if high is not None:
        inside = inside & (x <= high)
    grads = [np.where(inside, grad, 0)]
    if isinstance(saved["min"], Tensor):
        grads.append(np.where((x < low) & (True if high is None else low < high), grad,
                              0))
    if isinstance(saved["max"], Tensor):
        grads.append(np.where((x > high) | (False if low is None else high < low), grad,
                              0))
    return grads


def _share(grad, tie, a_loses, b_loses):
    """The gradients of two competitors: none to the loser, half each on a tie (nan:
    neither loses)."""
    half = np.where(tie, grad / 2, grad)
    return np.where(a_loses, 0, half), np.where(b_loses, 0, half)


@gradient("maximum")
def _maximum_grad(grad, out, inputs, saved):
    """maximum(a, b): the larger gets the gradient; a tie splits it half and half."""
    a, b = inputs[0].data, inputs[1].data
    return _share(grad, a == b, a < b, a > b)


@gradient("minimum")
def _minimum_grad(grad, out, inputs, saved):
    """minimum(a, b): the smaller gets the gradient; a tie splits it half and half."""
    a, b = inputs[0].data, inputs[1].data
    return _share(grad, a == b, a > b, a < b)


@gradient("var")
def _var_grad(grad, out, inputs, saved):
    """var = sum((x - mean) ** 2) / dof: d/dx = 2 (x - mean) / dof (nan when dof is 0,
    as PyTorch)."""
    x, axis = inputs[0].data, saved["axis"]
    centred = x - x.mean(axis=axis, keepdims=True) if x.size else x
    with np.errstate(divide="ignore", invalid="ignore"):
        return (_expand(grad, saved, x.shape) * (2 * centred / saved["dof"]),)


@gradient("cumsum")
def _cumsum_grad(grad, out, inputs, saved):
    """cumsum: x[i] feeds out[i], out[i+1], ...: its gradient is the sum of grad from i
    to the end."""
    if grad.ndim == 0:
        return (grad,)
    d = saved["dim"]
    return (np.flip(np.cumsum(np.flip(grad, d), axis=d), d),)


@gradient("norm")
def _norm_grad(grad, out, inputs, saved):
    """p-norm n: d/dx = sign(x) |x| ** (p - 1) / n ** (p - 1) (x / n for p = 2), 0 where
    n == 0 (as PyTorch); p = inf: sign(x) to the largest |x|, split evenly among
    ties."""
    x, p = inputs[0].data, saved["p"]
    n, g = _expand(out.data, saved, x.shape), _expand(grad, saved, x.shape)
    if p == math.inf:
        winners = (np.abs(x) == n) & (n != 0)
        return (
            g * np.sign(x) * winners / np.maximum(
                winners.sum(axis=saved["axis"], keepdims=True), 1),)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = x / n if p == 2 else np.sign(x) * np.abs(x) ** (p - 1) / n ** (p - 1)
    return (g * np.where(n == 0, 0, slope),)
