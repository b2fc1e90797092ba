# Generated from notebooks/masters/04_losses.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.loss_checks: what every loss of module 04 does to its arguments first:
check the reduction and the tensors, and turn them into NumPy arrays."""
import warnings

import numpy as np

from tinytorch.core.tensor import Tensor


def _legacy_reduction(size_average, reduce, reduction, stacklevel=3):
    """The reduction named by PyTorch's deprecated size_average/reduce flags, if either
    is given."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is None or reduce:
        reduction = "mean" if size_average is None or size_average else "sum"
    else:
        reduction = "none"
    warnings.warn("size_average and reduce args will be deprecated, "
                  f"please use reduction='{reduction}' instead.", stacklevel=stacklevel)
    return reduction


def _reduction(size_average, reduce, reduction):
    """The reduction to apply, checked: 'none', 'mean' or 'sum'."""
    reduction = _legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(expected 'none', 'mean' or 'sum')")
    return reduction


def _input_array(name, input):
    """The input tensor's values as floats (integer tensors become float32)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, not {type(input).__name__}")
    return input.data if input.dtype.kind == "f" else input.data.astype(np.float32)


def _recorded(name, input, target, **weights):
    """The Tensors a loss records: input, and target when it is a Tensor, so that a
    target that requires grad gets its gradient too, as in PyTorch. A weight that
    requires grad raises
    RuntimeError: the losses are not differentiable with respect to their weights."""
    for arg, w in weights.items():
        if isinstance(w, Tensor) and w.requires_grad:
            raise RuntimeError(f"{name}: the loss is not differentiable with respect "
                               f"to {arg}, which requires grad; pass {arg}.detach()")
    return (input, target) if isinstance(target, Tensor) else (input,)


def _float_target(name, target):
    """Refuse a target Tensor that is not floating point, as PyTorch's binary losses
    do."""
    if isinstance(target, Tensor) and target.dtype.kind != "f":
        raise RuntimeError(f"{name}: target must be floating point like the input, not "
                           f"{target.dtype}; convert it, e.g. Tensor(target)")


def _array(x, dtype=None):
    """The values of a Tensor, array or list as a NumPy array."""
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=dtype)


def _elementwise_weight(name, arg, weight, shape, dtype):
    """A weight that multiplies the per-element loss: it must broadcast to the input's
    shape."""
    if weight is None:
        return None
    w = _array(weight, dtype)
    try:
        np.broadcast_to(w, shape)
    except ValueError:
        raise RuntimeError(f"{name}: {arg} of shape {w.shape} cannot be broadcast to "
                           f"the input's shape {shape}") from None
    return w
