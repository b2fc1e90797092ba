# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.creation: tensors made from a shape or from data, and the shared
random generator."""
import math

import numpy as np

from tinytorch.core.dtypes import _SCALAR_DTYPE, _data
from tinytorch.core.shape import _size_args
from tinytorch.core.tensor import Tensor


_generator = np.random.default_rng()


def manual_seed(seed):
    """Reseed the generator that rand, randn, weight init, dropout and shuffling draw
    from."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator():
    """The shared np.random.Generator (replaced by manual_seed)."""
    return _generator


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3)); float32 unless dtype is
    given."""
    return Tensor(np.zeros(_size_args(size)), dtype=dtype, requires_grad=requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones: ones(2, 3) or ones((2, 3)); float32 unless dtype is given."""
    return Tensor(np.ones(_size_args(size)), dtype=dtype, requires_grad=requires_grad)


def rand(*size, requires_grad=False):
    """Samples from the uniform distribution on [0, 1), float32."""
    return (Tensor(_generator.random(_size_args(size), dtype=np.float32),
                   requires_grad=requires_grad))


def randn(*size, requires_grad=False):
    """Samples from the standard normal distribution (mean 0, standard deviation 1),
    float32."""
    return Tensor(_generator.standard_normal(_size_args(size), dtype=np.float32),
                  requires_grad=requires_grad)


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor whose dtype, when not given, is inferred like torch.tensor's.

    Python bools give bool, ints int64 and floats float32; NumPy arrays and Tensors keep
    theirs.
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


def arange(start, end=None, step=1, *, dtype=None, requires_grad=False):
    """start, start + step, ... up to but not including end; arange(n) counts from 0 to
    n - 1. int64 when start, end and step are all integers, else float32 (values start +
    i * step, in float64 first). RuntimeError for step 0 or a step that points away from
    end."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: step {step} points away from end: cannot go from "
                           f"{start} to {end}")
    floating = any(np.asarray(_data(v)).dtype.kind == "f" for v in (start, end, step))
    count = math.ceil((end - start) / step)
    values = start + np.arange(count) * (np.float64(step) if floating else step)
    if dtype is None:
        dtype = np.float32 if floating else np.int64
    return Tensor(values, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, requires_grad=False):
    """A tensor of shape `size` (a tuple) filled with fill_value, whose dtype, when not
    given, is inferred like tensor's: bool for a bool, int64 for an int, float32 for a
    float."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full: size must be a tuple of ints, got "
                        f"{type(size).__name__}; write full((n,), value)")
    dtype = tensor(fill_value).dtype if dtype is None else dtype
    return (Tensor(np.full(tuple(size), _data(fill_value)), dtype=dtype,
                   requires_grad=requires_grad))


def zeros_like(input, *, dtype=None, requires_grad=False):
    """Zeros of input's shape and (unless given) dtype."""
    return (zeros(input.shape, dtype=input.dtype if dtype is None else dtype,
                  requires_grad=requires_grad))


def ones_like(input, *, dtype=None, requires_grad=False):
    """Ones of input's shape and (unless given) dtype."""
    return (ones(input.shape, dtype=input.dtype if dtype is None else dtype,
                 requires_grad=requires_grad))


def randn_like(input, *, dtype=None, requires_grad=False):
    """Standard normal samples of input's shape and (unless given) dtype, which must be
    floating point."""
    dtype = np.dtype(input.dtype if dtype is None else dtype)
    if dtype.kind != "f":
        raise NotImplementedError(f"randn_like: normal samples need a floating-point "
                                  f"dtype, got {dtype} (pass dtype=np.float32)")
    drawn = _generator.standard_normal(
        input.shape, dtype=np.float32 if dtype == np.float32 else np.float64)
    return Tensor(drawn, dtype=dtype, requires_grad=requires_grad)
