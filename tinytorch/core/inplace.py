# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.inplace: `t += x`, `t -= x`, `t *= x` and `t /= x` in place, as in
PyTorch, and the version counter that lets module 06 notice a tensor changed after an op
recorded it."""
import numpy as np

from tinytorch.core.grad_mode import is_grad_enabled


def _inplace(t, op, other):
    """t = op(t, other) in place (t += other: op is add): the same Tensor, its same
    array, and t._version + 1. Returns t.

    While recording, a leaf that requires grad raises RuntimeError, as in PyTorch; any
    other t that requires grad, or meets an `other` that does, records the op, taking a
    copy of t's old values as its input. RuntimeError when the result does not keep t's
    shape or cannot be stored in t's dtype.
    """
    recording = is_grad_enabled() and (t.requires_grad
                                       or getattr(other, "requires_grad", False))
    if recording and t.requires_grad and t._ctx is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an "
                           "in-place operation. Update it inside `with no_grad():`, or "
                           "write t = t + x for a new tensor.")
    source = t
    if recording:  # t's value before the change becomes the recorded op's input
        source = object.__new__(type(t))
        source.__dict__.update(t.__dict__)
        source.data = t.data.copy()
    result = op(source, other)
    if result.data.shape != t.data.shape:
        raise RuntimeError(f"in-place {op.__name__}: output with shape {t.data.shape} "
                           f"doesn't match the broadcast shape {result.data.shape}; "
                           f"write t = {op.__name__}(t, x) instead")
    if not np.can_cast(result.data.dtype, t.data.dtype, "same_kind"):
        raise RuntimeError(f"in-place {op.__name__}: result type {result.data.dtype} "
                           f"can't be cast to the tensor's dtype {t.data.dtype}; write "
                           f"t = {op.__name__}(t, x) instead")
    t.data[...] = result.data
    t._version += 1
    if recording:
        t._ctx, t.requires_grad = result._ctx, True
        t._versions = (t._version,) + result._versions[1:]
    return t
