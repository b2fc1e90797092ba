# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.shape: reshape, view, transpose, permute and indexing (views where possible)."""
import numpy as np

from tinytorch.core.dtypes import _data
from tinytorch.core.reductions import _dim


def permute(a, dims):
    """Reorder all dimensions: out.shape[i] == a.shape[dims[i]]. A view: no data is copied.
    Gradient: `_permute_grad` in core/gradients/tensor.py (module 06)."""
    order = tuple(_dim("permute", a, d) for d in dims)
    if sorted(order) != list(range(a.data.ndim)):
        raise ValueError(f"permute: {tuple(dims)} is not an ordering of the {a.data.ndim} dimensions "
                         f"of a tensor of shape {a.data.shape}")
    return a.from_op(np.transpose(a.data, order), "permute", (a,), {"dims": order})


def view(a, shape):
    """reshape that promises not to copy: RuntimeError when the data cannot be read as `shape` in place.
    Recorded as a reshape (gradient: `_reshape_grad` in core/gradients/tensor.py, module 06)."""
    out = reshape(a, shape)
    if a.data.size and not np.may_share_memory(out.data, a.data):
        raise RuntimeError(f"view: this tensor of shape {a.data.shape} is not laid out in memory so that "
                           f"it can be viewed as {tuple(shape)} without a copy; use reshape, which copies")
    return out


def reshape(a, shape):
    """The same elements in the same (row-major) order, arranged as `shape` (a tuple).

    One entry may be -1: that size is inferred so the number of elements stays the same.
    A view of a's data when NumPy can make one, otherwise a copy. Raises ValueError naming
    a's shape and `shape` when the sizes cannot match.
    Gradient: `_reshape_grad` in core/gradients/tensor.py (module 06).
    """
    shape = tuple(shape)
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise ValueError(f"reshape: invalid shape {shape}: sizes must be >= 0, with at most one -1")
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.data.shape} "
                         f"({a.data.size} elements) into {shape}") from None
    return a.from_op(out, "reshape", (a,))


def transpose(a, dim0, dim1):
    """Swap dimensions dim0 and dim1 (negative counts from the end). A view: no data is copied.
    Gradient: `_transpose_grad` in core/gradients/tensor.py (module 06)."""
    d0, d1 = _dim("transpose", a, dim0), _dim("transpose", a, dim1)
    out = np.swapaxes(a.data, d0, d1) if a.data.ndim else a.data
    return a.from_op(out, "transpose", (a,), {"dim0": d0, "dim1": d1})


def getitem(a, index):
    """a[index] with NumPy's rules: ints, slices, None, ... and int or bool arrays or Tensors.

    Ints and slices give a view; int or bool arrays (advanced indexing) give a copy.
    An invalid index raises IndexError naming a's shape.
    Gradient: `_getitem_grad` in core/gradients/tensor.py (module 06).
    """
    index = tuple(_data(i) for i in index) if isinstance(index, tuple) else _data(index)
    try:
        out = a.data[index]
    except IndexError as e:
        raise IndexError(f"getitem: index {index!r} does not fit a tensor of shape {a.data.shape}: {e}") from None
    return a.from_op(out, "getitem", (a,), {"index": index})
