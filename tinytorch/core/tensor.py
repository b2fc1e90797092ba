import builtins

import numpy as np

_GRAD_ENABLED = True


def is_grad_enabled():
    """True when new results record how they were made (see module 06)."""
    return _GRAD_ENABLED


def set_grad_enabled(mode):
    """Turn graph recording on or off; returns the previous setting."""
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, bool(mode)
    return previous


def _array(data, dtype):
    """Convert `data` to a NumPy array; float32 unless `dtype` says otherwise."""
    if isinstance(data, Tensor):
        data = data.data
    arr = np.array(data, dtype=dtype if dtype is not None else np.float32)
    if arr.dtype == object:
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} data")
    return arr


class Tensor:
    """An n-dimensional array of numbers, float32 unless `dtype` is given.

    Shape: whatever `data` has; `Tensor(3.0).shape == ()`.
    """

    __array_priority__ = 1000  # make `ndarray + Tensor` call Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _array(data, dtype)
        self.grad = None
        self._ctx = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def from_op(cls, data, op, inputs, **saved):
        """Wrap an op's result; record (op, inputs, saved) when gradients are tracked."""
        out = cls.__new__(cls)
        out.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        out.grad = None
        out._ctx = None
        out.requires_grad = False
        if _GRAD_ENABLED:
            for t in inputs:
                if t.requires_grad:
                    out.requires_grad = True
                    out._ctx = (op, inputs, saved)
                    break
        return out

    def requires_grad_(self, requires_grad=True):
        """Mark this tensor as a leaf whose gradient should be computed."""
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"requires_grad: only floating-point tensors can require gradients, not {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    # --- attributes ---------------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        """Number of elements (NumPy's meaning of `size`)."""
        return self.data.size

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    @property
    def grad_fn(self):
        """Name of the op that made this tensor, or None for a leaf."""
        return None if self._ctx is None else self._ctx[0]

    @property
    def is_leaf(self):
        return self._ctx is None

    # --- conversion ---------------------------------------------------------------------------
    def numpy(self):
        """The underlying NumPy array (shares memory)."""
        return self.data

    def item(self):
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item: a Tensor with {self.data.size} elements (shape {self.shape}) cannot be "
                f"converted to a Python number; only one-element tensors can")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self):
        """A new tensor sharing this data, cut off from the graph."""
        return Tensor.from_op(self.data, "detach", ())

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of a Tensor with {self.data.size} values is ambiguous; "
                f"use .any() or .all()")
        return bool(self.data)

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = ""
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extras += f", dtype={self.dtype}"
        if self._ctx is not None:
            extras += f", grad_fn=<{self._ctx[0]}>"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    def backward(self, gradient=None):
        """Compute d(self)/d(leaf) for every leaf that requires grad (built in module 06)."""
        try:
            from tinytorch.core.autograd import backward
        except ImportError:
            raise RuntimeError("backward() needs module 06 (Autograd): export it into your "
                               "tinytorch first") from None
        backward(self, gradient)

    # --- operators: one-line delegations to the op functions below ------------------------------
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
    def __neg__(self): return neg(self)
    def __matmul__(self, other): return matmul(self, other)
    def __rmatmul__(self, other): return matmul(other, self)
    def __eq__(self, other): return _compare(np.equal, "==", self, other)
    def __ne__(self, other): return _compare(np.not_equal, "!=", self, other)
    def __lt__(self, other): return _compare(np.less, "<", self, other)
    def __le__(self, other): return _compare(np.less_equal, "<=", self, other)
    def __gt__(self, other): return _compare(np.greater, ">", self, other)
    def __ge__(self, other): return _compare(np.greater_equal, ">=", self, other)
    def __getitem__(self, index): return getitem(self, index)

    def matmul(self, other): return matmul(self, other)
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return sum(self, _alias(axis, dim), _alias(keepdims, keepdim))
    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return mean(self, _alias(axis, dim), _alias(keepdims, keepdim))
    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return max(self, _alias(axis, dim), _alias(keepdims, keepdim))
    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return min(self, _alias(axis, dim), _alias(keepdims, keepdim))
    def reshape(self, *shape): return reshape(self, *shape)
    def view(self, *shape): return reshape(self, *shape)
    def transpose(self, dim0, dim1): return transpose(self, dim0, dim1)
    def exp(self): return exp(self)
    def log(self): return log(self)
    def sqrt(self): return pow(self, 0.5)
    def abs(self): return abs(self)
    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Tensor.from_op(np.argmax(self.data, axis=_alias(axis, dim),
                                        keepdims=_alias(keepdims, keepdim)), "argmax", ())

    @property
    def T(self):
        """All dimensions reversed."""
        return permute(self, tuple(range(self.ndim - 1, -1, -1)))


def _alias(numpy_name, torch_name):
    """Accept NumPy's (`axis`, `keepdims`) or PyTorch's (`dim`, `keepdim`) keyword."""
    return numpy_name if torch_name is None else torch_name


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _tensors(*xs):
    return tuple(x for x in xs if isinstance(x, Tensor))


def _shape(x):
    return np.shape(_data(x))


def _broadcast(name, fn, a, b):
    """Apply a NumPy binary op; on a shape mismatch say which shapes clashed."""
    try:
        return fn(_data(a), _data(b))
    except ValueError:
        raise ValueError(
            f"{name}: shapes {_shape(a)} and {_shape(b)} cannot be broadcast together "
            f"(trailing dimensions must be equal or 1)") from None


def _float_result(out, a, b):
    """Keep float32 when NumPy would silently promote ints or mixed inputs to float64."""
    if out.dtype == np.float64 and np.float64 not in (np.result_type(_data(a)), np.result_type(_data(b))):
        return out.astype(np.float32)
    return out


# --- elementwise ops ---------------------------------------------------------------------------
def add(a, b):
    """a + b with broadcasting."""
    return Tensor.from_op(_broadcast("add", np.add, a, b), "add", _tensors(a, b), a=a, b=b)


def sub(a, b):
    """a - b with broadcasting."""
    return Tensor.from_op(_broadcast("sub", np.subtract, a, b), "sub", _tensors(a, b), a=a, b=b)


def mul(a, b):
    """a * b elementwise, with broadcasting."""
    return Tensor.from_op(_broadcast("mul", np.multiply, a, b), "mul", _tensors(a, b), a=a, b=b)


def div(a, b):
    """a / b (true division; integer inputs give float32)."""
    out = _float_result(_broadcast("div", np.true_divide, a, b), a, b)
    return Tensor.from_op(out, "div", _tensors(a, b), a=a, b=b)


def pow(a, b):
    """a ** b elementwise, with broadcasting."""
    out = _float_result(_broadcast("pow", np.power, a, b), a, b)
    return Tensor.from_op(out, "pow", _tensors(a, b), a=a, b=b)


def neg(a):
    return Tensor.from_op(np.negative(a.data), "neg", (a,))


def exp(a):
    return Tensor.from_op(np.exp(a.data), "exp", (a,))


def log(a):
    return Tensor.from_op(np.log(a.data), "log", (a,))


def abs(a):
    return Tensor.from_op(np.abs(a.data), "abs", (a,))


def _compare(fn, symbol, a, b):
    """Elementwise comparison: a bool tensor, never part of the graph."""
    return Tensor.from_op(_broadcast(f"comparison {symbol}", fn, a, b), symbol, ())


# --- matmul ----------------------------------------------------------------------------------
def matmul(a, b):
    """Matrix product. (n, k) @ (k, m) -> (n, m); leading dims broadcast: (B, n, k) @ (k, m) -> (B, n, m)."""
    x, y = np.asarray(_data(a)), np.asarray(_data(b))
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: both operands need at least 1 dimension")
    if x.shape[-1] != y.shape[-2 if y.ndim > 1 else 0]:
        k2 = y.shape[-2 if y.ndim > 1 else 0]
        raise ValueError(
            f"matmul: {x.shape} @ {y.shape}: inner dimensions {x.shape[-1]} and {k2} differ")
    try:
        out = np.matmul(x, y)
    except ValueError:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: batch dimensions "
                         f"{x.shape[:-2]} and {y.shape[:-2]} cannot be broadcast") from None
    return Tensor.from_op(out, "matmul", _tensors(a, b), a=a, b=b)


# --- reductions ------------------------------------------------------------------------------
def _check_axis(name, a, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    for ax in axes:
        if ax is not None and not -builtins.max(a.ndim, 1) <= ax < builtins.max(a.ndim, 1):
            raise IndexError(f"{name}: axis {ax} is out of range for a tensor of shape {a.shape}")


def sum(a, axis=None, keepdims=False):
    """Sum over `axis` (None: all elements)."""
    _check_axis("sum", a, axis)
    return Tensor.from_op(np.sum(a.data, axis=axis, keepdims=keepdims), "sum", (a,),
                          axis=axis, keepdims=keepdims)


def mean(a, axis=None, keepdims=False):
    """Mean over `axis` (None: all elements)."""
    _check_axis("mean", a, axis)
    return Tensor.from_op(np.mean(a.data, axis=axis, keepdims=keepdims), "mean", (a,),
                          axis=axis, keepdims=keepdims)


def max(a, axis=None, keepdims=False):
    """Largest value over `axis` (None: all elements)."""
    _check_axis("max", a, axis)
    if a.size == 0:
        raise ValueError(f"max: cannot reduce an empty tensor of shape {a.shape}")
    return Tensor.from_op(np.max(a.data, axis=axis, keepdims=keepdims), "max", (a,),
                          axis=axis, keepdims=keepdims)


def min(a, axis=None, keepdims=False):
    """Smallest value over `axis` (None: all elements)."""
    _check_axis("min", a, axis)
    if a.size == 0:
        raise ValueError(f"min: cannot reduce an empty tensor of shape {a.shape}")
    return Tensor.from_op(np.min(a.data, axis=axis, keepdims=keepdims), "min", (a,),
                          axis=axis, keepdims=keepdims)


# --- shape ops -------------------------------------------------------------------------------
def reshape(a, *shape):
    """Same elements, new shape; one dimension may be -1."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) "
                         f"into {shape}") from None
    return Tensor.from_op(out, "reshape", (a,))


def transpose(a, dim0, dim1):
    """Swap two dimensions."""
    _check_axis("transpose", a, (dim0, dim1))
    return Tensor.from_op(np.swapaxes(a.data, dim0, dim1), "transpose", (a,), dim0=dim0, dim1=dim1)


def permute(a, dims):
    """Reorder all dimensions: out.shape[i] == a.shape[dims[i]]."""
    return Tensor.from_op(np.transpose(a.data, dims), "permute", (a,), dims=dims)


def getitem(a, index):
    """Indexing and slicing with NumPy's rules; Tensor indices are allowed."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    try:
        out = a.data[index]
    except IndexError as e:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {a.shape}: {e}") from None
    return Tensor.from_op(out, "getitem", (a,), index=index)


def manual_seed(seed):
    """Seed the generator that weight init, dropout and shuffling draw from."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator():
    """The shared np.random.Generator (reseeded by manual_seed)."""
    return _generator


_generator = np.random.default_rng()


def _size(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def zeros(*size, requires_grad=False):
    return Tensor(np.zeros(_size(size), dtype=np.float32), requires_grad=requires_grad)


def ones(*size, requires_grad=False):
    return Tensor(np.ones(_size(size), dtype=np.float32), requires_grad=requires_grad)


def randn(*size, requires_grad=False):
    """Standard normal samples, float32."""
    return Tensor(_generator.standard_normal(_size(size), dtype=np.float32), requires_grad=requires_grad)


def rand(*size, requires_grad=False):
    """Uniform samples in [0, 1), float32."""
    return Tensor(_generator.random(_size(size), dtype=np.float32), requires_grad=requires_grad)


def tensor(data, dtype=None, requires_grad=False):
    """Like torch.tensor: keeps ints as int64 and bools as bool; floats become float32."""
    if dtype is None:
        kind = np.asarray(_data(data)).dtype.kind
        dtype = {"b": np.bool_, "i": np.int64, "u": np.int64}.get(kind, np.float32)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
