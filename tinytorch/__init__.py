"""tinytorch: a deep-learning framework built from scratch with NumPy, one module at a time."""
from tinytorch.core.tensor import Tensor
from tinytorch.core.creation import tensor, zeros, ones, rand, randn, manual_seed
from tinytorch.core.grad_mode import is_grad_enabled, set_grad_enabled
from tinytorch.core.autograd import no_grad, enable_grad
from tinytorch.core import gradients  # noqa: F401  registers every gradient rule (module 06)
from tinytorch import nn, optim, data, training
from tinytorch import accel  # noqa: F401  last: registers the fast kernels (see tinytorch.kernels)

__version__ = "0.1.0"
