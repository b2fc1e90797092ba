# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.selection: where, masked_fill, clamp, maximum and minimum, which
choose between values elementwise."""
import numpy as np

from tinytorch.core.broadcasting import _apply
from tinytorch.core.dtypes import _data, _promote, result_type


def _tensors_among(*values):
    """The Tensors among `values`, the inputs an op records (numbers and None are
    not)."""
    return tuple(v for v in values if hasattr(v, "from_op"))


def _broadcast(op, *arrays):
    """The shape `arrays` broadcast to; ValueError naming their shapes when they do
    not."""
    try:
        return np.broadcast_shapes(*(np.shape(x) for x in arrays))
    except ValueError:
        raise ValueError(f"{op}: shapes {', '.join(str(np.shape(x)) for x in arrays)} "
                         "cannot be broadcast together") from None


def _choose(op, condition, chosen, other, dtype):
    """`chosen` where the bool tensor `condition` holds, `other` elsewhere, as `dtype`;
    recorded as "where" with what `_where_grad` needs."""
    is_tensor = hasattr(condition, "from_op")
    if not is_tensor or condition.data.dtype != np.bool_:
        got = f"dtype {condition.data.dtype}" if is_tensor else type(condition).__name__
        raise RuntimeError(f"{op}: the condition must be a bool tensor (e.g. t > 0), "
                           f"got {got}")
    x, y = np.asarray(_data(chosen), dtype=dtype), np.asarray(_data(other), dtype=dtype)
    _broadcast(op, condition.data, x, y)
    return condition.from_op(np.where(condition.data, x, y), "where",
                             _tensors_among(chosen, other),
                             {"condition": condition.data, "input": chosen,
                              "other": other})


def where(condition, input, other):
    """input where the bool tensor `condition` is True, other elsewhere. The three
    broadcast; input and other may be Tensors or numbers, and the dtype is
    result_type(input, other).
    Gradient: `_where_grad` in core/gradients/tensor.py (module 06)."""
    return _choose("where", condition, input, other, result_type(input, other))


def masked_fill(input, mask, value):
    """input with `value` (a number or a 0-d Tensor) wherever the bool `mask` is True;
    mask and input broadcast, and the dtype stays input's (2.7 in an int64 tensor
    becomes 2). Recorded as a where (gradient: `_where_grad` in
    core/gradients/tensor.py, module 06)."""
    if hasattr(value, "from_op") and value.data.ndim != 0:
        raise RuntimeError("masked_fill: the value must be a number or a 0-d tensor, "
                           f"got a tensor of shape {value.data.shape}")
    return _choose("masked_fill", mask, value, input, input.data.dtype)


def clamp(input, min=None, max=None):
    """input limited to [min, max] elementwise: the larger of input and min, then the
    smaller of that and max (so max wins when min > max). Either bound may be None (not
    both), a number or a Tensor; dtypes promote as for `+` (an int tensor clamped to 0.5
    gives float32).
    Gradient: `_clamp_grad` in core/gradients/tensor.py (module 06)."""
    if min is None and max is None:
        raise RuntimeError(
            "clamp: at least one of min and max must be given (not None)")
    dtypes = [result_type(input, bound) for bound in (min, max) if bound is not None]
    dtype = _promote(*dtypes) if len(dtypes) == 2 else dtypes[0]
    low, high = (None if b is None else np.asarray(_data(b),
                                                   dtype=dtype) for b in (min, max))
    out = np.asarray(input.data, dtype=dtype)
    _broadcast("clamp", out, *(b for b in (low, high) if b is not None))
    if low is not None:
        out = np.maximum(out, low)
    if high is not None:
        out = np.minimum(out, high)
    return input.from_op(out, "clamp", _tensors_among(input, min, max),
                         {"input": input, "min": min, "max": max})


def _elementwise(op, fn, input, other):
    """fn(input, other) for two Tensors (PyTorch takes no numbers here), broadcast and
    promoted."""
    for name, value in (("input", input), ("other", other)):
        if not hasattr(value, "from_op"):
            raise TypeError(f"{op}: {name} must be a Tensor, got "
                            f"{type(value).__name__} (for a number use clamp)")
    return input.from_op(_apply(op, fn, input, other), op, (input, other))


def maximum(input, other):
    """The larger of input and other elementwise (nan if either is nan), with
    broadcasting.
    Gradient: `_maximum_grad` in core/gradients/tensor.py (module 06)."""
    return _elementwise("maximum", np.maximum, input, other)


def minimum(input, other):
    """The smaller of input and other elementwise (nan if either is nan), with
    broadcasting.
    Gradient: `_minimum_grad` in core/gradients/tensor.py (module 06)."""
    return _elementwise("minimum", np.minimum, input, other)
