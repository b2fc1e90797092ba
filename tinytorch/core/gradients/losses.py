# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.gradients.losses: the gradient rules of module 04's losses."""
import math

import numpy as np

from tinytorch.core.autograd import gradient


def _wants_grad(inputs):
    """True when the loss recorded its target (a Tensor) and the target requires
    grad."""
    return len(inputs) == 2 and inputs[1].requires_grad


def _per_element(grad, reduction, count):
    """dL/d(loss_i) for the reduction: grad itself for 'none' and 'sum', grad / count
    for 'mean'."""
    return grad / count if reduction == "mean" else grad


def _pointwise_grads(grad, inputs, saved, slope):
    """The gradients of a pointwise loss with per-element `slope`: w * slope for the
    input, scaled by the reduction, and minus that for a target that requires grad."""
    weight = saved.get("weight")
    if weight is not None:
        slope = slope * weight
    count = slope.size if weight is None else weight.sum()
    grad_x = _per_element(grad, saved["reduction"], count) * slope
    return grad_x, (-grad_x if _wants_grad(inputs) else None)


@gradient("mse_loss")
def _mse_loss_grad(grad, out, inputs, saved):
    """mse_loss: 2 * w * (x - y), per element."""
    return _pointwise_grads(grad, inputs, saved, 2 * (inputs[0].data - saved["target"]))


@gradient("binary_cross_entropy")
def _binary_cross_entropy_grad(grad, out, inputs, saved):
    """binary_cross_entropy: w * (x - y) / max(x * (1 - x), 1e-12), per element."""
    x, y, w = inputs[0].data, saved["target"], saved["weight"]
    slope = (x - y) / np.maximum((1 - x) * x, 1e-12)
    if w is not None:
        slope = slope * w
    scale = _per_element(grad, saved["reduction"], x.size)
    if not _wants_grad(inputs):
        return scale * slope, None
    with np.errstate(divide="ignore"):
        # -logit(x): infinite at x = 0 and 1, as in PyTorch
        slope_y = np.log1p(-x) - np.log(x)
    return scale * slope, scale * (slope_y if w is None else slope_y * w)


@gradient("binary_cross_entropy_with_logits")
def _binary_cross_entropy_with_logits_grad(grad, out, inputs, saved):
    """binary_cross_entropy_with_logits: w * ((1 - y) - (1 + (pos_weight - 1) * y) *
    sigmoid(-x))."""
    x, y, w, pos_weight = inputs[0].data, saved["target"], saved["weight"], saved[
        "pos_weight"]
    e = np.exp(-np.abs(x))
    sigmoid_neg = np.where(x >= 0, e, 1) / (1 + e)  # sigmoid(-x), without overflow
    if pos_weight is None:
        slope = (1 - y) - sigmoid_neg
    else:
        slope = (1 - y) - (1 + (pos_weight - 1) * y) * sigmoid_neg
    if w is not None:
        slope = slope * w
    scale = _per_element(grad, saved["reduction"], x.size)
    if not _wants_grad(inputs):
        return scale * slope, None
    slope_y = -x
    if pos_weight is not None:
        # softplus(-x)
        slope_y = slope_y + (pos_weight - 1) * (np.maximum(-x, 0) + np.log1p(e))
    return scale * slope, scale * (slope_y if w is None else slope_y * w)


@gradient("cross_entropy")
def _cross_entropy_grad(grad, out, inputs, saved):
    """cross_entropy: per sample, softmax * q.sum() - q, with q the target's class
    coefficients; scaled by the reduction. Logits (C,), (N, C) or (N, C, d1, ...)."""
    log_probs, target, weight = saved["log_probs"], saved["target"], saved["weight"]
    smoothing, reduction = saved["label_smoothing"], saved["reduction"]
    axis = 0 if log_probs.ndim == 1 else 1
    n_classes = log_probs.shape[axis]
    # a (C,) vector along the class axis
    class_shape = (-1,) + (1,) * (log_probs.ndim - axis - 1)
    if target.shape == log_probs.shape:  # class probabilities
        q = target * (1 - smoothing) + smoothing / n_classes
        if weight is not None:
            q = q * weight.reshape(class_shape)
        count = math.prod(target.shape[:axis] + target.shape[axis + 1:])
    else:  # class indices, some possibly equal to ignore_index
        keep = target != saved["ignore_index"]
        q = (np.arange(n_classes).reshape(class_shape) == np.expand_dims(target, axis)).astype(log_probs.dtype)
        if smoothing:
            q = q * (1 - smoothing) + smoothing / n_classes
        if weight is not None:
            q = q * weight.reshape(class_shape)
        q = q * np.expand_dims(keep, axis)
        used = keep if weight is None else np.where(keep,
                                                    weight[np.where(keep, target, 0)],
                                                    0)
        count = float(used.sum())  # a Python number, so float32 gradients stay float32
    if reduction == "none":
        grad = np.expand_dims(grad, axis)
    elif reduction == "mean":  # no sample to average (all ignored): nan, like the loss
        grad = grad / count if count else grad * np.nan
    grad_input = grad * (np.exp(log_probs) * q.sum(axis=axis, keepdims=True) - q)
    # class indices: an ignored sample's gradient is 0
    if target.shape != log_probs.shape:
        return (np.where(np.expand_dims(target != saved["ignore_index"], axis),
                         grad_input, 0), None)
    if len(inputs) == 1 or not inputs[1].requires_grad:
        return grad_input, None
    weighted = log_probs if weight is None else log_probs * weight.reshape(class_shape)
    return grad_input, -(1 - smoothing) * grad * weighted


@gradient("l1_loss")
def _l1_loss_grad(grad, out, inputs, saved):
    """l1_loss: w * sign(x - y), per element."""
    return _pointwise_grads(grad, inputs, saved, np.sign(saved["difference"]))


@gradient("smooth_l1_loss")
def _smooth_l1_loss_grad(grad, out, inputs, saved):
    """smooth_l1_loss: (x - y) / beta where |x - y| < beta, else sign(x - y)."""
    d, beta = saved["difference"], saved["beta"]
    slope = np.sign(d) if beta == 0 else np.where(np.abs(d) < beta, d / beta,
                                                  np.sign(d))
    return _pointwise_grads(grad, inputs, saved, slope)


@gradient("nll_loss")
def _nll_loss_grad(grad, out, inputs, saved):
    """nll_loss: -weight[y] at the target class of each kept sample, scaled by the
    reduction."""
    x, target, weight = inputs[0].data, saved["target"], saved["weight"]
    axis = 0 if x.ndim == 1 else 1
    keep = target != saved["ignore_index"]
    safe = np.where(keep, target, 0)
    w_y = np.where(keep, 1 if weight is None else weight[safe], 0).astype(x.dtype)
    if saved["reduction"] == "mean":
        # no sample to average (all ignored): nan, like the loss
        count = float(w_y.sum())
        grad = grad / count if count else grad * np.nan
    grad_x = np.zeros(x.shape, dtype=np.result_type(x, grad))
    np.put_along_axis(grad_x, np.expand_dims(safe, axis),
                      np.expand_dims(np.where(keep, -grad * w_y, 0), axis), axis=axis)
    return grad_x, None
