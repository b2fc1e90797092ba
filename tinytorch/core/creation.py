# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.creation: tensors made from a shape or from data, and the shared random generator."""
import numpy as np

from tinytorch.core.dtypes import _SCALAR_DTYPE
from tinytorch.core.tensor import Tensor, _size_args


_generator = np.random.default_rng()


def manual_seed(seed):
    """Reseed the generator that rand, randn, weight init, dropout and shuffling draw from."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator():
    """The shared np.random.Generator (replaced by manual_seed)."""
    return _generator


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3)); float32 unless dtype is given."""
    return Tensor(np.zeros(_size_args(size)), dtype=dtype, requires_grad=requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones: ones(2, 3) or ones((2, 3)); float32 unless dtype is given."""
    return Tensor(np.ones(_size_args(size)), dtype=dtype, requires_grad=requires_grad)


def rand(*size, requires_grad=False):
    """Samples from the uniform distribution on [0, 1), float32."""
    return Tensor(_generator.random(_size_args(size), dtype=np.float32), requires_grad=requires_grad)


def randn(*size, requires_grad=False):
    """Samples from the standard normal distribution (mean 0, standard deviation 1), float32."""
    return Tensor(_generator.standard_normal(_size_args(size), dtype=np.float32),
                  requires_grad=requires_grad)


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor whose dtype, when not given, is inferred like torch.tensor's.

    Python bools give bool, ints int64 and floats float32; NumPy arrays and Tensors keep theirs.
    """
    if dtype is None:
        if isinstance(data, (Tensor, np.ndarray, np.generic)):
            dtype = data.dtype
        else:
            try:
                dtype = _SCALAR_DTYPE.get(np.asarray(data).dtype.kind, np.float32)
            except ValueError:  # ragged lists: Tensor's own error says what is wrong
                dtype = None
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
