# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.tensor: the Tensor class, with the ops it calls that take two
operands and record them: arithmetic and the matrix product."""
import numpy as np

from tinytorch.core.broadcasting import _apply, _power
from tinytorch.core.dtypes import _data, _floating, _refuse_bool, result_type
from tinytorch.core.grad_mode import is_grad_enabled
from tinytorch.core.inplace import _inplace
from tinytorch.core.methods import TensorMethods
from tinytorch.core.pointwise import (absolute, eq, exp, ge, gt, le, log, lt,
                                     ne, neg, sqrt)
from tinytorch.core.reductions import argmax, mean, sum
from tinytorch.core.shape import _size_args, getitem, permute, reshape, transpose, view
from tinytorch.kernels import kernel


def _as_array(data, dtype=None):
    """`data` as a new NumPy array of `dtype` (float32 when dtype is None).

    data: a number, a nested list of numbers, a NumPy array or a Tensor (copied).
    Raises TypeError naming the type of `data` when NumPy does not read it as numbers
    (a string, None, ...), and ValueError for nested lists of different lengths.
    """
    try:
        values = np.asarray(data.data if isinstance(data, Tensor) else data)
    except ValueError:  # NumPy's "inhomogeneous shape": rows of different lengths
        raise ValueError("Tensor: the nested lists have rows of different lengths; a "
                         "tensor needs every row at one depth to be as long as the "
                         "others, like a matrix") from None
    if values.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} data "
                        f"(NumPy reads it as {values.dtype}); use numbers, lists of "
                        "numbers or arrays")
    # order="C": a new tensor is contiguous, as torch.tensor(array) is, so .view works
    return values.astype(np.float32 if dtype is None else dtype, order="C")


def _format(values):
    """NumPy's printout of `values` in PyTorch's style: 4 decimals unless every float
    is whole."""
    finite = values[np.isfinite(values)]
    whole = values.dtype.kind != "f" or bool(np.all(np.mod(finite, 1) == 0))
    return np.array2string(values, separator=", ", prefix="tensor(", precision=4,
                           floatmode="maxprec" if whole else "fixed")


class Tensor(TensorMethods):
    """An n-dimensional array of numbers that remembers how it was made.

    Args:
        data: a number, a nested list of numbers, a NumPy array or a Tensor (copied).
        requires_grad: record the operations on this tensor, so that module 06 can
            compute its gradient.
        dtype: the NumPy dtype of the values; float32 when None, like torch.Tensor.

    Shape: that of `data`: Tensor(3.0).shape == (), Tensor([[1, 2, 3]]).shape == (1, 3).
    """

    # NumPy defers to us: `ndarray + Tensor` calls Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad = None
        # (op name, input Tensors, saved values) once an op has made this tensor
        self._ctx = None
        # +1 at every in-place change (t += x ...): module 06 checks it
        self._version = 0
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def from_op(data, op, inputs, saved=None):
        """Wrap the NumPy result `data` of the op named `op` applied to the Tensors
        `inputs`.

        No copy is made. While grad mode is on and some input requires grad, the
        result records (op, inputs, saved): all that module 06 needs to run the op's
        gradient rule backwards.
        saved: a dict of the values that rule needs, e.g. {"a": a, "b": b} (None:
        nothing).
        """
        out = object.__new__(Tensor)  # a Tensor without __init__, which would copy
        out.data = np.asarray(data)
        out.grad = None
        out.requires_grad = is_grad_enabled() and any(t.requires_grad for t in inputs)
        saved = {} if saved is None else saved
        out._ctx = (op, tuple(inputs), saved) if out.requires_grad else None
        out._version = 0
        # out's version and its inputs' when recorded (module 06 checks them)
        if out.requires_grad:
            out._versions = (0, *[t._version for t in inputs])
        return out

    def requires_grad_(self, requires_grad=True):
        """Make this tensor a leaf whose gradient module 06 computes; returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise RuntimeError("requires_grad: only floating-point tensors can "
                               f"require gradients, not {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    # --- attributes -------------------------------------------------------------------
    @property
    def shape(self):
        """The size of every dimension, as a tuple: () for a single number."""
        return self.data.shape

    @property
    def dtype(self):
        """The NumPy dtype of the values (float32 by default)."""
        return self.data.dtype

    @property
    def ndim(self):
        """The number of dimensions: 0 for a single number, 2 for a matrix."""
        return self.data.ndim

    @property
    def size(self):
        """The number of elements, an int (NumPy's size; PyTorch's numel())."""
        return self.data.size

    @property
    def nbytes(self):
        """Bytes the values occupy: numel() * element_size()."""
        return self.data.nbytes

    def element_size(self):
        """Bytes per element: 4 for float32, 8 for float64."""
        return self.data.itemsize

    def numel(self):
        """The number of elements (PyTorch's name)."""
        return self.size

    def dim(self):
        """The number of dimensions (PyTorch's name)."""
        return self.ndim

    @property
    def grad_fn(self):
        """Name of the op that made this tensor, or None for a leaf."""
        return None if self._ctx is None else self._ctx[0]

    @property
    def is_leaf(self):
        """True unless an op recorded this tensor's history."""
        return self._ctx is None

    # --- conversion -------------------------------------------------------------------
    def numpy(self, *, force=False):
        """The underlying NumPy array; it shares memory with the tensor.

        Refuses (RuntimeError, as in PyTorch) when the tensor requires grad, unless
        force=True.
        """
        if self.requires_grad and not force:
            raise RuntimeError("numpy: this tensor requires grad, and an array of its "
                               "values would leave the recorded history; call "
                               "t.detach().numpy() instead")
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: a tensor with {self.data.size} elements (shape "
                             f"{self.data.shape}) cannot be converted to a Python "
                             "number; only one-element tensors can")
        return self.data.item()

    def __float__(self):
        """float(t) for a one-element tensor (ValueError otherwise, as in PyTorch)."""
        return float(self.item())

    def __int__(self):
        """int(t) for a one-element tensor, truncated toward zero: int(2.7) == 2."""
        return int(self.item())

    def tolist(self):
        """The values as nested Python lists (a plain number for a 0-d tensor)."""
        return self.data.tolist()

    def detach(self):
        """A tensor that shares this data but is cut off from the recorded history."""
        return Tensor.from_op(self.data, "detach", ())

    def __array__(self, dtype=None, copy=None):
        values = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return values.copy() if copy else values

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of a tensor with {self.data.size} "
                               "values is ambiguous; reduce it to one value first, "
                               "e.g. (t > 0).sum() > 0")
        return bool(self.data)

    # defining __eq__ would otherwise make tensors unhashable
    __hash__ = object.__hash__

    def __repr__(self):
        extras = ""
        if self.data.size == 0 and self.data.ndim != 1:
            extras += f", size={self.data.shape}"
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extras += f", dtype={self.data.dtype}"
        if self._ctx is not None:
            extras += f", grad_fn=<{self._ctx[0]}>"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({_format(self.data)}{extras})"

    def backward(self, gradient=None):
        """Gradients of this tensor for every leaf that requires grad (module 06)."""
        try:
            from tinytorch.core.autograd import backward
        except ModuleNotFoundError as e:
            if e.name not in ("tinytorch.core.autograd", "tinytorch.core", "tinytorch"):
                raise
            raise RuntimeError("backward() needs module 06 (Autograd): export it into "
                               "your tinytorch first") from None
        backward(self, gradient)

    # --- operators: one-line delegations to the op functions ------------------------
    def __add__(self, other): return add(self, other)
    def __radd__(self, other): return add(other, self)
    def __sub__(self, other): return sub(self, other)
    def __rsub__(self, other): return sub(other, self)
    def __mul__(self, other): return mul(self, other)
    def __rmul__(self, other): return mul(other, self)
    def __truediv__(self, other): return div(self, other)
    def __rtruediv__(self, other): return div(other, self)
    def __pow__(self, other): return pow(self, other)
    def __rpow__(self, other): return pow(other, self)
    def __iadd__(self, other): return _inplace(self, add, other)
    def __isub__(self, other): return _inplace(self, sub, other)
    def __imul__(self, other): return _inplace(self, mul, other)
    def __itruediv__(self, other): return _inplace(self, div, other)
    def __neg__(self): return neg(self)
    def __abs__(self): return absolute(self)
    def __matmul__(self, other): return matmul(self, other)
    def __rmatmul__(self, other): return matmul(other, self)
    def __eq__(self, other): return eq(self, other)
    def __ne__(self, other): return ne(self, other)
    def __lt__(self, other): return lt(self, other)
    def __le__(self, other): return le(self, other)
    def __gt__(self, other): return gt(self, other)
    def __ge__(self, other): return ge(self, other)
    def __getitem__(self, index): return getitem(self, index)

    # --- methods with PyTorch's names: delegations too --------------------------------
    def matmul(self, other): return matmul(self, other)
    def exp(self): return exp(self)
    def log(self): return log(self)
    def sqrt(self): return sqrt(self)
    def abs(self): return absolute(self)
    def reshape(self, *shape): return reshape(self, _size_args(shape))
    def view(self, *shape): return view(self, _size_args(shape))
    def transpose(self, dim0, dim1): return transpose(self, dim0, dim1)
    def permute(self, *dims): return permute(self, _size_args(dims))

    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return sum(self, _alias(axis, dim), _alias(keepdims, keepdim))

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return mean(self, _alias(axis, dim), _alias(keepdims, keepdim))

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return argmax(self, _alias(axis, dim), _alias(keepdims, keepdim))

    @property
    def T(self):
        """All dimensions reversed: (n, m) -> (m, n); a permute view, nothing copied."""
        return permute(self, tuple(range(self.data.ndim - 1, -1, -1)))


def _alias(numpy_name, torch_name):
    """Accept NumPy's keyword (axis, keepdims) or PyTorch's (dim, keepdim)."""
    return numpy_name if torch_name is None else torch_name


def _tensors(a, b):
    """The Tensors among a binary op's two operands: the inputs it records."""
    if isinstance(a, Tensor):
        return (a, b) if isinstance(b, Tensor) else (a,)
    return (b,) if isinstance(b, Tensor) else ()


def _arithmetic(op, fn, a, b, floating=False):
    """The Tensor fn(a, b) for the arithmetic op `op`, recording a and b (Tensors
    or numbers).

    _apply does the work; `floating` makes integer operands give float32 (true
    division).
    """
    out = _apply(op, fn, a, b, _floating(result_type(a, b)) if floating else None)
    return Tensor.from_op(out, op, _tensors(a, b), {"a": a, "b": b})


def add(a, b):
    """a + b elementwise. Shape: a's and b's shapes broadcast together.
    Gradient: `_add_grad` in core/gradients/tensor.py (module 06)."""
    return kernel(_arithmetic)("add", np.add, a, b)


def sub(a, b):
    """a - b elementwise, with broadcasting.
    Gradient: `_sub_grad` in core/gradients/tensor.py (module 06)."""
    _refuse_bool("sub", a, b)
    return kernel(_arithmetic)("sub", np.subtract, a, b)


def mul(a, b):
    """a * b elementwise (not the matrix product), with broadcasting.
    Gradient: `_mul_grad` in core/gradients/tensor.py (module 06)."""
    return kernel(_arithmetic)("mul", np.multiply, a, b)


def div(a, b):
    """a / b elementwise, true division: integer inputs give float32.
    Gradient: `_div_grad` in core/gradients/tensor.py (module 06)."""
    return kernel(_arithmetic)("div", np.true_divide, a, b, floating=True)


def pow(a, b):
    """a ** b elementwise, with broadcasting (** 0.5 and ** -0.5 as PyTorch: `_power`).
    Gradient: `_pow_grad` in core/gradients/tensor.py (module 06)."""
    _refuse_bool("pow", a, b, count=2)
    return kernel(_arithmetic)("pow", _power, a, b)


def matmul(a, b):
    """The matrix product a @ b, with NumPy's and PyTorch's rules.

    Shapes: (n, k) @ (k, m) -> (n, m). A 1-D operand is a vector: (k,) @ (k,) -> ()
    (the dot product), (k,) @ (k, m) -> (m,), (n, k) @ (k,) -> (n,). Leading (batch)
    dimensions broadcast: (B, n, k) @ (k, m) -> (B, n, m). Computed in
    result_type(a, b).
    Errors (ValueError): "matmul: (2, 3) @ (4, 5): inner dimensions 3 and 4 differ";
    a 0-d operand; batch dimensions that do not broadcast.
    Gradient: `_matmul_grad` in core/gradients/tensor.py (module 06).
    """
    dtype = result_type(a, b)
    x, y = np.asarray(_data(a), dtype=dtype), np.asarray(_data(b), dtype=dtype)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: both operands need at least "
                         "one dimension")
    inner_a, inner_b = x.shape[-1], y.shape[0 if y.ndim == 1 else -2]
    if inner_a != inner_b:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: inner dimensions {inner_a} "
                         f"and {inner_b} differ")
    try:
        out = np.matmul(x, y)
    except ValueError:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: batch dimensions "
                         f"{x.shape[:-2]} and {y.shape[:-2]} cannot be broadcast "
                         "together") from None
    return Tensor.from_op(out, "matmul", _tensors(a, b), {"a": a, "b": b})
