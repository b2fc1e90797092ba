# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.gradients.activations: the gradient rules of module 02's
activations."""
import math

import numpy as np

from tinytorch.core.activations import erfc
from tinytorch.core.autograd import gradient


@gradient("relu")
def _relu_grad(grad, out, inputs, saved):
    """relu: 0 where the output is <= 0, else 1 (also at nan, as in PyTorch)."""
    return (np.where(saved["out"] <= 0, 0, grad),)


@gradient("sigmoid")
def _sigmoid_grad(grad, out, inputs, saved):
    """sigmoid: s * (1 - s) with s the saved output."""
    s = saved["out"]
    return (grad * s * (1 - s),)


@gradient("tanh")
def _tanh_grad(grad, out, inputs, saved):
    """tanh: 1 - t**2 with t the saved output."""
    t = saved["out"]
    return (grad * (1 - t * t),)


@gradient("erf")
def _erf_grad(grad, out, inputs, saved):
    """erf: 2 / sqrt(pi) * exp(-x**2)."""
    x = inputs[0].data
    return (grad * (2 / math.sqrt(math.pi)) * np.exp(-x * x),)


@gradient("gelu")
def _gelu_grad(grad, out, inputs, saved):
    """gelu: Phi(x) + x * phi(x), or the derivative of the tanh approximation."""
    x = inputs[0].data
    if saved["approximate"] == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x * x * x))
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    else:
        z = x.astype(np.float64)
        slope = 0.5 * erfc(-z / math.sqrt(2), exact=x.dtype == np.float64) + z * np.exp(
            -0.5 * z * z) / math.sqrt(2 * math.pi)
    return (grad * slope,)


@gradient("leaky_relu")
def _leaky_relu_grad(grad, out, inputs, saved):
    """leaky_relu: 1 where the input is > 0, else negative_slope."""
    x = inputs[0].data
    return (np.where(x > 0, grad,
                     grad * np.asarray(saved["negative_slope"], dtype=grad.dtype)),)


@gradient("silu")
def _silu_grad(grad, out, inputs, saved):
    """silu: s * (1 + x * (1 - s)) with s = sigmoid(x) saved by the forward."""
    s = saved["sigmoid"]
    return (grad * s * (1 + inputs[0].data * (1 - s)),)


@gradient("softmax")
def _softmax_grad(grad, out, inputs, saved):
    """softmax: s * (grad - sum(grad * s, dim)) with s the saved output."""
    s, g = np.atleast_1d(saved["out"]), np.atleast_1d(grad)
    return ((s * (g - (g * s).sum(axis=saved["dim"],
                                  keepdims=True))).reshape(grad.shape),)


@gradient("log_softmax")
def _log_softmax_grad(grad, out, inputs, saved):
    """log_softmax: grad - exp(out) * sum(grad, dim)."""
    log_s, g = np.atleast_1d(saved["out"]), np.atleast_1d(grad)
    return ((g - np.exp(log_s) * g.sum(axis=saved["dim"],
                                       keepdims=True)).reshape(grad.shape),)
