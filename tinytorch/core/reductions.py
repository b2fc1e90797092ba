# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.reductions: sum, mean, max, min and argmax over chosen dimensions."""
import numpy as np

from tinytorch.core.dtypes import _refuse_bool


def _dim(op, a, d):
    """Dimension d of tensor a as an index in [0, ndim); a negative d counts from the end."""
    n = a.data.ndim or 1  # a 0-d tensor accepts 0 and -1, as in PyTorch
    if not -n <= d < n:
        raise IndexError(f"{op}: dimension {d} is out of range for a tensor of shape {a.data.shape} "
                         f"(expected {-n} to {n - 1})")
    return d % n


def _nonempty(op, fn, a, axis, keepdims):
    """fn(a.data, axis, keepdims) for max, min and argmax, which have no value over zero elements."""
    try:
        return fn(a.data, axis=axis, keepdims=keepdims)
    except ValueError:
        raise ValueError(f"{op}: cannot reduce over zero elements (tensor of shape {a.data.shape})") from None


def amax(a, axis=None, keepdims=False):
    """Largest value over `axis` (None: every element), like torch.amax; t.max() calls it.
    Gradient: `_extremum_grad` in core/gradients/tensor.py (module 06)."""
    axis = _reduce_axis("max", a, axis)
    out = _nonempty("max", np.max, a, axis, bool(keepdims))
    return a.from_op(out, "max", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def amin(a, axis=None, keepdims=False):
    """Smallest value over `axis` (None: every element), like torch.amin; t.min() calls it.
    Gradient: `_extremum_grad` in core/gradients/tensor.py (module 06)."""
    axis = _reduce_axis("min", a, axis)
    out = _nonempty("min", np.min, a, axis, bool(keepdims))
    return a.from_op(out, "min", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def argmax(a, axis=None, keepdims=False):
    """Index (int64) of the largest value along one axis; of the flattened tensor when axis is None.
    Not recorded: an index has no gradient. Bool tensors raise RuntimeError, as in PyTorch."""
    _refuse_bool("argmax", a)
    axes = _reduce_axis("argmax", a, axis)
    if axes is not None and len(axes) != 1:
        raise TypeError(f"argmax: axis must be a single int, got {axis}")
    out = _nonempty("argmax", np.argmax, a, None if axes is None else axes[0], bool(keepdims))
    return a.from_op(out.astype(np.int64), "argmax", ())


def _reduce_axis(op, a, axis):
    """Check `axis` for reducing tensor `a`: None (every element) or a tuple of dims in [0, ndim).

    axis None or an empty tuple/list means every element, as in PyTorch (t.sum(dim=())).

    axis may be None, an int or a tuple/list of ints; negative ints count from the end.
    Out-of-range dims raise IndexError (use _dim); a dim named twice raises ValueError.
    A 0-d tensor accepts axis 0 or -1; return None for it (there is nothing to reduce).
    """
    if axis is None or (isinstance(axis, (tuple, list)) and len(axis) == 0):
        return None
    dims = tuple(_dim(op, a, d) for d in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(set(dims)) != len(dims):
        raise ValueError(f"{op}: axis {axis} names the same dimension more than once")
    return dims if a.data.ndim else None


def sum(a, axis=None, keepdims=False):
    """Sum over `axis` (None: every element). Shape: a.shape without the reduced dims
    (kept as size 1 when keepdims). Integer and bool tensors sum to int64.
    Gradient: `_sum_grad` in core/gradients/tensor.py (module 06)."""
    axis = _reduce_axis("sum", a, axis)
    out = np.sum(a.data, axis=axis, keepdims=bool(keepdims),
                 dtype=np.int64 if a.data.dtype.kind in "biu" else None)
    return a.from_op(out, "sum", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def mean(a, axis=None, keepdims=False):
    """Mean over `axis` (None: every element); shape as for sum. Like PyTorch, only for
    floating-point tensors: raise RuntimeError naming the dtype otherwise.
    Gradient: `_mean_grad` in core/gradients/tensor.py (module 06)."""
    axis = _reduce_axis("mean", a, axis)
    if a.data.dtype.kind != "f":
        raise RuntimeError(f"mean: needs a floating-point tensor, got {a.data.dtype} "
                           f"(Tensor(t) makes a float32 copy)")
    out = np.mean(a.data, axis=axis, keepdims=bool(keepdims))
    return a.from_op(out, "mean", (a,), {"axis": axis, "keepdims": bool(keepdims)})
