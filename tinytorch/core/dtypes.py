# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.dtypes: the dtype of a result, by PyTorch's promotion rules, and
converting a tensor to another dtype (to)."""
import numpy as np


_SCALAR_DTYPE = {"b": np.dtype(np.bool_), "i": np.dtype(np.int64),
                 "u": np.dtype(np.int64),
                 "f": np.dtype(np.float32)}  # the dtype a number of each kind counts as
_PYTHON_KIND = {bool: "b", int: "i", float: "f"}
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating point


def _data(x):
    """The NumPy values of a Tensor (known by its numpy() method), even one that
    requires grad (whose numpy() refuses); a number or an array unchanged."""
    return x.data if hasattr(x, "numpy") else x


def _promote(x, y):
    """The smallest dtype that holds both, as in PyTorch: an integer meeting a float
    gives the float."""
    if x == y:
        return x
    if (x.kind == "f") != (y.kind == "f"):
        return x if x.kind == "f" else y
    return np.promote_types(x, y)


def _rank_and_dtype(x):
    """(2, dtype) for an operand with dimensions, (1, dtype) for a 0-d one, (0, dtype)
    for a number.

    A NumPy scalar (np.float64(1.5)) counts as a number; a Tensor or an array is known
    by its ndim.
    """
    if isinstance(x, np.generic):
        rank, dtype = 0, _SCALAR_DTYPE.get(x.dtype.kind)
    elif hasattr(x, "ndim"):
        rank, dtype = (2 if x.ndim else 1), x.dtype
    else:
        rank, dtype = 0, _SCALAR_DTYPE.get(_PYTHON_KIND.get(type(x)))
    if dtype is None or dtype.kind not in _CATEGORY:
        raise TypeError(f"unsupported operand of type {type(x).__name__}: use a Tensor "
                        "or a Python number")
    return rank, dtype


def result_type(a, b):
    """The dtype of `a op b` for Tensors, arrays and numbers, by PyTorch's promotion
    rules.

    Operands with dimensions decide. A 0-d operand, and after it a Python number, only
    counts when it belongs to a higher category (bool < integer < float); a Python float
    then means float32 and a Python int int64.
    """
    (rank_a, dtype_a), (rank_b, dtype_b) = _rank_and_dtype(a), _rank_and_dtype(b)
    if rank_a == rank_b:
        return _promote(dtype_a, dtype_b)
    high, low = (dtype_a, dtype_b) if rank_a > rank_b else (dtype_b, dtype_a)
    return _promote(high, low) if _CATEGORY[low.kind] > _CATEGORY[high.kind] else high


_BOOL_ERRORS = {  # op -> (error, message) for bool operands PyTorch refuses
    "sub": (RuntimeError, "the `-` operator with a bool tensor is not supported; to "
                          "invert a mask write mask == False, for exclusive or write a "
                          "!= b"),
    "neg": (RuntimeError, "the `-` operator on a bool tensor is not supported; to "
                          "invert a mask write mask == False"),
    "pow": (NotImplementedError, "not implemented for two bool operands; convert one, "
                                 "e.g. Tensor(mask)"),
    "abs": (NotImplementedError, "not implemented for bool tensors (a mask is its own "
                                 "absolute value)"),
    "argmax": (RuntimeError, "does not support bool input; convert it, e.g. "
                             "Tensor(mask)"),
    "argmin": (RuntimeError, "does not support bool input; convert it, e.g. "
                             "Tensor(mask)"),
}


def _refuse_bool(op, *operands, count=1):
    """Raise PyTorch's kind of error when at least `count` operands (Tensors, arrays or
    Python numbers) are bool, for the ops in _BOOL_ERRORS."""
    bools = [x for x in operands if isinstance(x, (bool, np.bool_))
             or getattr(x, "dtype", None) == np.bool_]
    # (not sum(...): this notebook's sum is the tensor reduction)
    if len(bools) >= count:
        error, message = _BOOL_ERRORS[op]
        raise error(f"{op}: {message} (as in PyTorch)")


def _floating(dtype):
    """`dtype` if it is a floating-point type, else float32 (for /, exp and log)."""
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


def to(a, dtype, copy=False):
    """a's values as `dtype` (a NumPy dtype, a Tensor whose dtype to take, or "cpu",
    the only device): a itself when nothing changes, unless copy. Between
    floating-point dtypes the result stays in the graph; an integer or bool result has
    no history, as in PyTorch.
    Gradient: `_copy_grad` in core/gradients/tensor.py (module 06): the gradient cast
    back."""
    if isinstance(dtype, str) and dtype == "cpu":
        dtype = a.data.dtype
    elif hasattr(dtype, "from_op"):
        dtype = dtype.data.dtype
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError("to: expected a NumPy dtype such as np.float64, got "
                        f"{dtype!r}") from None
    if dtype.kind not in _CATEGORY:
        raise TypeError("to: a tensor holds bool, integer or floating-point numbers, "
                        f"not {dtype}")
    if dtype == a.data.dtype and not copy:
        return a
    return a.from_op(a.data.astype(dtype), "to", (a,) if dtype.kind == "f" else ())
