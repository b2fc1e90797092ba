# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.shape: reshape, view, transpose, permute, indexing, squeeze,
unsqueeze, flatten, expand (views where possible) and clone."""
import math

import numpy as np

from tinytorch.core.dtypes import _data
from tinytorch.core.reductions import _dim


def permute(a, dims):
    """Reorder all dimensions: out.shape[i] == a.shape[dims[i]]; a view, nothing copied.
    Gradient: `_permute_grad` in core/gradients/tensor.py (module 06)."""
    order = tuple(_dim("permute", a, d) for d in dims)
    if sorted(order) != list(range(a.data.ndim)):
        raise ValueError(f"permute: {tuple(dims)} is not an ordering of the "
                         f"{a.data.ndim} dimensions of a tensor of shape "
                         f"{a.data.shape}")
    return a.from_op(np.transpose(a.data, order), "permute", (a,), {"dims": order})


def view(a, shape):
    """reshape that promises not to copy: RuntimeError when the data cannot be read as
    `shape` in place. Recorded as a reshape (gradient: `_reshape_grad` in
    core/gradients/tensor.py, module 06)."""
    out = reshape(a, shape)
    if a.data.size and not np.may_share_memory(out.data, a.data):
        raise RuntimeError(f"view: this tensor of shape {a.data.shape} is not laid out "
                           f"in memory so that it can be viewed as {tuple(shape)} "
                           "without a copy; use reshape, which copies")
    return out


def reshape(a, shape):
    """The same elements in the same (row-major) order, arranged as `shape` (a tuple).

    One entry may be -1: that size is inferred so the number of elements stays the same.
    A view of a's data when NumPy can make one, otherwise a copy. Raises ValueError
    naming a's shape and `shape` when the sizes cannot match.
    Gradient: `_reshape_grad` in core/gradients/tensor.py (module 06).
    """
    shape = tuple(shape)
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise ValueError(f"reshape: invalid shape {shape}: sizes must be >= 0, with at "
                         "most one -1")
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.data.shape} "
                         f"({a.data.size} elements) into {shape}") from None
    return a.from_op(out, "reshape", (a,))


def transpose(a, dim0, dim1):
    """Swap dimensions dim0 and dim1 (negative counts from the end). A view: no data is
    copied.
    Gradient: `_transpose_grad` in core/gradients/tensor.py (module 06)."""
    d0, d1 = _dim("transpose", a, dim0), _dim("transpose", a, dim1)
    out = np.swapaxes(a.data, d0, d1) if a.data.ndim else a.data
    return a.from_op(out, "transpose", (a,), {"dim0": d0, "dim1": d1})


def getitem(a, index):
    """a[index] with NumPy's rules: ints, slices, None, ... and int or bool arrays or
    Tensors.

    Ints and slices give a view; int or bool arrays (advanced indexing) give a copy.
    An invalid index raises IndexError naming a's shape.
    Gradient: `_getitem_grad` in core/gradients/tensor.py (module 06).
    """
    index = tuple(_data(i) for i in index) if isinstance(index, tuple) else _data(index)
    try:
        out = a.data[index]
    except IndexError as e:
        raise IndexError(f"getitem: index {index!r} does not fit a tensor of shape "
                         f"{a.data.shape}: {e}") from None
    return a.from_op(out, "getitem", (a,), {"index": index})


def _size_args(args):
    """t.reshape(2, 3) and t.reshape((2, 3)) both mean the shape (2, 3)."""
    return (tuple(args[0]) if len(args) == 1
            and isinstance(args[0], (tuple, list)) else tuple(args))


def _new_dim(op, a, d):
    """Where a new dimension goes in the result, in [0, ndim]; a negative d counts from
    the result's end (unsqueeze(-1) appends). IndexError naming a's shape when out of
    range."""
    n = a.data.ndim + 1
    if not -n <= d < n:
        raise IndexError(f"{op}: dimension {d} is out of range for a new dimension of "
                         f"a tensor of shape {a.data.shape} (expected {-n} to {n - 1})")
    return d % n


def squeeze(a, dim=None):
    """a without its size-1 dimensions: all of them (dim None) or those among `dim` (an
    int or a tuple); a named dimension whose size is not 1 stays, as in PyTorch. (2, 1,
    3) -> (2, 3). Recorded as a reshape (gradient: `_reshape_grad` in
    core/gradients/tensor.py, module 06)."""
    named = range(a.data.ndim) if dim is None else \
        {_dim("squeeze", a,
              d) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    return (reshape(a, tuple(n for i, n in enumerate(a.data.shape) if n != 1
                             or i not in named)))


def unsqueeze(a, dim):
    """a with a new dimension of size 1 at position `dim` of the result: (2, 3) -> (2,
    1, 3) for dim 1. Recorded as a reshape (gradient: `_reshape_grad` in
    core/gradients/tensor.py, module 06)."""
    d = _new_dim("unsqueeze", a, dim)
    return reshape(a, a.data.shape[:d] + (1,) + a.data.shape[d:])


def flatten(a, start_dim=0, end_dim=-1):
    """Dimensions start_dim..end_dim merged into one: (2, 3, 4) -> (2, 12) for start_dim
    1; a 0-d tensor becomes (1,). Recorded as a reshape (gradient: `_reshape_grad`,
    module 06)."""
    start, end = _dim("flatten", a, start_dim), _dim("flatten", a, end_dim)
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim "
                           f"{end_dim} (tensor of shape {a.data.shape})")
    shape = a.data.shape
    return (reshape(a,
                    shape[:start] + (math.prod(shape[start:end + 1]),
                                     ) + shape[end + 1:]))


def expand(a, sizes):
    """a repeated along its size-1 dimensions to `sizes`, without copying (a read-only
    view). -1 keeps a size; new dimensions go in front: (3, 1) -> (2, 3, 4) with sizes
    (2, -1, 4). RuntimeError when a dimension of size > 1 would change.
    Gradient: `_expand_grad` in core/gradients/tensor.py (module 06): the copies'
        gradients add up."""
    sizes, shape = tuple(sizes), a.data.shape
    extra = len(sizes) - len(shape)
    if extra < 0 or any(n < 0 for n in sizes[:extra]):
        raise RuntimeError(f"expand: cannot expand a tensor of shape {shape} to "
                           f"{sizes}: give a size for each of its dimensions (-1 keeps "
                           "one) and sizes >= 0 in front")
    target = sizes[:extra] + tuple(old if n == -1 else n for n,
                                   old in zip(sizes[extra:], shape))
    for i, (n, old) in enumerate(zip(target[extra:], shape)):
        if n != old and old != 1:
            raise RuntimeError(f"expand: the expanded size {n} must match the existing "
                               f"size {old} at non-singleton dimension {extra + i} "
                               f"(target {sizes}, tensor shape {shape})")
    return a.from_op(np.broadcast_to(a.data, target), "expand", (a,))


def clone(a):
    """A copy of a with its own memory, still in the graph (its gradient passes
    through).
    Gradient: `_copy_grad` in core/gradients/tensor.py (module 06)."""
    return a.from_op(a.data.copy(), "clone", (a,))
