"""tinytorch.core.autograd: every gradient rule against central differences (float64) and, when
installed, PyTorch; the engine's semantics (accumulation, no_grad, detach, errors, deep graphs)."""
import math
import sys
import types

import numpy as np
import pytest

import tinytorch
import tinytorch.nn.functional as F
from tinytorch.core.activations import ReLU, erf
from tinytorch.core.autograd import (GRADIENTS, backward, enable_grad, gradient, no_grad,
                                     topological_order, unbroadcast)
from tinytorch.core.layers import Dropout, Flatten, Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.creation import manual_seed
from tinytorch.core.grad_mode import is_grad_enabled
from tinytorch.core.tensor import Tensor


pytestmark = [pytest.mark.filterwarnings("ignore:mse_loss. target:UserWarning"),
              pytest.mark.filterwarnings("ignore:Using a target size:UserWarning")]


def rng(seed=0):
    return np.random.default_rng(seed)


# --- two libraries behind one interface, so one op table drives both checks ----------------------
TT = types.SimpleNamespace(
    name="tinytorch", F=F, erf=erf,
    const=lambda a: Tensor(a, dtype=np.asarray(a).dtype),
    amax=lambda x, dim=None, keepdim=False: x.amax(() if dim is None else dim, keepdim),
    amin=lambda x, dim=None, keepdim=False: x.amin(() if dim is None else dim, keepdim),
    lib=tinytorch, float64=np.float64,
)


def torch_lib():
    torch = pytest.importorskip("torch")
    return types.SimpleNamespace(
        name="torch", F=torch.nn.functional, erf=torch.erf,
        const=lambda a: torch.from_numpy(np.array(a)),
        amax=lambda x, dim=None, keepdim=False: x.amax(() if dim is None else dim, keepdim),
        amin=lambda x, dim=None, keepdim=False: x.amin(() if dim is None else dim, keepdim),
        lib=torch, float64=torch.float64,
    ), torch


def normal(*shape):
    return lambda r: r.standard_normal(shape)


def positive(*shape):
    return lambda r: r.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    return lambda r: r.uniform(0.3, 2.0, shape) * r.choice([-1.0, 1.0], shape)


def probabilities(*shape):
    return lambda r: r.uniform(0.05, 0.95, shape)




def distinct(*shape):
    """Values without ties (a shuffled grid), so max/min have one winner per slice."""
    return lambda r: r.permutation(np.arange(math.prod(shape)) * 0.37 - 2.0).reshape(shape)


TARGETS = rng(5).standard_normal((3, 4))
WEIGHTS = rng(7).random((3, 4))
SOFT = rng(6).random((3, 4))
SOFT /= SOFT.sum(axis=1, keepdims=True)

# (id, fn(lib, *inputs) -> tensor, input makers): inputs are float64 tensors that require grad.
OPS = [
    ("add", lambda L, a, b: a + b, [normal(3, 1), normal(4)]),
    ("add-scalar", lambda L, a: 2.5 + a + 1, [normal(2, 3)]),
    ("sub", lambda L, a, b: a - b, [normal(2, 3, 4), normal(3, 1)]),
    ("sub-rsub", lambda L, a: 1.0 - a, [normal(3)]),
    ("sub-same", lambda L, a: a - a * 2, [normal(3)]),
    ("mul", lambda L, a, b: a * b, [normal(2, 3), normal(3)]),
    ("mul-self", lambda L, a: a * a * 3, [normal(2, 2)]),
    ("div", lambda L, a, b: a / b, [normal(2, 3), away_from_zero(2, 1)]),
    ("div-rdiv", lambda L, a: 2.0 / a, [away_from_zero(4)]),
    ("pow-square", lambda L, a: a ** 2, [normal(3, 2)]),
    ("pow-cube", lambda L, a: a ** 3, [normal(4)]),
    ("pow-half", lambda L, a: a ** 0.5, [positive(4)]),
    ("pow-zero", lambda L, a: a ** 0, [normal(3)]),
    ("pow-tensors", lambda L, a, b: a ** b, [positive(2, 3), normal(3)]),
    ("pow-base", lambda L, a: 2.0 ** a, [normal(3)]),
    ("sqrt", lambda L, a: a.sqrt(), [positive(2, 2)]),
    ("pow-scalar-0d", lambda L, a, b: a ** b, [positive(3), normal()]),
    ("neg", lambda L, a: -a, [normal(2, 3)]),
    ("exp", lambda L, a: a.exp(), [normal(2, 3)]),
    ("log", lambda L, a: a.log(), [positive(2, 3)]),
    ("abs", lambda L, a: abs(a), [away_from_zero(2, 3)]),
    ("matmul", lambda L, a, b: a @ b, [normal(3, 4), normal(4, 5)]),
    ("linear", lambda L, x, w, b: L.F.linear(x, w, b), [normal(5, 3), normal(4, 3), normal(4)]),
    ("linear-no-bias", lambda L, x, w: L.F.linear(x, w), [normal(5, 3), normal(4, 3)]),
    ("linear-batch", lambda L, x, w, b: L.F.linear(x, w, b), [normal(2, 5, 3), normal(4, 3), normal(4)]),
    ("linear-vector", lambda L, x, w, b: L.F.linear(x, w, b), [normal(3), normal(4, 3), normal(4)]),
    ("linear-empty", lambda L, x, w, b: L.F.linear(x, w, b) * 1.0, [normal(0, 3), normal(4, 3), normal(4)]),
    ("matmul-vec-mat", lambda L, a, b: a @ b, [normal(4), normal(4, 5)]),
    ("matmul-mat-vec", lambda L, a, b: a @ b, [normal(3, 4), normal(4)]),
    ("matmul-dot", lambda L, a, b: a @ b, [normal(4), normal(4)]),
    ("matmul-batch-mat", lambda L, a, b: a @ b, [normal(2, 3, 4), normal(4, 5)]),
    ("matmul-mat-batch", lambda L, a, b: a @ b, [normal(3, 4), normal(2, 4, 5)]),
    ("matmul-broadcast-batch", lambda L, a, b: a @ b, [normal(2, 1, 3, 4), normal(5, 4, 2)]),
    ("matmul-vec-batch", lambda L, a, b: a @ b, [normal(4), normal(2, 4, 3)]),
    ("matmul-batch-vec", lambda L, a, b: a @ b, [normal(2, 3, 4), normal(4)]),
    ("sum-all", lambda L, a: a.sum(), [normal(2, 3)]),
    ("sum-0d", lambda L, a: (a * 2.0).sum() * a, [normal()]),
    ("sum-dim", lambda L, a: a.sum(dim=1), [normal(2, 3, 4)]),
    ("sum-dims-keepdim", lambda L, a: a.sum(dim=(0, -1), keepdim=True), [normal(2, 3, 4)]),
    ("mean-all", lambda L, a: a.mean(), [normal(3, 4)]),
    ("mean-dim", lambda L, a: a.mean(dim=0), [normal(3, 4)]),
    ("mean-dims-keepdim", lambda L, a: a.mean(dim=(1, 2), keepdim=True), [normal(2, 3, 4)]),
    ("max-all", lambda L, a: L.amax(a), [distinct(3, 4)]),
    ("max-dim", lambda L, a: L.amax(a, 1), [distinct(3, 4)]),
    ("max-dim-keepdim", lambda L, a: L.amax(a, -1, True), [distinct(2, 3, 4)]),
    ("min-all", lambda L, a: L.amin(a), [distinct(3, 4)]),
    ("min-dims", lambda L, a: L.amin(a, (0, 2)), [distinct(2, 3, 4)]),
    ("reshape", lambda L, a: a.reshape(4, -1) * L.const(np.arange(12.0).reshape(4, 3)), [normal(2, 6)]),
    ("view", lambda L, a: a.view(6) * L.const(np.arange(6.0)), [normal(2, 3)]),
    ("transpose", lambda L, a: a.transpose(0, 2), [normal(2, 3, 4)]),
    ("permute", lambda L, a: a.permute(2, 0, 1), [normal(2, 3, 4)]),
    ("T", lambda L, a: a.T @ a, [normal(3, 2)]),
    ("getitem-basic", lambda L, a: a[1:, ::2], [normal(3, 5)]),
    ("getitem-int", lambda L, a: a[1], [normal(3, 4)]),
    ("getitem-newaxis", lambda L, a: a[None, ..., 0], [normal(2, 3)]),
    ("getitem-repeated", lambda L, a: a[np.array([0, 2, 0, 0])], [normal(3, 2)]),
    ("getitem-mixed", lambda L, a: a[:, [1, 1, 0]], [normal(2, 3)]),
    ("getitem-pairs", lambda L, a: a[np.array([0, 1, 0]), np.array([2, 2, 2])], [normal(2, 3)]),
    ("getitem-mask", lambda L, a: a[np.array([True, False, True])], [normal(3, 2)]),
    ("getitem-step", lambda L, a: a[..., ::2], [normal(2, 5)]),
    ("getitem-tensor", lambda L, a: a[L.const(np.array([1, 1]))], [normal(3)]),
    ("cat", lambda L, a, b: L.lib.cat([a, b * 2.0], dim=-1), [normal(2, 3), normal(2, 2)]),
    ("stack", lambda L, a, b: L.lib.stack([a, b], dim=1), [normal(2, 3), normal(2, 3)]),
    ("squeeze-unsqueeze-flatten", lambda L, a: a.squeeze(1).unsqueeze(0).flatten(1) * L.const(np.arange(8.0)),
     [normal(2, 1, 4)]),
    ("expand", lambda L, a: a.expand(2, 3, 4) * L.const(np.arange(24.0).reshape(2, 3, 4)), [normal(3, 1)]),
    ("clone-to", lambda L, a: a.clone() * a.to(L.float64, copy=True), [normal(3)]),
    ("where", lambda L, a, b: L.lib.where(L.const(np.array([True, False, True])), a, b), [normal(2, 3), normal(2, 1)]),
    ("where-scalar", lambda L, a: L.lib.where(L.const(np.array([[True], [False]])), 0.5, a * a), [normal(2, 3)]),
    ("masked_fill", lambda L, a: a.masked_fill(L.const(np.array([False, True, False])), -1.0) * a, [normal(2, 3)]),
    ("clamp", lambda L, a: a.clamp(-0.5, 0.7), [normal(3, 4)]),
    ("clamp-tensor-bounds", lambda L, a, lo, hi: a.clamp(lo, hi), [normal(3, 4), lambda r: r.standard_normal(4) - 0.5, lambda r: r.standard_normal((3, 1)) + 0.5]),
    ("maximum", lambda L, a, b: L.lib.maximum(a, b), [normal(3, 4), normal(4)]),
    ("minimum", lambda L, a, b: a.minimum(b), [normal(2, 3), normal(2, 1)]),
    ("max-dim", lambda L, a: a.max(1).values, [distinct(3, 4)]),
    ("min-dim-keepdim", lambda L, a: a.min(dim=0, keepdim=True).values, [distinct(3, 4)]),
    ("var", lambda L, a: a.var(dim=1), [normal(3, 4)]),
    ("var-all-correction0", lambda L, a: a.var(correction=0), [normal(3, 4)]),
    ("std-dims-keepdim", lambda L, a: a.std(dim=(0, 2), keepdim=True), [normal(2, 3, 4)]),
    ("cumsum", lambda L, a: a.cumsum(dim=-1), [normal(3, 4)]),
    ("cumsum-dim0", lambda L, a: a.cumsum(0), [normal(3, 2)]),
    ("norm", lambda L, a: a.norm(), [normal(3, 4)]),
    ("norm-p1-dim", lambda L, a: a.norm(p=1, dim=1), [away_from_zero(3, 4)]),
    ("norm-p3-keepdim", lambda L, a: a.norm(p=3, dim=0, keepdim=True), [normal(3, 4)]),
    ("norm-inf", lambda L, a: a.norm(p=math.inf, dim=-1), [distinct(3, 4)]),
    ("relu", lambda L, a: L.F.relu(a), [away_from_zero(3, 4)]),
    ("sigmoid", lambda L, a: L.F.sigmoid(a), [normal(3, 4)]),
    ("tanh", lambda L, a: L.F.tanh(a), [normal(3, 4)]),
    ("gelu", lambda L, a: L.F.gelu(a), [normal(3, 4)]),
    ("gelu-tanh", lambda L, a: L.F.gelu(a, approximate="tanh"), [normal(3, 4)]),
    ("leaky_relu", lambda L, a: L.F.leaky_relu(a), [away_from_zero(3, 4)]),
    ("leaky_relu-slope", lambda L, a: L.F.leaky_relu(a, 0.3) * L.F.leaky_relu(a * -1.0, 2.0), [away_from_zero(2, 5)]),
    ("silu", lambda L, a: L.F.silu(a * 4.0), [normal(3, 4)]),
    ("erf", lambda L, a: L.erf(a), [normal(3, 4)]),
    ("softmax", lambda L, a: L.F.softmax(a, dim=1), [normal(3, 4)]),
    ("softmax-dim0", lambda L, a: L.F.softmax(a, dim=0), [normal(2, 3, 2)]),
    ("softmax-1d", lambda L, a: L.F.softmax(a, dim=0), [normal(5)]),
    ("log_softmax", lambda L, a: L.F.log_softmax(a, dim=-1), [normal(3, 4)]),
    ("log_softmax-3d", lambda L, a: L.F.log_softmax(a, dim=1), [normal(2, 3, 2)]),
    ("mse", lambda L, a: L.F.mse_loss(a, L.const(TARGETS)), [normal(3, 4)]),
    ("mse-sum", lambda L, a: L.F.mse_loss(a, L.const(np.ones((3, 4))), reduction="sum"), [normal(3, 4)]),
    ("mse-none", lambda L, a: L.F.mse_loss(a, L.const(np.zeros(4)), reduction="none"), [normal(3, 4)]),
    ("mse-weight", lambda L, a: L.F.mse_loss(a, L.const(TARGETS), weight=L.const(WEIGHTS)), [normal(3, 4)]),
    ("mse-weight-sum", lambda L, a: L.F.mse_loss(a, L.const(TARGETS), weight=L.const(WEIGHTS), reduction="sum"),
     [normal(3, 4)]),
    ("bce", lambda L, a: L.F.binary_cross_entropy(a, L.const(np.array([[0.0, 1, 1], [1, 0, 0.3]]))),
     [probabilities(2, 3)]),
    ("bce-weight-sum", lambda L, a: L.F.binary_cross_entropy(
        a, L.const(np.array([[0.0, 1, 1], [1, 0, 0.3]])), weight=L.const(np.array([0.5, 2.0, 1.0])),
        reduction="sum"), [probabilities(2, 3)]),
    ("bce-none", lambda L, a: L.F.binary_cross_entropy(a, L.const(np.array([1.0, 0, 1])),
                                                       reduction="none"), [probabilities(3)]),
    ("bce-logits", lambda L, a: L.F.binary_cross_entropy_with_logits(
        a, L.const(np.array([[0.0, 1, 1], [1, 0, 0.3]]))), [normal(2, 3)]),
    ("bce-logits-weights", lambda L, a: L.F.binary_cross_entropy_with_logits(
        a * 4, L.const(np.array([[0.0, 1, 1], [1, 0, 0.3]])), weight=L.const(np.array([[2.0], [0.5]])),
        pos_weight=L.const(np.array([3.0, 0.5, 1.0]))), [normal(2, 3)]),
    ("bce-logits-none", lambda L, a: L.F.binary_cross_entropy_with_logits(
        a, L.const(np.array([1.0, 0, 1])), pos_weight=L.const(np.array([2.0, 2, 2])), reduction="none"),
     [normal(3)]),
    ("ce", lambda L, a: L.F.cross_entropy(a, L.const(np.array([0, 3, 1, 3]))), [normal(4, 5)]),
    ("ce-sum", lambda L, a: L.F.cross_entropy(a, L.const(np.array([0, 3, 1])), reduction="sum"),
     [normal(3, 5)]),
    ("ce-none", lambda L, a: L.F.cross_entropy(a, L.const(np.array([0, 3, 1])), reduction="none"),
     [normal(3, 5)]),
    ("ce-weight-ignore", lambda L, a: L.F.cross_entropy(
        a, L.const(np.array([0, 3, -100, 1, 3])), weight=L.const(np.array([0.5, 1.0, 2.0, 1.5]))),
     [normal(5, 4)]),
    ("ce-smoothing", lambda L, a: L.F.cross_entropy(
        a, L.const(np.array([0, 2, 1, 1])), weight=L.const(np.array([0.5, 1.0, 2.0])),
        ignore_index=1, label_smoothing=0.2), [normal(4, 3)]),
    ("ce-smoothing-none", lambda L, a: L.F.cross_entropy(
        a, L.const(np.array([0, 2, 1])), label_smoothing=0.3, reduction="none"), [normal(3, 3)]),
    ("ce-unbatched", lambda L, a: L.F.cross_entropy(a, L.const(np.array(2))), [normal(4)]),
    ("ce-spatial", lambda L, a: L.F.cross_entropy(a, L.const(np.array([[0, 2], [1, 1]]))),
     [normal(2, 3, 2)]),
    ("ce-probabilities", lambda L, a: L.F.cross_entropy(a, L.const(SOFT)), [normal(3, 4)]),
    ("ce-probabilities-smoothing", lambda L, a: L.F.cross_entropy(
        a, L.const(SOFT), weight=L.const(np.array([1.0, 2.0, 0.5, 1.0])), label_smoothing=0.1,
        reduction="sum"), [normal(3, 4)]),
    ("l1", lambda L, a: L.F.l1_loss(a, L.const(TARGETS)), [normal(3, 4)]),
    ("l1-sum-target-grad", lambda L, a, b: L.F.l1_loss(a * 2.0, b, reduction="sum"), [normal(3, 4), normal(3, 4)]),
    ("l1-weight", lambda L, a: L.F.l1_loss(a, L.const(TARGETS), weight=L.const(WEIGHTS)), [normal(3, 4)]),
    ("l1-none", lambda L, a: L.F.l1_loss(a, L.const(TARGETS), reduction="none"), [normal(3, 4)]),
    ("smooth_l1", lambda L, a: L.F.smooth_l1_loss(a * 2.0, L.const(TARGETS)), [normal(3, 4)]),
    ("smooth_l1-beta-target-grad", lambda L, a, b: L.F.smooth_l1_loss(a, b, beta=0.7, reduction="none"),
     [normal(3, 4), normal(3, 4)]),
    ("smooth_l1-beta0-sum", lambda L, a: L.F.smooth_l1_loss(a, L.const(TARGETS), beta=0.0, reduction="sum"),
     [normal(3, 4)]),
    ("nll", lambda L, a: L.F.nll_loss(a, L.const(np.array([0, 3, 1, 3]))), [normal(4, 5)]),
    ("nll-weight-ignore", lambda L, a: L.F.nll_loss(
        a, L.const(np.array([0, 3, -100, 1, 3])), weight=L.const(np.array([0.5, 1.0, 2.0, 1.5]))), [normal(5, 4)]),
    ("nll-none-ignore", lambda L, a: L.F.nll_loss(a, L.const(np.array([2, 1, 1])), ignore_index=1, reduction="none"),
     [normal(3, 4)]),
    ("nll-sum-spatial", lambda L, a: L.F.nll_loss(a, L.const(np.array([[0, 2], [1, 1]])), reduction="sum"),
     [normal(2, 3, 2)]),
    ("nll-unbatched", lambda L, a: L.F.nll_loss(L.F.log_softmax(a, dim=0), L.const(np.array(2))), [normal(4)]),
    ("mlp", lambda L, x, w1, b1, w2: L.F.cross_entropy(L.F.relu(x @ w1.T + b1) @ w2, L.const(np.array([1, 0, 2]))),
     [normal(3, 4), normal(5, 4), normal(5), normal(5, 3)]),
]
CASES = [pytest.param(fn, makers, id=name) for name, fn, makers in OPS]


def make_inputs(makers, seed=0):
    r = rng(seed)
    return [m(r) for m in makers]


def run_tinytorch(fn, arrays, upstream_seed=1):
    """Forward fn on float64 leaves, backward with a random upstream gradient; (out, leaves)."""
    leaves = [Tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    out = fn(TT, *leaves)
    upstream = rng(upstream_seed).standard_normal(out.shape)
    backward(out, upstream)
    return out, leaves, upstream


def central_difference(fn, arrays, upstream, h=1e-6):
    """d sum(upstream * fn(arrays)) / d arrays, one element at a time (float64)."""
    def value():
        return float(np.sum(upstream * fn(TT, *[Tensor(a, dtype=np.float64) for a in arrays]).numpy()))
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + h
            above = value()
            a[i] = old - h
            below = value()
            a[i] = old
            g[i] = (above - below) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("fn, makers", CASES)
def test_gradient_matches_central_difference(fn, makers):
    arrays = make_inputs(makers)
    out, leaves, upstream = run_tinytorch(fn, [a.copy() for a in arrays])
    expected = central_difference(fn, arrays, upstream)
    for i, (leaf, g) in enumerate(zip(leaves, expected)):
        assert leaf.grad is not None, f"input {i} got no gradient"
        assert leaf.grad.shape == leaf.shape and leaf.grad.dtype == np.float64
        np.testing.assert_allclose(leaf.grad.numpy(), g, rtol=1e-5, atol=1e-6, err_msg=f"input {i}")


@pytest.mark.parametrize("fn, makers", CASES)
def test_gradient_matches_pytorch(fn, makers):
    lib, torch = torch_lib()
    arrays = make_inputs(makers)
    out, leaves, upstream = run_tinytorch(fn, [a.copy() for a in arrays])
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ref = fn(lib, *theirs)
    ref.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-8)
    for leaf, t in zip(leaves, theirs):
        np.testing.assert_allclose(leaf.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-8)


def test_every_op_of_modules_01_to_04_has_a_rule_and_a_check():
    exercised = set()
    for _, fn, makers in OPS:
        out, _, _ = run_tinytorch(fn, make_inputs(makers))
        exercised.update(t._ctx[0] for t in topological_order(out) if t._ctx is not None)
    ops_01_to_04 = {"add", "sub", "mul", "div", "pow", "neg", "exp", "log", "abs", "matmul", "sum",
                    "mean", "max", "min", "reshape", "transpose", "permute", "getitem", "relu",
                    "sigmoid", "tanh", "gelu", "erf", "softmax", "log_softmax", "leaky_relu", "silu", "mse_loss",
                    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
                    "l1_loss", "smooth_l1_loss", "nll_loss", "cat", "stack", "expand", "clone", "to",
                    "where", "clamp", "maximum", "minimum", "max_dim", "min_dim", "var", "cumsum", "norm"}
    assert ops_01_to_04 <= set(GRADIENTS), sorted(ops_01_to_04 - set(GRADIENTS))
    assert ops_01_to_04 <= exercised, sorted(ops_01_to_04 - exercised)


# --- ties, dropout, float32 --------------------------------------------------------------------
@pytest.mark.parametrize("reduce", [lambda L, a: L.amax(a), lambda L, a: L.amax(a, 1),
                                    lambda L, a: L.amin(a, 0, True), lambda L, a: L.amin(a)])
def test_max_and_min_split_the_gradient_evenly_among_ties_like_torch_amax(reduce):
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0], [3.0, 0.0, -1.0]])
    x = Tensor(a, requires_grad=True)
    out = reduce(TT, x)
    backward(out, np.ones(out.shape))
    if reduce(TT, Tensor(a)).shape == ():
        hits = a == reduce(TT, Tensor(a)).item()
        np.testing.assert_allclose(x.grad.numpy(), hits / hits.sum())
    lib, torch = torch_lib()
    t = torch.tensor(a, requires_grad=True)
    reduce(lib, t).backward(torch.ones(out.shape, dtype=torch.float64))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


def test_dropout_gradient_is_its_mask():
    manual_seed(0)
    x = Tensor(np.ones((4, 50)), requires_grad=True)
    y = Dropout(0.3)(x)
    backward(y, np.ones(y.shape, dtype=np.float32))
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # y = 1 * mask
    assert set(np.unique(y.detach().numpy())) == {0.0, np.float32(1 / 0.7)}
    assert Dropout(0.3).eval()(x) is x


def test_float32_graph_gives_float32_gradients_even_with_float64_operands():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * Tensor([2.0, 3.0], dtype=np.float64)).sum()
    assert y.dtype == np.float64
    backward(y)
    assert x.grad.dtype == np.float32 and np.allclose(x.grad.numpy(), [2, 3])


def test_integer_operands_take_no_gradient():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    n = Tensor([[3, 4]], dtype=np.int64)
    backward((x * n + n).sum())
    assert np.allclose(x.grad.numpy(), [[3, 4]]) and n.grad is None


# --- the engine ---------------------------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    assert x.grad is first, "accumulation happens in place, like torch"
    np.testing.assert_allclose(x.grad.numpy(), [4.0, -8.0])
    model = Linear(2, 1)
    model(x).sum().backward()
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_leaf_gradients_never_share_memory_with_each_other_or_the_caller():
    """A leaf's first gradient is a copy (as module 06 teaches): never the array another leaf,
    the caller's `gradient`, or a read-only broadcast view also uses."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(Tensor([1.0, 1.0]))  # add hands the same array to both leaves
    a.grad.data += 10
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    user = np.array([2.0, 5.0], dtype=np.float32)
    c = Tensor([1.0, 1.0], requires_grad=True)
    (c * 1.0).backward(user)
    c.grad.data *= 0
    np.testing.assert_array_equal(user, [2.0, 5.0])
    d = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    d.sum().backward()  # the gradient of a sum is a read-only broadcast view
    d.sum().backward()
    np.testing.assert_array_equal(d.grad.numpy(), [2.0, 2.0, 2.0])
    w = Linear(3, 2)
    w(Tensor(np.ones((4, 3)))).sum().backward()
    w.weight.grad.data += 1  # every leaf has its own array
    np.testing.assert_allclose(w.bias.grad.numpy(), [4.0, 4.0])
    assert w.weight.grad.shape == (2, 3)


def test_diamond_and_reused_inputs_sum_every_path():
    a = Tensor([1.5], requires_grad=True)
    b = a * 2.0
    c = a * a
    d = b * c + b                      # d = 2a^3 + 2a, dd/da = 6a^2 + 2
    backward(d.sum())
    np.testing.assert_allclose(a.grad.numpy(), [6 * 1.5 ** 2 + 2])
    order = topological_order(d)
    assert order[0] is d and order[-1] is a and len(order) == len(set(map(id, order))) == 5


def test_topological_order_puts_each_tensor_before_its_inputs():
    x = Tensor(np.ones(3), requires_grad=True)
    h = [x]
    for i in range(6):
        h.append(h[-1] * 2.0 + (h[i // 2] if i % 2 else 0.0))
    order = topological_order(h[-1].sum())
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        if t._ctx is not None:
            assert all(position[id(t)] < position[id(u)] for u in t._ctx[1] if u.requires_grad)
    constant = Tensor(np.ones(3))
    assert all(t is not constant for t in topological_order(x * constant))


def test_only_leaves_keep_their_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    backward(h.sum())
    assert h.grad is None and x.grad is not None and x.is_leaf and not h.is_leaf


def test_a_deep_chain_needs_no_recursion():
    x = Tensor([0.5], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0 + 0.0
    limit = sys.getrecursionlimit()
    backward(y.sum())
    assert sys.getrecursionlimit() == limit
    np.testing.assert_allclose(x.grad.numpy(), [1.0])


def test_implicit_gradient_only_for_one_element_outputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        backward(x * 2.0)
    backward((x * 2.0).sum().reshape(1, 1))  # one element: fine, like torch
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_explicit_gradient_must_match_the_shape():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape.*\(3,\).*\(2,\)"):
        backward(x * 2.0, np.ones(3))
    (x * 2.0).backward(Tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_of_a_tensor_that_does_not_require_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        backward(Tensor([1.0]) * 2.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(3.0).backward()


def test_backward_on_a_leaf_sets_its_gradient():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    x.backward(np.array([[3.0, 4.0]]))
    np.testing.assert_allclose(x.grad.numpy(), [[3.0, 4.0]])


def test_an_op_without_a_rule_names_itself():
    x = Tensor([1.0], requires_grad=True)
    y = Tensor.from_op(x.data * 2, "frobnicate", (x,))
    with pytest.raises(RuntimeError, match=r"no gradient rule for op 'frobnicate' \(registered with @gradient\)"):
        backward(y.sum())


def test_later_modules_register_rules_with_the_decorator():
    @gradient("twice_for_test")
    def _twice(grad, out, inputs, saved):
        return (grad * saved["factor"],)
    try:
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = Tensor.from_op(x.data * 2, "twice_for_test", (x,), {"factor": 2.0})
        backward(y, np.array([1.0, 5.0]))
        np.testing.assert_allclose(x.grad.numpy(), [2.0, 10.0])
    finally:
        del GRADIENTS["twice_for_test"]


def test_a_rule_may_return_none_for_an_input():
    @gradient("first_only_for_test")
    def _first(grad, out, inputs, saved):
        return grad, None
    try:
        a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
        backward(Tensor.from_op(a.data + b.data, "first_only_for_test", (a, b)).sum())
        assert a.grad is not None and b.grad is None
    finally:
        del GRADIENTS["first_only_for_test"]


def test_unbroadcast_sums_over_broadcast_dimensions():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (2, 3, 4)), g)
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, (1, 1, 1)), g.sum(keepdims=True))
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())


# --- grad mode -----------------------------------------------------------------------------------
def test_no_grad_records_nothing_and_restores_the_mode():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2.0
        assert not is_grad_enabled()
        with enable_grad():
            z = x * 2.0
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and z.requires_grad
    with pytest.raises(ValueError):
        with no_grad():
            raise ValueError("boom")
    assert is_grad_enabled(), "no_grad restores the mode even when the block raises"


def test_no_grad_is_a_decorator_too():
    @no_grad()
    def predict(t):
        return t * 2.0

    x = Tensor([1.0], requires_grad=True)
    assert not predict(x).requires_grad and predict.__name__ == "predict"
    assert is_grad_enabled()


def test_requires_grad_propagates_and_detach_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    assert (x * c).requires_grad and not (c * c).requires_grad
    d = (x * 3.0).detach()
    assert not d.requires_grad and d.is_leaf
    y = (x * d).sum()
    backward(y)
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 6.0])


# --- a network, against PyTorch -------------------------------------------------------------------
def test_mlp_with_cross_entropy_matches_pytorch():
    _, torch = torch_lib()
    manual_seed(0)
    model = Sequential(Flatten(), Linear(12, 16), ReLU(), Linear(16, 5))
    x = rng(3).standard_normal((8, 3, 4)).astype(np.float32)
    y = rng(4).integers(0, 5, 8)
    loss = CrossEntropyLoss(label_smoothing=0.1)(model(Tensor(x)), Tensor(y))
    loss.backward()

    ref = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 16), torch.nn.ReLU(),
                              torch.nn.Linear(16, 5))
    with torch.no_grad():
        for p, q in zip(ref.parameters(), model.parameters()):
            p.copy_(torch.from_numpy(q.detach().numpy()))
    ref_loss = torch.nn.CrossEntropyLoss(label_smoothing=0.1)(ref(torch.from_numpy(x)), torch.from_numpy(y))
    ref_loss.backward()
    assert np.isclose(loss.item(), ref_loss.item(), rtol=1e-5)
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


def test_stack_from_default_collate_sends_each_sample_its_slice():
    from tinytorch.data import default_collate
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    batch = default_collate([a, b])
    (batch * Tensor(np.array([[1.0, 10.0], [100.0, 1000.0]]))).sum().backward()
    np.testing.assert_allclose(a.grad.data, [1.0, 10.0])
    np.testing.assert_allclose(b.grad.data, [100.0, 1000.0])
