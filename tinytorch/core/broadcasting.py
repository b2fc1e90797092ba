# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.broadcasting: the shape of an elementwise result, and the elementwise
op on arrays."""
import numpy as np

from tinytorch.core.dtypes import _data, result_type


def _broadcast_shape(op, shape_a, shape_b):
    """The shape of `a op b` for operands of shapes shape_a and shape_b (tuples).

    Align the shapes at the right and pad the shorter one with 1s on the left. In every
    position the two sizes must be equal or one of them must be 1; the result takes the
    other size. Otherwise raise ValueError(f"{op}: shapes {shape_a} and {shape_b} cannot
    be broadcast together ...").
    """
    ndim = max(len(shape_a), len(shape_b))
    padded_a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for size_a, size_b in zip(padded_a, padded_b):
        if size_a != size_b and 1 not in (size_a, size_b):
            raise ValueError(f"{op}: shapes {tuple(shape_a)} and {tuple(shape_b)} "
                             f"cannot be broadcast together ({size_a} vs {size_b}: "
                             "sizes must be equal or 1)")
        result.append(size_b if size_a == 1 else size_a)
    return tuple(result)


def _apply(op, fn, a, b, dtype=None):
    """fn(a, b) on NumPy arrays, for operands that are Tensors or numbers; returns the
    NumPy result.

    Converts both operands to arrays of `dtype` (None: result_type(a, b)), checks that
    their shapes broadcast (through _broadcast_shape, so an error names both shapes),
    then calls fn.
    """
    dtype = result_type(a, b) if dtype is None else dtype
    x, y = np.asarray(_data(a), dtype=dtype), np.asarray(_data(b), dtype=dtype)
    _broadcast_shape(op, x.shape, y.shape)
    return fn(x, y)


def _power(x, y):
    """np.power(x, y) on arrays, except that a single exponent 0.5 or -0.5 is computed
    as PyTorch does, as sqrt(x) and 1 / sqrt(x): the same numbers, but (-0.0) ** 0.5 is
    -0.0 and (-0.0) ** -0.5 is -inf (np.power gives 0.0 and inf)."""
    if np.ndim(y) == 0 and (y == 0.5 or y == -0.5):
        root = np.sqrt(x)
        return root if y > 0 else 1 / root
    return np.power(x, y)
