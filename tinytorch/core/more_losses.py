# Generated from notebooks/masters/04_losses.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.more_losses: L1Loss, SmoothL1Loss and NLLLoss (module 04), built on
core.losses and core.loss_checks."""
import warnings

import numpy as np

from tinytorch.core.loss_checks import _array, _input_array, _recorded, _reduction
from tinytorch.core.losses import (_Loss, _WeightedLoss, _class_index_loss,
                                   _class_indices, _class_weights, _reduce)
from tinytorch.core.tensor import Tensor


def _difference(name, input, target):
    """(x, x - y) for a pointwise loss; a target of another shape broadcasts, with
    PyTorch's warning."""
    x = _input_array(name, input)
    y = _array(target, x.dtype)
    if y.shape != x.shape:
        warnings.warn(f"Using a target size ({y.shape}) that is different to the input "
                      f"size ({x.shape}). This will likely lead to incorrect results "
                      "due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise RuntimeError(f"{name}: input {x.shape} and target {y.shape} cannot "
                               "be broadcast together") from None
    return x, x - y


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
            weight=None):
    """Mean absolute error |input - target|.

    input: any shape; target: the same (another shape broadcasts, with a warning);
        weight: optional,
    the input's shape: the mean is then sum(w * |d|) / sum(w).
    Output: () for 'mean' and 'sum'; the broadcast shape for 'none'.
    Gradient: `_l1_loss_grad` in core/gradients/losses.py (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, d = _difference("l1_loss", input, target)
    w = None if weight is None else _array(weight, x.dtype)
    if w is not None and w.shape != x.shape:
        raise ValueError("Weights and input must have the same size.")
    out = _reduce(np.abs(d),
                  reduction) if w is None else _reduce(np.abs(d) * w, reduction,
                                                       w.sum())
    return Tensor.from_op(out, "l1_loss",
                          _recorded("l1_loss", input, target, weight=weight),
                          {"difference": d, "weight": w, "reduction": reduction})


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    """0.5 * d**2 / beta where |d| < beta, else |d| - 0.5 * beta, with d = input -
    target (beta=0: L1).

    Shapes as l1_loss. Gradient: `_smooth_l1_loss_grad` in core/gradients/losses.py
        (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _, d = _difference("smooth_l1_loss", input, target)
    size = np.abs(d)
    loss = size if beta == 0 else np.where(size < beta, 0.5 * d * d / beta,
                                           size - 0.5 * beta)
    return Tensor.from_op(_reduce(loss, reduction), "smooth_l1_loss",
                          _recorded("smooth_l1_loss", input, target),
                          {"difference": d, "beta": beta, "reduction": reduction})


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100,
             reduce=None, reduction="mean"):
    """Negative log-likelihood -weight[y] * input[y] of class indices, for inputs that
    are log-probabilities.

    input: (C,), (N, C) or (N, C, d1, ...); target: class indices (), (N,) or (N, d1,
        ...);
    weight: (C,); ignore_index: targets equal to it are skipped; 'mean' divides by the
        weights used.
    Gradient: `_nll_loss_grad` in core/gradients/losses.py (module 06).
    """
    reduction = _reduction(size_average, reduce, reduction)
    x = _input_array("nll_loss", input)
    if x.ndim == 0:
        raise IndexError("nll_loss: input of shape () has no class dimension; expected "
                         "(C,), (N, C) or (N, C, d1, ...)")
    axis = 0 if x.ndim == 1 else 1
    w = _class_weights(weight, x.shape[axis], x.dtype)
    t = _class_indices(_array(target), x.shape, ignore_index)
    loss, weight_sum = _class_index_loss(x, t, w, ignore_index, axis)
    return Tensor.from_op(_reduce(loss, reduction, weight_sum), "nll_loss",
                          _recorded("nll_loss", input, target, weight=weight),
                          {"target": t, "weight": w, "ignore_index": ignore_index,
                           "reduction": reduction})


class L1Loss(_Loss):
    """l1_loss as a module: L1Loss(reduction='mean')(input, target)."""

    def forward(self, input, target):
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """smooth_l1_loss as a module: SmoothL1Loss(reduction='mean', beta=1.0)(input,
    target)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class NLLLoss(_WeightedLoss):
    """nll_loss as a module: NLLLoss(weight=None, ignore_index=-100,
    reduction='mean')(log_probs, target)."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return (nll_loss(input, target, weight=self.weight,
                         ignore_index=self.ignore_index, reduction=self.reduction))
