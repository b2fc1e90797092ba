# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.pointwise: the ops of one tensor, elementwise (neg, exp, log, sqrt,
abs), and the comparisons. Each makes its result with `a.from_op` (a is a Tensor), so
this file need not import core/tensor.py, which imports it."""
import numpy as np

from tinytorch.core.broadcasting import _apply
from tinytorch.core.dtypes import _floating, _refuse_bool


def neg(a):
    """-a elementwise.
    Gradient: `_neg_grad` in core/gradients/tensor.py (module 06)."""
    _refuse_bool("neg", a)
    return a.from_op(np.negative(a.data), "neg", (a,))


def exp(a):
    """e ** a elementwise; integer tensors give float32.
    Gradient: `_exp_grad` in core/gradients/tensor.py (module 06)."""
    values = a.data.astype(_floating(a.data.dtype), copy=False)
    return a.from_op(np.exp(values), "exp", (a,))


def log(a):
    """Natural logarithm elementwise; integer tensors give float32.
    Gradient: `_log_grad` in core/gradients/tensor.py (module 06)."""
    values = a.data.astype(_floating(a.data.dtype), copy=False)
    return a.from_op(np.log(values), "log", (a,))


def sqrt(a):
    """Square root elementwise; integer tensors give float32. Its own op, not a ** 0.5,
    because PyTorch's differs at the edges (its gradient at -inf is nan, a ** 0.5's 0).
    Gradient: `_sqrt_grad` in core/gradients/tensor.py (module 06)."""
    values = a.data.astype(_floating(a.data.dtype), copy=False)
    return a.from_op(np.sqrt(values), "sqrt", (a,))


def absolute(a):
    """|a| elementwise (torch.absolute, alias of torch.abs; t.abs() and abs(t) call it).
    Gradient: `_abs_grad` in core/gradients/tensor.py (module 06)."""
    _refuse_bool("abs", a)
    return a.from_op(np.abs(a.data), "abs", (a,))


# Comparisons give bool tensors and are never part of the recorded history (no inputs
# recorded), so they need no gradient rule.
def eq(a, b):
    """a == b elementwise (a: a Tensor; b: a Tensor, array or number)."""
    return a.from_op(_apply("eq", np.equal, a, b), "eq", ())


def ne(a, b):
    """a != b elementwise."""
    return a.from_op(_apply("ne", np.not_equal, a, b), "ne", ())


def lt(a, b):
    """a < b elementwise."""
    return a.from_op(_apply("lt", np.less, a, b), "lt", ())


def le(a, b):
    """a <= b elementwise."""
    return a.from_op(_apply("le", np.less_equal, a, b), "le", ())


def gt(a, b):
    """a > b elementwise."""
    return a.from_op(_apply("gt", np.greater, a, b), "gt", ())


def ge(a, b):
    """a >= b elementwise."""
    return a.from_op(_apply("ge", np.greater_equal, a, b), "ge", ())
