"""Fused cross-entropy for the common case: class indices, (N, C) logits, nothing else.

The plain `cross_entropy` (module 04) handles every case: class probabilities, extra dimensions,
class weights, ignored targets, label smoothing. Its per-sample pick and its gradient build the
general machinery (a mask of kept targets, per-sample weights, a q matrix of target coefficients)
even when none of it is used. Here the usual classifier call, `CrossEntropyLoss()(logits, labels)`
with labels of shape (N,), is one recorded op, "softmax_cross_entropy", whose forward keeps
exp(x − max) for the backward, and whose rule is softmax − one_hot, made in place in one fresh
array. Any other call runs the plain function. Measured (forward + backward, float32, 1 thread):
64×10 logits 31 µs instead of 60 µs, 256×1000 0.37 ms instead of 2.7 ms; figures for every kernel
in `tinytorch.accel`.
"""
import numpy as np

from tinytorch.core.autograd import gradient
from tinytorch.core.losses import _array, cross_entropy
from tinytorch.core.tensor import Tensor
from tinytorch.kernels import replaces


def _common_case_targets(input, target, weight, size_average, ignore_index, reduce, reduction,
                         label_smoothing):
    """The int64 targets when the common case applies, else None (the plain path)."""
    if (weight is not None or size_average is not None or reduce is not None or label_smoothing != 0
            or reduction not in ("mean", "sum", "none") or not isinstance(input, Tensor)):
        return None
    x = input.data
    if x.ndim != 2 or x.dtype.kind != "f" or len(x) == 0:
        return None
    t = _array(target)
    if t.shape != x.shape[:1] or t.dtype.kind not in "iu":
        return None
    if t.min() < 0 or t.max() >= x.shape[1]:  # out of range, or ignore_index: the plain path decides
        return None
    if 0 <= ignore_index < x.shape[1] and (t == ignore_index).any():
        return None
    return t.astype(np.int64, copy=False)


@replaces(cross_entropy)
def fused_cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                        reduction="mean", label_smoothing=0.0):
    """cross_entropy as one recorded op for class-index targets and (N, C) logits; else the plain one.
    Saves about half of forward + backward at 64×10, 86% at 256×1000 (measured: see the module
    docstring)."""
    t = _common_case_targets(input, target, weight, size_average, ignore_index, reduce, reduction,
                             label_smoothing)
    if t is None:
        return cross_entropy(input, target, weight, size_average, ignore_index, reduce, reduction,
                             label_smoothing)
    x = input.data
    rows = np.arange(len(t))
    e = x - x.max(axis=1, keepdims=True)  # the shifted logits, then their exponentials in place
    picked = e[rows, t]
    np.exp(e, out=e)
    total = e.sum(axis=1)
    loss = np.log(total)
    loss -= picked  # per sample: log Σ exp(x − max) − (x_y − max)
    if reduction == "sum":
        loss = np.asarray(loss.sum())
    elif reduction == "mean":
        loss = np.asarray(loss.sum() / x.dtype.type(len(t)))
    return Tensor.from_op(loss, "softmax_cross_entropy", (input,),
                          {"exp": e, "total": total, "target": t, "rows": rows, "reduction": reduction})


@gradient("softmax_cross_entropy")
def _fused_cross_entropy_grad(grad, out, inputs, saved):
    """Per sample, softmax − one_hot(target), times dL/d(loss_i): one fresh (N, C) array, the one-hot
    part subtracted in place at the N target entries."""
    e, total, t, rows = saved["exp"], saved["total"], saved["target"], saved["rows"]
    reduction = saved["reduction"]
    if reduction == "none":
        scale = grad / total  # (N,): dL/d(loss_i) / Σ exp
        d = e * scale[:, None]
        d[rows, t] -= grad
    else:
        g = grad / len(t) if reduction == "mean" else grad  # a 0-d array: the same for every sample
        d = e * (g / total)[:, None]
        d[rows, t] -= g
    return (d,)
