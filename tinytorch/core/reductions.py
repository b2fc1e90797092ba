# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.reductions: sum, mean, max, min, argmax, var, cumsum, norm and
the like over chosen dimensions."""
import math
import warnings
from collections import namedtuple

import numpy as np

from tinytorch.core.dtypes import _refuse_bool


def _dim(op, a, d):
    """Dimension d of tensor a as an index in [0, ndim); a negative d counts from the
    end."""
    n = a.data.ndim or 1  # a 0-d tensor accepts 0 and -1, as in PyTorch
    if not -n <= d < n:
        raise IndexError(f"{op}: dimension {d} is out of range for a tensor of shape "
                         f"{a.data.shape} (expected {-n} to {n - 1})")
    return d % n


def _nonempty(op, fn, a, axis, keepdims):
    """fn(a.data, axis, keepdims) for max, min and argmax, which have no value over zero
    elements."""
    try:
        return fn(a.data, axis=axis, keepdims=keepdims)
    except ValueError:
        raise ValueError(f"{op}: cannot reduce over zero elements (tensor of shape "
                         f"{a.data.shape})") from None


def amax(a, axis=None, keepdims=False):
    """Largest value over `axis` (None: every element), like torch.amax; t.max() calls
    it.
    Gradient: `_extremum_grad` in core/gradients/tensor.py (module 06)."""
    axis = _reduce_axis("max", a, axis)
    out = _nonempty("max", np.max, a, axis, bool(keepdims))
    return a.from_op(out, "max", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def amin(a, axis=None, keepdims=False):
    """Smallest value over `axis` (None: every element), like torch.amin; t.min() calls
    it.
    Gradient: `_extremum_grad` in core/gradients/tensor.py (module 06)."""
    axis = _reduce_axis("min", a, axis)
    out = _nonempty("min", np.min, a, axis, bool(keepdims))
    return a.from_op(out, "min", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def argmax(a, axis=None, keepdims=False):
    """Index (int64) of the largest value along one axis; of the flattened tensor when
    axis is None.
    Not recorded: an index has no gradient. Bool tensors raise RuntimeError, as in
        PyTorch."""
    return _index("argmax", np.argmax, a, axis, keepdims)


def _index(op, pick, a, axis, keepdims):
    """pick (np.argmax or np.argmin) along one axis, or over the flattened tensor, as
    int64."""
    _refuse_bool(op, a)
    axes = _reduce_axis(op, a, axis)
    if axes is not None and len(axes) != 1:
        raise TypeError(f"{op}: axis must be a single int, got {axis}")
    out = _nonempty(op, pick, a, None if axes is None else axes[0], bool(keepdims))
    return a.from_op(out.astype(np.int64), op, ())


def _reduce_axis(op, a, axis):
    """Check `axis` for reducing tensor `a`: None (every element) or a tuple of dims in
    [0, ndim).

    axis None or an empty tuple/list means every element, as in PyTorch (t.sum(dim=())).

    axis may be None, an int or a tuple/list of ints; negative ints count from the end.
    Out-of-range dims raise IndexError (use _dim); a dim named twice raises ValueError.
    A 0-d tensor accepts axis 0 or -1; return None for it (there is nothing to reduce).
    """
    if axis is None or (isinstance(axis, (tuple, list)) and len(axis) == 0):
        return None
    dims = tuple(_dim(op, a,
                      d) for d in (axis if isinstance(axis,
                                                      (tuple, list)) else (axis,)))
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


# torch.return_types
_VALUES_INDICES = {op: namedtuple(op, ["values", "indices"]) for op in ("max", "min")}


def max_dim(a, dim, keepdim=False):
    """(values, indices) of the largest value along `dim`, like torch.max(a, dim): a
    named tuple with .values and .indices (int64); among ties the first index, as
    NumPy's argmax and PyTorch's CPU.
    Gradient: `_max_dim_grad` in core/gradients/tensor.py (module 06): all of it to that
        index."""
    return _along("max", np.argmax, a, dim, keepdim)


def min_dim(a, dim, keepdim=False):
    """(values, indices) of the smallest value along `dim`, like torch.min(a, dim); see
    max_dim."""
    return _along("min", np.argmin, a, dim, keepdim)


def _along(op, pick, a, dim, keepdim):
    """The values at pick's index along `dim` (recorded as op + "_dim") and that
    index."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r} (amax and amin reduce "
                        "over several dims)")
    d = _dim(op, a, dim)
    x = a.data.reshape(a.data.shape or (1,))
    if x.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce over dimension {dim} of size 0 "
                         f"(tensor of shape {a.data.shape})")
    # keepdim shape, as take_along_axis needs
    index = np.expand_dims(pick(x, axis=d), d)
    values = np.take_along_axis(x, index, axis=d)
    shape = index.shape if keepdim else index.shape[:d] + index.shape[d + 1:]
    shape = shape if a.data.ndim else ()
    out = a.from_op(values.reshape(shape), op + "_dim", (a,),
                    {"dim": d, "index": index})
    return (_VALUES_INDICES[op](out,
                                a.from_op(index.reshape(shape).astype(np.int64),
                                          "arg" + op, ())))


def argmin(a, dim=None, keepdim=False):
    """Index (int64) of the smallest value along `dim`; of the flattened tensor when dim
    is None.
    Not recorded: an index has no gradient. Bool tensors raise RuntimeError, as in
        PyTorch."""
    return _index("argmin", np.argmin, a, dim, keepdim)


def _floating_only(op, a):
    """RuntimeError naming the dtype unless `a` holds floating-point numbers (as
    PyTorch's var, norm)."""
    if a.data.dtype.kind != "f":
        raise RuntimeError(f"{op}: needs a floating-point tensor, got {a.data.dtype} "
                           "(t.float() converts it)")


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over `dim` (None: every element): sum((a - mean) ** 2) / (N -
    correction), N the number of elements reduced. correction=1 (the default;
    unbiased=True) or 0 (unbiased=False). N - correction <= 0 gives nan or inf with a
    warning, as in PyTorch. Floating point only.
    Gradient: `_var_grad` in core/gradients/tensor.py (module 06)."""
    return _variance("var", a, dim, unbiased, keepdim, correction)


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: the square root of var (same arguments). Recorded as var,
    then sqrt."""
    return _variance("std", a, dim, unbiased, keepdim, correction).sqrt()


def _variance(op, a, dim, unbiased, keepdim, correction):
    """var's value; `op` names var or std in messages."""
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}: give correction or unbiased, not both")
    correction = (0 if unbiased is False else 1) if correction is None else correction
    _floating_only(op, a)
    axis = _reduce_axis(op, a, dim)
    count = a.data.size if axis is None else math.prod(a.data.shape[d] for d in axis)
    dof = max(count - correction, 0)
    if dof == 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0: {count} element(s) reduced "
                      f"with correction {correction}", UserWarning, stacklevel=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = a.data - np.sum(a.data, axis=axis, keepdims=True) / count
        out = np.sum(centred * centred, axis=axis, keepdims=bool(keepdim)) / dof
    return (a.from_op(out, "var", (a,),
                      {"axis": axis, "keepdims": bool(keepdim), "dof": dof}))


def cumsum(a, dim, dtype=None):
    """Running sums along `dim`: out[i] = a[0] + ... + a[i] along it. Integer and bool
    tensors give int64 (as sum does) unless `dtype` is given. Gradient: `_cumsum_grad`
    in core/gradients/tensor.py
    (module 06): the running sums of the gradient taken from the end."""
    d = _dim("cumsum", a, dim)
    if dtype is None:
        dtype = np.int64 if a.data.dtype.kind in "biu" else a.data.dtype
    dtype = np.dtype(dtype)
    out = np.cumsum(a.data, axis=d if a.data.ndim else None,
                    dtype=dtype).reshape(a.data.shape)
    return a.from_op(out, "cumsum", (a,) if dtype.kind == "f" else (), {"dim": d})


def norm(a, p="fro", dim=None, keepdim=False):
    """The p-norm over `dim` (None: every element): (sum |a| ** p) ** (1 / p). p=2 or
    "fro" is the Euclidean length, p=1 the sum of |a|, p=inf the largest |a|; p must be
    a number >= 1 or "fro" (NotImplementedError otherwise). Floating point only, as
    torch.norm.
    Gradient: `_norm_grad` in core/gradients/tensor.py (module 06)."""
    p = 2 if p == "fro" else p
    if isinstance(p, str) or not p >= 1:
        raise NotImplementedError(f"norm: p={p!r} is not supported; use 'fro', inf or "
                                  "a number >= 1")
    _floating_only("norm", a)
    axis, keepdim, x = _reduce_axis("norm", a, dim), bool(keepdim), np.abs(a.data)
    if p == math.inf:
        out = np.max(x, axis=axis, keepdims=keepdim, initial=0)
    elif p == 2:
        out = np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
    else:
        out = np.sum(x ** p, axis=axis, keepdims=keepdim) ** (1 / p)
    return a.from_op(out.astype(a.data.dtype, copy=False), "norm", (a,),
                     {"axis": axis, "keepdims": keepdim, "p": p})
