"""tinytorch: a deep-learning framework built from scratch with NumPy, one module at a time."""
from tinytorch.core.tensor import (Tensor, tensor, zeros, ones, rand, randn, manual_seed,
                                   is_grad_enabled, set_grad_enabled)
from tinytorch.core.autograd import no_grad, enable_grad
from tinytorch import nn, optim, data, training

__version__ = "0.1.0"
