"""tinytorch: a deep-learning framework built from scratch with NumPy, one module at a time."""
from tinytorch.core.tensor import Tensor
from tinytorch.core.creation import tensor, zeros, ones, rand, randn, manual_seed
from tinytorch.core.creation import arange, full, zeros_like, ones_like, randn_like
from tinytorch.core.joining import cat, stack
from tinytorch.core.selection import where, masked_fill, clamp, maximum, minimum
from tinytorch.core.shape import squeeze, unsqueeze, flatten, clone
from tinytorch.core.reductions import argmin, var, std, cumsum, norm
from tinytorch.core.grad_mode import is_grad_enabled, set_grad_enabled
from tinytorch.core.autograd import no_grad, enable_grad
from tinytorch.core import gradients  # noqa: F401  registers every gradient rule (module 06)
from tinytorch import nn, optim, data, training


def _as_method(name):
    """torch.<name>(input, ...) for a method with PyTorch's signature: input.<name>(...)."""
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}: input.{name}(...); see Tensor.{name}."
    return function


max, min, amax, amin, argmax = (_as_method(n) for n in ("max", "min", "amax", "amin", "argmax"))
from tinytorch import accel  # noqa: F401  last: registers the fast kernels (see tinytorch.kernels)

__version__ = "0.1.0"
