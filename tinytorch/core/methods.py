# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.methods: TensorMethods, the Tensor methods of section 9's ops
(one-line delegations that Tensor inherits, so that core/tensor.py stays short)."""
from tinytorch.core.dtypes import to
from tinytorch.core.reductions import (amax, amin, argmin, cumsum, max_dim, min_dim,
                                       norm, std, var)
from tinytorch.core.selection import clamp, masked_fill, maximum, minimum, where
from tinytorch.core.shape import _size_args, clone, expand, flatten, squeeze, unsqueeze


def _max_or_min(t, dim, keepdim, axis, keepdims, reduce, along, elementwise):
    """t.max / t.min: of everything (no dim), (values, indices) along dim, elementwise
    against a Tensor, or the values only for NumPy's keywords (axis, keepdims)."""
    if hasattr(dim, "from_op"):
        return elementwise(t, dim)
    if axis is not None or keepdims is not None:
        return reduce(t, axis, bool(keepdims))
    return reduce(t) if dim is None else along(t, dim, keepdim)


class TensorMethods:
    """PyTorch's Tensor methods for the ops of section 9 (and max, min); Tensor inherits
    them."""

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _max_or_min(self, dim, keepdim, axis, keepdims, amax, max_dim, maximum)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _max_or_min(self, dim, keepdim, axis, keepdims, amin, min_dim, minimum)

    def amax(self, dim=(), keepdim=False): return amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return amin(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return argmin(self, dim, keepdim)
    def maximum(self, other): return maximum(self, other)
    def minimum(self, other): return minimum(self, other)
    def clamp(self, min=None, max=None): return clamp(self, min, max)
    def where(self, condition, other): return where(condition, self, other)
    def masked_fill(self, mask, value): return masked_fill(self, mask, value)
    def cumsum(self, dim, dtype=None): return cumsum(self, dim, dtype)
    def norm(self, p="fro", dim=None, keepdim=False): return norm(self, p, dim, keepdim)
    def squeeze(self, dim=None): return squeeze(self, dim)
    def unsqueeze(self, dim): return unsqueeze(self, dim)
    def flatten(self, start_dim=0, end_dim=-1): return flatten(self, start_dim, end_dim)
    def expand(self, *sizes): return expand(self, _size_args(sizes))
    def expand_as(self, other): return expand(self, other.shape)
    def clone(self): return clone(self)
    def to(self, dtype, copy=False): return to(self, dtype, copy)
    def float(self): return to(self, "float32")
    def double(self): return to(self, "float64")
    def long(self): return to(self, "int64")

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return std(self, dim, unbiased, keepdim, correction=correction)
