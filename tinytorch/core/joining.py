# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.joining: cat and stack, which join a sequence of tensors into one."""
import functools

import numpy as np

from tinytorch.core.dtypes import _promote
from tinytorch.core.reductions import _dim
from tinytorch.core.shape import _new_dim


def _sequence(op, tensors, empty_error):
    """`tensors` as a tuple of Tensors: TypeError for anything else, empty_error when it
    is empty."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of Tensors, got "
                        f"{type(tensors).__name__}")
    for position, t in enumerate(tensors):
        if not hasattr(t, "from_op"):
            raise TypeError(f"{op}: expected a Tensor at position {position}, got "
                            f"{type(t).__name__}")
    if not tensors:
        raise empty_error(f"{op}: expected a non-empty list of Tensors")
    return tuple(tensors)


def cat(tensors, dim=0):
    """Join tensors along their existing dimension `dim`; every other size must match.
    Shape: (2, 3) and (2, 5) along dim 1 -> (2, 8). The dtype is the promoted one (int64
        and
    float32 give float32). As in PyTorch, a 1-D empty tensor (shape (0,)) is skipped,
    and 0-d tensors are refused (stack them). Gradient: `_cat_grad` in
    core/gradients/tensor.py (module 06)."""
    tensors = _sequence("cat", tensors, ValueError)
    for position, t in enumerate(tensors):
        if t.data.ndim == 0:
            raise RuntimeError(f"cat: the 0-d tensor at position {position} cannot be "
                               "concatenated; use stack, or t.reshape(1)")
    joined = [t for t in tensors if t.data.shape != (0,)] or [tensors[0]]
    first = joined[0]
    d = _dim("cat", first, dim)
    # the sizes that must match
    others = first.data.shape[:d] + first.data.shape[d + 1:]
    for position, t in enumerate(tensors):
        if t.data.shape != (0,) and (t.data.ndim != first.data.ndim or
                                     t.data.shape[:d] + t.data.shape[d + 1:] != others):
            raise RuntimeError("cat: sizes of tensors must match except in dimension "
                               f"{d}: tensor 0 has shape {first.data.shape}, tensor "
                               f"{position} has shape {t.data.shape}")
    dtype = functools.reduce(_promote, (t.data.dtype for t in tensors))
    out = np.concatenate([t.data for t in joined], axis=d, dtype=dtype)
    sizes = [0 if t.data.shape == (0,) else t.data.shape[d] for t in tensors]
    return first.from_op(out, "cat", tensors, {"dim": d, "sizes": sizes})


def stack(tensors, dim=0):
    """Join equal-shaped tensors along a new dimension `dim` (from -(ndim + 1) to ndim):
    n tensors of shape (a, b) give (n, a, b) for dim 0 and (a, b, n) for dim -1. Dtypes
    promote.
    Gradient: `_stack_grad` in core/gradients/data.py (module 06): tensor i gets slice
        i."""
    tensors = _sequence("stack", tensors, RuntimeError)
    first = tensors[0]
    for position, t in enumerate(tensors):
        if t.data.shape != first.data.shape:
            raise RuntimeError("stack: expects each tensor to be equal size, but got "
                               f"{first.data.shape} at entry 0 and {t.data.shape} at "
                               f"entry {position}")
    d = _new_dim("stack", first, dim)
    dtype = functools.reduce(_promote, (t.data.dtype for t in tensors))
    out = np.stack([t.data for t in tensors], axis=d, dtype=dtype)
    return first.from_op(out, "stack", tensors, {"dim": d})
