# Generated from notebooks/masters/02_activations.ipynb by tinytorch.export: edit the notebook, not this file.
import math
import warnings

import numpy as np

from tinytorch.core.module import Module
from tinytorch.core.tensor import Tensor


def _tensor_array(name, x):
    """The NumPy array inside `x`; a TypeError naming `name` when `x` is not a
    Tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")
    return x.data


def _float(a):
    """`a` itself when it is floating point, else a float32 copy (integer and bool
    input)."""
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def relu(x):
    """max(x, 0) elementwise: 0 where x < 0, else x (so -0.0 and nan stay, as in
    PyTorch).
    Shape: any -> same; the dtype is kept.
    Gradient: `_relu_grad` in core/gradients/activations.py (module 06)."""
    a = _tensor_array("relu", x)
    out = np.where(a < 0, 0, a)
    return Tensor.from_op(out, "relu", (x,), {"out": out})


class ReLU(Module):
    """relu as a layer: ReLU()(x) == relu(x). Shape: any -> same."""

    def forward(self, x):
        return relu(x)


def sigmoid(x):
    """1 / (1 + exp(-x)) elementwise, without overflow for any x. Shape: any -> same.
    Gradient: `_sigmoid_grad` in core/gradients/activations.py (module 06)."""
    a = _float(_tensor_array("sigmoid", x))
    out = np.exp(np.minimum(a, 0)) / (1 + np.exp(-np.abs(a)))
    return Tensor.from_op(out, "sigmoid", (x,), {"out": out})


def tanh(x):
    """Hyperbolic tangent elementwise. Shape: any -> same.
    Gradient: `_tanh_grad` in core/gradients/activations.py (module 06)."""
    out = np.tanh(_float(_tensor_array("tanh", x)))
    return Tensor.from_op(out, "tanh", (x,), {"out": out})


class Sigmoid(Module):
    """sigmoid as a layer. Shape: any -> same."""

    def forward(self, x):
        return sigmoid(x)


class Tanh(Module):
    """tanh as a layer. Shape: any -> same."""

    def forward(self, x):
        return tanh(x)


# erfc(z) for z >= 0 as t * exp(-z^2 + P(t)), t = 1 / (1 + z/2): Numerical Recipes in C,
# 2nd ed., 1992, section 6.2 (routine erfcc); relative error < 1.2e-7. Coefficients of
# P, highest power first.
_ERFC_COEFFS = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
                -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223)
# Maclaurin series erf(z) = z * sum_n c_n z^(2n), c_n = 2/sqrt(pi) (-1)^n / (n! (2n +
# 1)), n = 6..0.
_ERF_SERIES = tuple(
    2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1))
                    for n in range(6, -1, -1))


def erfc(z, exact=False):
    """Complementary error function of a NumPy array (not a Tensor), in float64: the
    formula above, relative error < 1.2e-7 (float32 precision); with `exact`, Python's
    math.erfc element by element (float64 precision, as PyTorch's for float64; slower).
    erf, gelu and gelu's gradient rule (module 06) use it."""
    z = np.asarray(z, dtype=np.float64)
    if exact:
        return np.frompyfunc(math.erfc, 1, 1)(z).astype(np.float64)
    a = np.abs(z)
    t = 1 / (1 + 0.5 * a)
    # a * a may overflow to inf for huge float64 input; exp(-inf) = 0
    with np.errstate(over="ignore"):
        tail = t * np.exp(np.polyval(_ERFC_COEFFS, t) - a * a)
    return np.where(z >= 0, tail, 2 - tail)


def erf(x):
    """The error function elementwise, |error| < 1e-7 (float32 precision). Shape: any ->
    same.
    Gradient: `_erf_grad` in core/gradients/activations.py (module 06)."""
    a = _float(_tensor_array("erf", x))
    z = a.astype(np.float64)
    near_zero = np.clip(z, -0.5, 0.5)
    out = np.where(np.abs(z) < 0.5,
                   near_zero * np.polyval(_ERF_SERIES, near_zero * near_zero),
                   1 - erfc(z))
    return Tensor.from_op(out.astype(a.dtype), "erf", (x,))


def gelu(x, approximate="none"):
    """x * Phi(x) elementwise; approximate='tanh' uses the tanh formula. Shape: any ->
    same. Floating-point input only (NotImplementedError otherwise, as in PyTorch).
    Gradient: `_gelu_grad` in core/gradients/activations.py (module 06)."""
    a = _tensor_array("gelu", x)
    if a.dtype.kind != "f":
        raise NotImplementedError(f"gelu: not implemented for {a.dtype} (as in "
                                  "PyTorch); convert the input to floating point "
                                  "first, e.g. Tensor(x)")
    if approximate == "none":
        cdf = 0.5 * erfc(-a.astype(np.float64) / math.sqrt(2),
                         exact=a.dtype == np.float64)
    elif approximate == "tanh":
        # a * a * a is +-inf for |x| > 7e12, and tanh(+-inf) = +-1
        with np.errstate(over="ignore"):
            cdf = 0.5 * (
                1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a * a * a)))
    else:
        raise ValueError("gelu: approximate must be 'none' or 'tanh', not "
                         f"{approximate!r}")
    with np.errstate(invalid="ignore"):  # -inf * 0 is nan, as in torch
        out = (a * cdf).astype(a.dtype)
    return Tensor.from_op(out, "gelu", (x,), {"approximate": approximate})


class GELU(Module):
    """gelu as a layer; approximate is 'none' (exact, with erf) or 'tanh'. Shape: any ->
    same."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


def _softmax_dim(name, shape, dim):
    """The non-negative axis that `dim` names; dim=None picks PyTorch's legacy implicit
    dim and warns."""
    if dim is None:
        dim = 0 if len(shape) in (0, 1, 3) else 1
        warnings.warn(f"{name}: choosing dim implicitly is deprecated (the legacy rule "
                      f"picks dim={dim} for shape {shape}); pass dim={dim} explicitly",
                      UserWarning, stacklevel=3)
    n = max(len(shape), 1)
    if not -n <= dim < n:
        raise IndexError(f"{name}: dim {dim} is out of range for a tensor of shape "
                         f"{shape} (expected a dim from {-n} to {n - 1})")
    return dim % n


def softmax(x, dim=None):
    """exp(x) / exp(x).sum(dim), computed stably. Shape: any -> same; each slice along
    dim sums to 1.
    Gradient: `_softmax_grad` in core/gradients/activations.py (module 06)."""
    a = _float(_tensor_array("softmax", x))
    dim = _softmax_dim("softmax", a.shape, dim)
    z = np.atleast_1d(a)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - z.max(axis=dim, keepdims=True, initial=-np.inf))
        out = (e / e.sum(axis=dim, keepdims=True)).reshape(a.shape)
    return Tensor.from_op(out, "softmax", (x,), {"out": out, "dim": dim})


class Softmax(Module):
    """softmax over `dim` as a layer (dim=None: the legacy implicit dim, with a
    warning)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


def log_softmax(x, dim=None):
    """log(softmax(x, dim)) via the log-sum-exp trick. Shape: any -> same.
    Gradient: `_log_softmax_grad` in core/gradients/activations.py (module 06)."""
    a = _float(_tensor_array("log_softmax", x))
    dim = _softmax_dim("log_softmax", a.shape, dim)
    z = np.atleast_1d(a)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        shifted = z - z.max(axis=dim, keepdims=True, initial=-np.inf)
        out = (shifted - np.log(np.exp(shifted).sum(axis=dim,
                                                    keepdims=True))).reshape(a.shape)
    return Tensor.from_op(out, "log_softmax", (x,), {"out": out, "dim": dim})


class LogSoftmax(Module):
    """log_softmax over `dim` as a layer (dim=None: the legacy implicit dim, with a
    warning)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return log_softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x, elementwise. Shape: any -> same (integers
    become float32).
    Gradient: `_leaky_relu_grad` in core/gradients/activations.py (module 06)."""
    a = _float(_tensor_array("leaky_relu", x))
    out = np.where(a > 0, a, a * a.dtype.type(negative_slope))
    return Tensor.from_op(out, "leaky_relu", (x,), {"negative_slope": negative_slope})


def silu(x):
    """x * sigmoid(x) elementwise (SiLU, or swish). Shape: any -> same (integers become
    float32).
    Gradient: `_silu_grad` in core/gradients/activations.py (module 06)."""
    a = _float(_tensor_array("silu", x))
    s = np.exp(np.minimum(a, 0)) / (1 + np.exp(-np.abs(a)))
    return Tensor.from_op(a * s, "silu", (x,), {"sigmoid": s})


def _in_place(name, x, fn):
    """fn(x) written into x's data, for the inplace=True of LeakyReLU and SiLU."""
    if x.requires_grad:
        raise RuntimeError(f"{name}(inplace=True) cannot change a tensor that requires "
                           "grad; use inplace=False")
    x.data[...] = fn(x).data
    return x


class LeakyReLU(Module):
    """leaky_relu as a layer. Args: negative_slope (0.01); inplace (write into the
    input). Shape: any -> same."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, x):
        if self.inplace:
            return (_in_place("LeakyReLU", x,
                              lambda t: leaky_relu(t, self.negative_slope)))
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (
            ", inplace=True" if self.inplace else "")


class SiLU(Module):
    """silu as a layer. Args: inplace (write into the input). Shape: any -> same."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return _in_place("SiLU", x, silu) if self.inplace else silu(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""
