# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.tensor: the n-dimensional array that every other module builds on."""
import numpy as np


_GRAD_ENABLED = True


def is_grad_enabled():
    """True while new results record how they were made (module 06 uses the record)."""
    return _GRAD_ENABLED


def set_grad_enabled(mode):
    """Turn recording on (True) or off (False); returns the previous setting."""
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, bool(mode)
    return previous


def _as_array(data, dtype=None):
    """`data` as a new NumPy array of `dtype` (float32 when dtype is None).

    data: a number, a nested list of numbers, a NumPy array or a Tensor; the values are copied.
    Raises TypeError naming the type of `data` when NumPy does not read it as numbers
    (a string, None, ...).
    """
    values = np.asarray(data.data if isinstance(data, Tensor) else data)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} data (NumPy reads "
                        f"it as {values.dtype}); use numbers, lists of numbers or arrays")
    return values.astype(np.float32 if dtype is None else dtype)


def _format(values):
    """NumPy's printout of `values` in PyTorch's style: 4 decimals unless every float is whole."""
    whole = values.dtype.kind != "f" or bool(np.all(np.mod(values[np.isfinite(values)], 1) == 0))
    return np.array2string(values, separator=", ", prefix="tensor(", precision=4,
                           floatmode="maxprec" if whole else "fixed")


class Tensor:
    """An n-dimensional array of numbers that remembers how it was made.

    Args:
        data: a number, a nested list of numbers, a NumPy array or a Tensor (copied).
        requires_grad: record the operations on this tensor so module 06 can compute its gradient.
        dtype: the NumPy dtype of the values; float32 when None, like torch.Tensor.

    Shape: that of `data`: Tensor(3.0).shape == (), Tensor([[1, 2, 3]]).shape == (1, 3).
    """

    __array_priority__ = 1000  # NumPy defers to us: `ndarray + Tensor` calls Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad = None
        self._ctx = None  # (op name, input Tensors, saved values) once an op has made this tensor
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def from_op(data, op, inputs, saved=None):
        """Wrap the NumPy result `data` of the op named `op` applied to the Tensors `inputs`.

        No copy is made. While grad mode is on and some input requires grad, the result records
        (op, inputs, saved): all that module 06 needs to run the op's gradient rule backwards.
        saved: a dict of the values that rule needs, e.g. {"a": a, "b": b} (None: nothing).
        """
        out = object.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._ctx = None
        out.requires_grad = False
        if _GRAD_ENABLED:
            for t in inputs:  # a plain loop, not any(...): every op runs this, so it is kept lean
                if t.requires_grad:
                    out._ctx = (op, tuple(inputs), {} if saved is None else saved)
                    out.requires_grad = True
                    break
        return out

    def requires_grad_(self, requires_grad=True):
        """Mark this tensor as a leaf whose gradient module 06 should compute; returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise RuntimeError(f"requires_grad: only floating-point tensors can require gradients, "
                               f"not {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    # --- attributes ---------------------------------------------------------------------------
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
        """The number of elements, an int (NumPy's meaning of size; PyTorch's is numel())."""
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

    # --- conversion ---------------------------------------------------------------------------
    def numpy(self):
        """The underlying NumPy array; it shares memory with the tensor."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: a tensor with {self.data.size} elements (shape {self.data.shape}) "
                             f"cannot be converted to a Python number; only one-element tensors can")
        return self.data.item()

    def __float__(self):
        """float(t) for a one-element tensor (ValueError otherwise, as in PyTorch)."""
        return float(self.item())

    def __int__(self):
        """int(t) for a one-element tensor, truncating toward zero like int(2.7) == 2."""
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
            raise RuntimeError(f"Boolean value of a tensor with {self.data.size} values is ambiguous; "
                               f"reduce it to one value first, e.g. (t > 0).sum() > 0")
        return bool(self.data)

    __hash__ = object.__hash__  # defining __eq__ would otherwise make tensors unhashable

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
        """Gradients of this tensor for every leaf that requires grad (built in module 06)."""
        try:
            from tinytorch.core.autograd import backward
        except ModuleNotFoundError as e:
            if e.name not in ("tinytorch.core.autograd", "tinytorch.core", "tinytorch"):
                raise
            raise RuntimeError("backward() needs module 06 (Autograd): export it into your "
                               "tinytorch first") from None
        backward(self, gradient)

    # --- operators: one-line delegations to the op functions defined further down -------------
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

    # --- methods with PyTorch's names: delegations too -----------------------------------------
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

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return amax(self, _alias(axis, dim), _alias(keepdims, keepdim))

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return amin(self, _alias(axis, dim), _alias(keepdims, keepdim))

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return argmax(self, _alias(axis, dim), _alias(keepdims, keepdim))

    @property
    def T(self):
        """All dimensions reversed: (n, m) -> (m, n). A permute view, made directly: this order
        needs none of permute's checks."""
        order = tuple(range(self.data.ndim - 1, -1, -1))
        return Tensor.from_op(np.transpose(self.data, order), "permute", (self,), {"dims": order})


def _alias(numpy_name, torch_name):
    """Accept NumPy's keyword (axis, keepdims) or PyTorch's (dim, keepdim)."""
    return numpy_name if torch_name is None else torch_name


def _size_args(args):
    """t.reshape(2, 3) and t.reshape((2, 3)) both mean the shape (2, 3)."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)


_SCALAR_DTYPE = {"b": np.dtype(np.bool_), "i": np.dtype(np.int64), "u": np.dtype(np.int64),
                 "f": np.dtype(np.float32)}  # the dtype a number of each kind counts as
_PYTHON_KIND = {bool: "b", int: "i", float: "f"}
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating point


def _data(x):
    """The NumPy values of a Tensor; anything else unchanged."""
    return x.data if isinstance(x, Tensor) else x


def _tensors(a, b):
    """The Tensors among a binary op's two operands: the inputs it records."""
    if isinstance(a, Tensor):
        return (a, b) if isinstance(b, Tensor) else (a,)
    return (b,) if isinstance(b, Tensor) else ()


def _promote(x, y):
    """The smallest dtype that holds both, as in PyTorch: an integer meeting a float gives the float."""
    if x == y:
        return x
    if (x.kind == "f") != (y.kind == "f"):
        return x if x.kind == "f" else y
    return np.promote_types(x, y)


def _rank_and_dtype(x):
    """(2, dtype) for an operand with dimensions, (1, dtype) for a 0-d one, (0, dtype) for a number."""
    if isinstance(x, (Tensor, np.ndarray)):
        rank, dtype = (2 if x.ndim else 1), x.dtype
    else:
        kind = x.dtype.kind if isinstance(x, np.generic) else _PYTHON_KIND.get(type(x))
        rank, dtype = 0, _SCALAR_DTYPE.get(kind)
    if dtype is None or dtype.kind not in _CATEGORY:
        raise TypeError(f"unsupported operand of type {type(x).__name__}: use a Tensor or a Python number")
    return rank, dtype


def result_type(a, b):
    """The dtype of `a op b` for Tensors, arrays and numbers, by PyTorch's promotion rules.

    Operands with dimensions decide. A 0-d operand, and after it a Python number, only counts
    when it belongs to a higher category (bool < integer < float); a Python float then means
    float32 and a Python int int64.
    """
    if isinstance(a, Tensor):  # shortcuts for the common cases: equal dtypes, a float tensor and a number
        if isinstance(b, Tensor) and a.data.dtype == b.data.dtype:
            return a.data.dtype
        if type(b) in (float, int) and a.data.dtype.kind == "f":
            return a.data.dtype
    elif type(a) in (float, int) and isinstance(b, Tensor) and b.data.dtype.kind == "f":
        return b.data.dtype
    (rank_a, dtype_a), (rank_b, dtype_b) = _rank_and_dtype(a), _rank_and_dtype(b)
    if rank_a == rank_b:
        return _promote(dtype_a, dtype_b)
    high, low = (dtype_a, dtype_b) if rank_a > rank_b else (dtype_b, dtype_a)
    return _promote(high, low) if _CATEGORY[low.kind] > _CATEGORY[high.kind] else high


def _floating(dtype):
    """`dtype` if it is a floating-point type, else float32 (for /, exp and log)."""
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


def _arithmetic(op, fn, a, b, floating=False):
    """The Tensor fn(a, b) for the arithmetic op `op`, recording a and b (Tensors or numbers).

    Most of the work is _apply's; `floating` makes integer operands give float32 (true division).
    The two most common cases skip _apply: a float tensor with a Python number (x * 0.5, 1 - x),
    and two float tensors of one dtype, where NumPy checks the shapes itself. The number becomes
    a 0-d array of the tensor's dtype (NumPy 2 converts it to that dtype too, PyTorch's rule), and
    that array is what the op saves (see _number_array).
    """
    if type(b) in _NUMBER_TYPES and isinstance(a, Tensor) and a.data.dtype.kind == "f":
        b = _number_array(b, a.data.dtype)
        return Tensor.from_op(fn(a.data, b), op, (a,), {"a": a, "b": b})
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.data.dtype == b.data.dtype \
            and a.data.dtype.kind == "f":  # two float tensors of one dtype: nothing to convert
        try:
            out = fn(a.data, b.data)
        except ValueError:  # shapes that do not broadcast: _apply raises the error that names them
            out = _apply(op, fn, a, b)
        return Tensor.from_op(out, op, (a, b), {"a": a, "b": b})
    if type(a) in _NUMBER_TYPES and isinstance(b, Tensor) and b.data.dtype.kind == "f":
        a = _number_array(a, b.data.dtype)
        return Tensor.from_op(fn(a, b.data), op, (b,), {"a": a, "b": b})
    out = _apply(op, fn, a, b, _floating(result_type(a, b)) if floating else None)
    return Tensor.from_op(out, op, _tensors(a, b), {"a": a, "b": b})


_NUMBER_TYPES = (float, int)  # (bool, a subclass of int, is not one here: type() is checked)
_NUMBER_ARRAYS = {}  # dtype -> {number: its read-only 0-d array}, filled by _number_array


def _number_array(number, dtype):
    """`number` as a read-only 0-d array of `dtype`, made once per value and kept.

    NumPy takes about twice as long over an op with a Python number as with an array: it works
    out the number's dtype on every call. Making the array costs almost half of what the op then
    takes, and constants repeat (x * 0.5 in every step), so the arrays are kept, up to 1000 per
    dtype. A zero is made afresh each time: as dict keys 0.0 and -0.0 are the same, as values
    they are not.
    """
    arrays = _NUMBER_ARRAYS.get(dtype)
    if arrays is None:
        arrays = _NUMBER_ARRAYS[dtype] = {}
    array = arrays.get(number)
    if array is None or number == 0:
        if len(arrays) >= 1000:
            arrays.clear()
        array = arrays[number] = np.array(number, dtype)
        array.flags.writeable = False
    return array


def add(a, b):
    """a + b elementwise. Shape: a's and b's shapes broadcast together."""
    return _arithmetic("add", np.add, a, b)


def sub(a, b):
    """a - b elementwise, with broadcasting."""
    return _arithmetic("sub", np.subtract, a, b)


def mul(a, b):
    """a * b elementwise (not the matrix product), with broadcasting."""
    return _arithmetic("mul", np.multiply, a, b)


def div(a, b):
    """a / b elementwise, true division: integer inputs give float32."""
    return _arithmetic("div", np.true_divide, a, b, floating=True)


def pow(a, b):
    """a ** b elementwise, with broadcasting."""
    return _arithmetic("pow", np.power, a, b)


def neg(a):
    """-a elementwise."""
    return Tensor.from_op(np.negative(a.data), "neg", (a,))


def exp(a):
    """e ** a elementwise; integer tensors give float32."""
    return Tensor.from_op(np.exp(a.data.astype(_floating(a.data.dtype), copy=False)), "exp", (a,))


def log(a):
    """Natural logarithm elementwise; integer tensors give float32."""
    return Tensor.from_op(np.log(a.data.astype(_floating(a.data.dtype), copy=False)), "log", (a,))


def sqrt(a):
    """Square root elementwise, as a ** 0.5 (so it needs no gradient rule of its own)."""
    return pow(a, 0.5)


def absolute(a):
    """|a| elementwise (torch.absolute, alias of torch.abs; t.abs() and abs(t) call it)."""
    return Tensor.from_op(np.abs(a.data), "abs", (a,))


# Comparisons give bool tensors and are never part of the recorded history (no inputs recorded).
def eq(a, b):
    """a == b elementwise."""
    return Tensor.from_op(_apply("eq", np.equal, a, b), "eq", ())


def ne(a, b):
    """a != b elementwise."""
    return Tensor.from_op(_apply("ne", np.not_equal, a, b), "ne", ())


def lt(a, b):
    """a < b elementwise."""
    return Tensor.from_op(_apply("lt", np.less, a, b), "lt", ())


def le(a, b):
    """a <= b elementwise."""
    return Tensor.from_op(_apply("le", np.less_equal, a, b), "le", ())


def gt(a, b):
    """a > b elementwise."""
    return Tensor.from_op(_apply("gt", np.greater, a, b), "gt", ())


def ge(a, b):
    """a >= b elementwise."""
    return Tensor.from_op(_apply("ge", np.greater_equal, a, b), "ge", ())


def _broadcast_shape(op, shape_a, shape_b):
    """The shape of `a op b` for operands of shapes shape_a and shape_b (tuples).

    Align the shapes at the right and pad the shorter one with 1s on the left. In every position
    the two sizes must be equal or one of them must be 1; the result takes the other size.
    Otherwise raise ValueError(f"{op}: shapes {shape_a} and {shape_b} cannot be broadcast together ...").
    """
    if shape_a == shape_b or not shape_b:  # the most common cases (equal shapes, a number), no loop
        return tuple(shape_a)
    if not shape_a:
        return tuple(shape_b)
    ndim = max(len(shape_a), len(shape_b))
    padded_a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for size_a, size_b in zip(padded_a, padded_b):
        if size_a != size_b and 1 not in (size_a, size_b):
            raise ValueError(f"{op}: shapes {tuple(shape_a)} and {tuple(shape_b)} cannot be broadcast "
                             f"together ({size_a} vs {size_b}: sizes must be equal or 1)")
        result.append(size_b if size_a == 1 else size_a)
    return tuple(result)


def _apply(op, fn, a, b, dtype=None):
    """fn(a, b) on NumPy arrays, for operands that are Tensors or numbers; returns the NumPy result.

    Converts both operands to arrays of `dtype` (None: result_type(a, b)), checks that their
    shapes broadcast (through _broadcast_shape, so an error names both shapes), then calls fn.
    """
    dtype = result_type(a, b) if dtype is None else dtype
    x, y = np.asarray(_data(a), dtype=dtype), np.asarray(_data(b), dtype=dtype)
    _broadcast_shape(op, x.shape, y.shape)
    return fn(x, y)


def matmul(a, b):
    """The matrix product a @ b, with NumPy's and PyTorch's rules.

    Shapes: (n, k) @ (k, m) -> (n, m). A 1-D operand is a vector: (k,) @ (k,) -> () (the dot
    product), (k,) @ (k, m) -> (m,), (n, k) @ (k,) -> (n,). Leading (batch) dimensions broadcast:
    (B, n, k) @ (k, m) -> (B, n, m). Computed in result_type(a, b).
    Errors (ValueError): "matmul: (2, 3) @ (4, 5): inner dimensions 3 and 4 differ";
    a 0-d operand; batch dimensions that do not broadcast.
    """
    dtype = result_type(a, b)
    x, y = np.asarray(_data(a), dtype=dtype), np.asarray(_data(b), dtype=dtype)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: both operands need at least one dimension")
    inner_a, inner_b = x.shape[-1], y.shape[0 if y.ndim == 1 else -2]
    if inner_a != inner_b:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: inner dimensions {inner_a} and {inner_b} differ")
    try:
        if x.ndim > 2 and y.ndim == 2:  # one matrix for the whole batch: one big product is faster
            out = np.matmul(x.reshape(-1, inner_a) if inner_a else x, y).reshape(x.shape[:-1] + y.shape[1:])
        else:
            out = np.matmul(x, y)
    except ValueError:
        raise ValueError(f"matmul: {x.shape} @ {y.shape}: batch dimensions {x.shape[:-2]} and "
                         f"{y.shape[:-2]} cannot be broadcast together") from None
    return Tensor.from_op(out, "matmul", _tensors(a, b), {"a": a, "b": b})


def _dim(op, a, d):
    """Dimension d of tensor a as an index in [0, ndim); a negative d counts from the end."""
    n = a.data.ndim or 1  # a 0-d tensor accepts 0 and -1, as in PyTorch
    if not -n <= d < n:
        raise IndexError(f"{op}: dimension {d} is out of range for a tensor of shape {a.data.shape} "
                         f"(expected {-n} to {n - 1})")
    return d % n


def _nonempty(op, fn, a, axis, keepdims):
    """fn(a.data, axis, keepdims) for max, min and argmax, which have no value over zero elements."""
    try:
        return fn(a.data, axis=axis, keepdims=keepdims)
    except ValueError:
        raise ValueError(f"{op}: cannot reduce over zero elements (tensor of shape {a.data.shape})") from None


def amax(a, axis=None, keepdims=False):
    """Largest value over `axis` (None: every element), like torch.amax; t.max() calls it."""
    axis = _reduce_axis("max", a, axis)
    out = _nonempty("max", np.max, a, axis, bool(keepdims))
    return Tensor.from_op(out, "max", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def amin(a, axis=None, keepdims=False):
    """Smallest value over `axis` (None: every element), like torch.amin; t.min() calls it."""
    axis = _reduce_axis("min", a, axis)
    out = _nonempty("min", np.min, a, axis, bool(keepdims))
    return Tensor.from_op(out, "min", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def argmax(a, axis=None, keepdims=False):
    """Index (int64) of the largest value along one axis; of the flattened tensor when axis is None."""
    axes = _reduce_axis("argmax", a, axis)
    if axes is not None and len(axes) != 1:
        raise TypeError(f"argmax: axis must be a single int, got {axis}")
    out = _nonempty("argmax", np.argmax, a, None if axes is None else axes[0], bool(keepdims))
    return Tensor.from_op(out.astype(np.int64), "argmax", ())


def _reduce_axis(op, a, axis):
    """Check `axis` for reducing tensor `a`: None (every element) or a tuple of dims in [0, ndim).

    axis may be None, an int or a tuple/list of ints; negative ints count from the end.
    Out-of-range dims raise IndexError (use _dim); a dim named twice raises ValueError.
    A 0-d tensor accepts axis 0 or -1; return None for it (there is nothing to reduce).
    """
    if axis is None:
        return None
    dims = tuple(_dim(op, a, d) for d in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(set(dims)) != len(dims):
        raise ValueError(f"{op}: axis {axis} names the same dimension more than once")
    return dims if a.data.ndim else None


def sum(a, axis=None, keepdims=False):
    """Sum over `axis` (None: every element). Shape: a.shape without the reduced dims
    (kept as size 1 when keepdims). Integer and bool tensors sum to int64."""
    axis = _reduce_axis("sum", a, axis)
    out = np.sum(a.data, axis=axis, keepdims=bool(keepdims))
    return Tensor.from_op(out, "sum", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def mean(a, axis=None, keepdims=False):
    """Mean over `axis` (None: every element); shape as for sum. Like PyTorch, only for
    floating-point tensors: raise RuntimeError naming the dtype otherwise."""
    axis = _reduce_axis("mean", a, axis)
    if a.data.dtype.kind != "f":
        raise RuntimeError(f"mean: needs a floating-point tensor, got {a.data.dtype} "
                           f"(Tensor(t) makes a float32 copy)")
    out = np.mean(a.data, axis=axis, keepdims=bool(keepdims))
    return Tensor.from_op(out, "mean", (a,), {"axis": axis, "keepdims": bool(keepdims)})


def permute(a, dims):
    """Reorder all dimensions: out.shape[i] == a.shape[dims[i]]. A view: no data is copied."""
    order = tuple(_dim("permute", a, d) for d in dims)
    if sorted(order) != list(range(a.data.ndim)):
        raise ValueError(f"permute: {tuple(dims)} is not an ordering of the {a.data.ndim} dimensions "
                         f"of a tensor of shape {a.data.shape}")
    return Tensor.from_op(np.transpose(a.data, order), "permute", (a,), {"dims": order})


def view(a, shape):
    """reshape that promises not to copy: RuntimeError when the data cannot be read as `shape` in place."""
    out = reshape(a, shape)
    if a.data.size and not np.may_share_memory(out.data, a.data):
        raise RuntimeError(f"view: this tensor of shape {a.data.shape} is not laid out in memory so that "
                           f"it can be viewed as {tuple(shape)} without a copy; use reshape, which copies")
    return out


def reshape(a, shape):
    """The same elements in the same (row-major) order, arranged as `shape` (a tuple).

    One entry may be -1: that size is inferred so the number of elements stays the same.
    A view of a's data when NumPy can make one, otherwise a copy. Raises ValueError naming
    a's shape and `shape` when the sizes cannot match.
    """
    shape = tuple(shape)
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise ValueError(f"reshape: invalid shape {shape}: sizes must be >= 0, with at most one -1")
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.data.shape} "
                         f"({a.data.size} elements) into {shape}") from None
    return Tensor.from_op(out, "reshape", (a,))


def transpose(a, dim0, dim1):
    """Swap dimensions dim0 and dim1 (negative counts from the end). A view: no data is copied."""
    d0, d1 = _dim("transpose", a, dim0), _dim("transpose", a, dim1)
    out = np.swapaxes(a.data, d0, d1) if a.data.ndim else a.data
    return Tensor.from_op(out, "transpose", (a,), {"dim0": d0, "dim1": d1})


def getitem(a, index):
    """a[index] with NumPy's rules: ints, slices, None, ... and int or bool arrays or Tensors.

    Ints and slices give a view; int or bool arrays (advanced indexing) give a copy.
    An invalid index raises IndexError naming a's shape.
    """
    index = tuple(_data(i) for i in index) if isinstance(index, tuple) else _data(index)
    try:
        out = a.data[index]
    except IndexError as e:
        raise IndexError(f"getitem: index {index!r} does not fit a tensor of shape {a.data.shape}: {e}") from None
    return Tensor.from_op(out, "getitem", (a,), {"index": index})


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
            dtype = _SCALAR_DTYPE.get(np.asarray(data).dtype.kind, np.float32)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
