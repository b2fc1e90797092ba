# Generated from notebooks/masters/04_losses.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.losses: MSELoss, BCELoss, BCEWithLogitsLoss and CrossEntropyLoss
(module 04), as functions and as modules."""
import warnings

import numpy as np

from tinytorch.core.loss_checks import (_array, _elementwise_weight, _float_target,
                                        _input_array, _legacy_reduction, _recorded,
                                        _reduction)
from tinytorch.core.module import Module
from tinytorch.core.tensor import Tensor
from tinytorch.kernels import kernel


def _reduce(loss, reduction, weight_sum=None):
    """Reduce per-element losses: 'none' keeps them, 'sum' adds them up, 'mean' divides
    the sum by the number of elements, or by `weight_sum` when it is given (a weighted
    mean)."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return np.asarray(total)
    count = loss.size if weight_sum is None else weight_sum
    if count == 0:  # an empty mean (or all weights 0): 0 / 0 = nan, as in PyTorch
        return np.asarray(np.nan, dtype=np.result_type(total))
    return np.asarray(total / count)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean",
             weight=None):
    """Mean squared error between input and target.

    input: any shape (*); target: the same shape (another shape broadcasts, with a
        warning);
    weight: optional, the input's shape; the mean is then sum(w * err**2) / sum(w).
    Output: () for 'mean' and 'sum'; the broadcast shape of input and target for 'none'.
    Gradient: `_mse_loss_grad` in core/gradients/losses.py (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    x = _input_array("mse_loss", input)
    y = _array(target, x.dtype)
    if y.shape != x.shape:
        try:
            shape = np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise RuntimeError(f"mse_loss: input {x.shape} and target {y.shape} cannot "
                               "be broadcast together") from None
        warnings.warn(f"mse_loss: target {y.shape} differs from input {x.shape}; they "
                      f"broadcast to {shape}, which is rarely what you want",
                      stacklevel=2)
    w = None if weight is None else _array(weight, x.dtype)
    if w is not None and w.shape != x.shape:
        raise ValueError(f"mse_loss: weight {w.shape} and input {x.shape} must have "
                         "the same shape")
    squared = (x - y) ** 2
    if w is None:
        out = _reduce(squared, reduction)
    else:
        out = _reduce(squared * w, reduction, w.sum())
    return Tensor.from_op(out, "mse_loss",
                          _recorded("mse_loss", input, target, weight=weight),
                          {"target": y, "weight": w, "reduction": reduction})


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy between probabilities `input` and targets in [0, 1].

    input, target: the same shape (*); each log is clamped at -100, as in PyTorch.
    weight: broadcasts to (*) and multiplies each element's loss.
    Output: () for 'mean' and 'sum'; (*) for 'none'.
    Gradient: `_binary_cross_entropy_grad` in core/gradients/losses.py (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    x = _input_array("binary_cross_entropy", input)
    _float_target("binary_cross_entropy", target)
    y = _array(target, x.dtype)
    if y.shape != x.shape:
        raise ValueError(f"binary_cross_entropy: target {y.shape} and input {x.shape} "
                         f"must have the same shape")
    if not np.all((x >= 0) & (x <= 1)):
        raise RuntimeError("binary_cross_entropy: all elements of input should be "
                           "between 0 and 1 (probabilities); for raw scores use "
                           "binary_cross_entropy_with_logits")
    if not np.all((y >= 0) & (y <= 1)):
        raise RuntimeError("binary_cross_entropy: all elements of target should be "
                           "between 0 and 1")
    w = _elementwise_weight("binary_cross_entropy", "weight", weight, x.shape, x.dtype)
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
        log_p = np.maximum(np.log(x), -100)
        log_not_p = np.maximum(np.log1p(-x), -100)
    loss = -(y * log_p + (1 - y) * log_not_p)
    if w is not None:
        loss = loss * w
    out = _reduce(loss, reduction)
    return Tensor.from_op(out, "binary_cross_entropy",
                          _recorded("binary_cross_entropy", input, target,
                                    weight=weight),
                          {"target": y, "weight": w, "reduction": reduction})


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(input) against target, computed stably from the
    logits.

    input (logits), target: the same shape (*); weight broadcasts to (*);
    pos_weight: weight of the positive class, broadcast along the last dimension, e.g.
        (C,).
    Output: () for 'mean' and 'sum'; (*) for 'none'.
    Gradient: `_binary_cross_entropy_with_logits_grad` in core/gradients/losses.py
        (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    x = _input_array("binary_cross_entropy_with_logits", input)
    _float_target("binary_cross_entropy_with_logits", target)
    y = _array(target, x.dtype)
    if y.shape != x.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target {y.shape} and "
                         f"input {x.shape} must have the same shape")
    w = _elementwise_weight("binary_cross_entropy_with_logits", "weight", weight,
                            x.shape, x.dtype)
    pw = _elementwise_weight("binary_cross_entropy_with_logits", "pos_weight",
                             pos_weight, x.shape, x.dtype)
    # log(1 + exp(-x)), stable
    softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
    if pw is None:
        loss = (1 - y) * x + softplus_neg
    else:
        loss = (1 - y) * x + (1 + (pw - 1) * y) * softplus_neg
    if w is not None:
        loss = loss * w
    out = _reduce(loss, reduction)
    recorded = _recorded("binary_cross_entropy_with_logits", input, target,
                         weight=weight, pos_weight=pos_weight)
    return Tensor.from_op(out, "binary_cross_entropy_with_logits", recorded,
                          {"target": y, "weight": w,
                          "pos_weight": pw, "reduction": reduction})


def _index_shape(input_shape):
    """Shape of class-index targets for an input of `input_shape`: the class dimension
    removed."""
    return input_shape[:1] + input_shape[2:] if len(input_shape) > 1 else ()


def _class_weights(weight, n_classes, dtype):
    """Per-class weights as an array of shape (C,), or None."""
    if weight is None:
        return None
    w = _array(weight, dtype)
    if w.shape != (n_classes,):
        raise RuntimeError("cross_entropy: weight should have one entry per class, "
                           f"shape ({n_classes},), but has shape {w.shape}")
    return w


def _class_indices(target, input_shape, ignore_index):
    """Check class-index targets against the input's shape and number of classes; return
    int64."""
    expected = _index_shape(input_shape)
    if target.shape != expected:
        batched = len(input_shape) > 1 and target.ndim > 0
        if batched and target.shape[0] != input_shape[0]:
            raise ValueError(f"cross_entropy: input {input_shape} and target "
                             f"{target.shape} disagree on batch size ({input_shape[0]} "
                             f"vs {target.shape[0]})")
        raise RuntimeError(f"cross_entropy: target {target.shape} does not fit input "
                           f"{input_shape}: class indices need shape {expected}, class "
                           f"probabilities shape {input_shape}")
    if target.dtype.kind == "f":
        whole = np.isfinite(target) & (target == np.round(target))
        if not whole.all():
            raise RuntimeError("cross_entropy: class indices must be whole numbers, "
                               f"but the target holds {target[~whole].flat[0]}; class "
                               f"probabilities need the input's shape {input_shape}")
    elif target.dtype.kind not in "iu":
        raise RuntimeError("cross_entropy: class indices must be integers, not "
                           f"{target.dtype}")
    target = target.astype(np.int64, copy=False)
    n_classes = input_shape[0 if len(input_shape) == 1 else 1]
    # then find the culprit
    if target.size and (target.min() < 0 or target.max() >= n_classes):
        bad = (target != ignore_index) & ((target < 0) | (target >= n_classes))
        if bad.any():
            raise IndexError(f"cross_entropy: target {target[bad].flat[0]} is out of "
                             f"range for {n_classes} classes (expected 0 to "
                             f"{n_classes - 1}, or ignore_index={ignore_index})")
    return target


def _class_probabilities(target, input_shape, dtype):
    """Check class-probability targets (the input's shape, floating point)."""
    if target.dtype.kind != "f":
        raise RuntimeError("cross_entropy: a target with the input's shape "
                           f"{input_shape} holds class probabilities and must be "
                           f"floating point, not {target.dtype}; class indices have "
                           f"shape {_index_shape(input_shape)}")
    return target.astype(dtype, copy=False)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between softmax(input) over the class dimension and the target.

    input:  logits (C,), (N, C) or (N, C, d1, ...): the classes are dimension 1 (0 if
            unbatched).
    target: class indices of shape (), (N,) or (N, d1, ...), integers or whole-number
            floats; or class probabilities with the input's shape.
    weight: (C,) per-class weights.
    ignore_index: class-index targets equal to it are skipped.
    label_smoothing: in [0, 1]; mixes the target with the uniform distribution.
    Output: () for 'mean' and 'sum'; the target's shape without classes for 'none'.
    Gradient: `_cross_entropy_grad` in core/gradients/losses.py (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError("cross_entropy: label_smoothing must be between 0.0 and "
                           f"1.0, got {label_smoothing}")
    smoothing = max(label_smoothing, 0.0)  # PyTorch: a negative value, no smoothing
    x = _input_array("cross_entropy", input)
    if x.ndim == 0:
        raise IndexError("cross_entropy: input of shape () has no class dimension; "
                         "expected (C,), (N, C) or (N, C, d1, ...)")
    axis = 0 if x.ndim == 1 else 1
    n_classes = x.shape[axis]
    w = _class_weights(weight, n_classes, x.dtype)
    t = _array(target)
    is_probabilities = t.shape == x.shape
    t = (_class_probabilities(t, x.shape, x.dtype) if is_probabilities
         else _class_indices(t, x.shape, ignore_index))
    log_probs = _log_softmax(x, axis)
    if is_probabilities:
        smoothed = t * (1 - smoothing) + smoothing / n_classes
        loss, weight_sum = _soft_target_loss(log_probs, smoothed, w, axis), None
    else:
        loss, weight_sum = _class_index_loss(log_probs, t, w, ignore_index, axis)
        if smoothing > 0:
            uniform = _soft_target_loss(log_probs, 1 / n_classes, w, axis)
            uniform = np.where(t == ignore_index, 0, uniform)
            loss = (1 - smoothing) * loss + smoothing * uniform
    recorded = _recorded("cross_entropy", input, target, weight=weight)
    saved = {"log_probs": log_probs, "target": t, "weight": w,
             "ignore_index": ignore_index, "reduction": reduction,
             "label_smoothing": smoothing}
    return Tensor.from_op(_reduce(loss, reduction, weight_sum), "cross_entropy",
                          recorded, saved)


def _log_softmax(x, axis):
    """log(softmax(x)) along `axis`, stable for any finite logits (log-sum-exp)."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _class_index_loss(log_probs, target, weight, ignore_index, axis):
    """Per-sample loss -weight[y] * log_probs[y] and the sum of the weights used.

    log_probs: (C,) or (N, C, d1, ...); target: int64 class indices, () or (N, d1, ...);
    weight: (C,) or None. Targets equal to ignore_index get loss 0 and weight 0.
    Returns (loss with the target's shape, weight_sum), weight_sum being the mean's
    denominator.
    """
    keep = target != ignore_index
    safe = np.where(keep, target, 0)  # a valid class for ignored targets; masked below
    index = np.expand_dims(safe, axis)
    picked = np.take_along_axis(log_probs, index, axis=axis).squeeze(axis)
    w_y = 1 if weight is None else weight[safe]  # each target's class weight
    w_y = np.where(keep, w_y, 0).astype(log_probs.dtype)
    return np.where(keep, -w_y * picked, 0), w_y.sum()


def _soft_target_loss(log_probs, probs, weight, axis):
    """Per-sample cross-entropy against a distribution: -sum over classes of
    w * q * log p.

    log_probs: (C,) or (N, C, d1, ...); probs: broadcasts against it (an array, or a
    number such as 1/C); weight: (C,) or None. Returns log_probs' shape without the
    class axis.
    """
    terms = probs * log_probs
    if weight is not None:
        per_class = weight.reshape((-1,) + (1,) * (log_probs.ndim - axis - 1))
        terms = terms * per_class  # weight as (C, 1, ..., 1)
    return -terms.sum(axis=axis)


class _Loss(Module):
    """Base class of the losses: stores `reduction` ('none' | 'mean' | 'sum')."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = _legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    """A loss with an optional `weight` tensor."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.weight = weight


class MSELoss(_Loss):
    """Mean squared error, see `mse_loss`. input (*), target (*) -> (), or (*) with
    reduction 'none'."""

    def forward(self, input, target):
        return mse_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities, see `binary_cross_entropy`."""

    def forward(self, input, target):
        return binary_cross_entropy(input, target, weight=self.weight,
                                    reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one stable step, see
    `binary_cross_entropy_with_logits`."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                reduction=self.reduction,
                                                pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Log-softmax and negative log-likelihood in one stable step, see `cross_entropy`.

    input (N, C) / (C,) / (N, C, d1, ...) logits; target class indices (N,) / () /
    (N, d1, ...) or probabilities shaped like input. Output () or, with 'none', the
    target's sample shape.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        # kernel(cross_entropy): a registered faster equal version of the package's
        # cross_entropy for the common case (tinytorch.accel, module 17), or
        # cross_entropy itself.
        return kernel(cross_entropy)(input, target, weight=self.weight,
                                     ignore_index=self.ignore_index,
                                     reduction=self.reduction,
                                     label_smoothing=self.label_smoothing)
