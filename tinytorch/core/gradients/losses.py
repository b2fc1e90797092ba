# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.gradients.losses: the gradient rules of module 04's losses."""
import math

import numpy as np

from tinytorch.core.autograd import gradient


def _per_element(grad, reduction, count):
    """dL/d(loss_i) for the reduction: grad itself for 'none' and 'sum', grad / count for 'mean'."""
    return grad / count if reduction == "mean" else grad


@gradient("mse_loss")
def _mse_loss_grad(grad, out, inputs, saved):
    """mse_loss: 2 * w * (x - y), per element."""
    x, y, w = inputs[0].data, saved["target"], saved["weight"]
    slope = 2 * (x - y)
    if w is not None:
        slope = slope * w
    count = slope.size if w is None else w.sum()
    return (_per_element(grad, saved["reduction"], count) * slope,)


@gradient("binary_cross_entropy")
def _binary_cross_entropy_grad(grad, out, inputs, saved):
    """binary_cross_entropy: w * (x - y) / max(x * (1 - x), 1e-12), per element."""
    x, y, w = inputs[0].data, saved["target"], saved["weight"]
    slope = (x - y) / np.maximum((1 - x) * x, 1e-12)
    if w is not None:
        slope = slope * w
    return (_per_element(grad, saved["reduction"], x.size) * slope,)


@gradient("binary_cross_entropy_with_logits")
def _binary_cross_entropy_with_logits_grad(grad, out, inputs, saved):
    """binary_cross_entropy_with_logits: w * ((1 - y) - (1 + (pos_weight - 1) * y) * sigmoid(-x))."""
    x, y, w, pos_weight = inputs[0].data, saved["target"], saved["weight"], saved["pos_weight"]
    e = np.exp(-np.abs(x))
    sigmoid_neg = np.where(x >= 0, e, 1) / (1 + e)  # sigmoid(-x), without overflow
    if pos_weight is None:
        slope = (1 - y) - sigmoid_neg
    else:
        slope = (1 - y) - (1 + (pos_weight - 1) * y) * sigmoid_neg
    if w is not None:
        slope = slope * w
    return (_per_element(grad, saved["reduction"], x.size) * slope,)


@gradient("cross_entropy")
def _cross_entropy_grad(grad, out, inputs, saved):
    """cross_entropy: per sample, softmax * q.sum() - q, with q the target's class coefficients;
    scaled by the reduction. Logits (C,), (N, C) or (N, C, d1, ...)."""
    log_probs, target, weight = saved["log_probs"], saved["target"], saved["weight"]
    smoothing, reduction = saved["label_smoothing"], saved["reduction"]
    axis = 0 if log_probs.ndim == 1 else 1
    n_classes = log_probs.shape[axis]
    class_shape = (-1,) + (1,) * (log_probs.ndim - axis - 1)  # a (C,) vector along the class axis
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
        used = keep if weight is None else np.where(keep, weight[np.where(keep, target, 0)], 0)
        count = float(used.sum())  # a Python number, so float32 gradients stay float32
    if reduction == "none":
        grad = np.expand_dims(grad, axis)
    elif reduction == "mean":
        grad = grad / count
    return (grad * (np.exp(log_probs) * q.sum(axis=axis, keepdims=True) - q),)
