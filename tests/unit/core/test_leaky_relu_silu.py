"""tinytorch leaky_relu / silu and nn.LeakyReLU / nn.SiLU against PyTorch: values, gradients, dtypes, edges."""
import warnings

import numpy as np
import pytest

import tinytorch.nn.functional as F
from tinytorch import nn
from tinytorch.core.autograd import GRADIENTS
from tinytorch.core.tensor import Tensor
from tinytorch import tensor as tt_tensor

torch = pytest.importorskip("torch")

EDGES = [-np.inf, -1e30, -1000.0, -100.0, -30.0, -1.0, -1e-8, -0.0, 0.0, 1e-8, 1.0, 30.0, 100.0, 1000.0, 1e30,
         np.inf, np.nan]
CASES = [("leaky_relu", lambda L, x: L.leaky_relu(x)), ("leaky_relu-0.2", lambda L, x: L.leaky_relu(x, 0.2)),
         ("leaky_relu-neg", lambda L, x: L.leaky_relu(x, -1.5)), ("leaky_relu-0", lambda L, x: L.leaky_relu(x, 0.0)),
         ("silu", lambda L, x: L.silu(x))]


def both(fn, a):
    """fn on a tinytorch and a torch tensor that require grad, then backward of sum(out * w)."""
    w = np.random.default_rng(3).standard_normal(a.shape).astype(a.dtype)
    ours = tt_tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    out_ours, out_theirs = fn(F, ours), fn(torch.nn.functional, theirs)
    (out_ours * tt_tensor(w)).sum().backward()
    (out_theirs * torch.tensor(w)).sum().backward()
    return out_ours, ours.grad, out_theirs, theirs.grad


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-6), (np.float64, 1e-13)])
@pytest.mark.parametrize("name, fn", CASES)
def test_values_and_gradients_match_pytorch(name, fn, dtype, rtol):
    a = (np.random.default_rng(0).standard_normal((4, 6)) * 4).astype(dtype)
    a[0, :3] = [0.0, -0.0, 1e-3]
    out, grad, out_t, grad_t = both(fn, a)
    assert out.dtype == dtype and grad.dtype == dtype and out.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=rtol, atol=1e-30)
    np.testing.assert_allclose(grad.data, grad_t.numpy(), rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, fn", CASES)
def test_extremes_match_pytorch_and_finite_ones_raise_no_warnings(name, fn, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(F, tt_tensor(np.array([v for v in EDGES if np.isfinite(v)], dtype=dtype), requires_grad=True))
        out.backward(tt_tensor(np.ones(out.shape, dtype=dtype)))
    a = np.array(EDGES, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # -inf * 0 is nan, in PyTorch too
        out, grad, out_t, grad_t = both(fn, a)
    # atol: silu(-100) in float32 is a subnormal -3.8e-42 here, -0.0 in PyTorch
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=2e-6, atol=1e-40, equal_nan=True)
    np.testing.assert_allclose(grad.data, grad_t.numpy(), rtol=2e-6, atol=1e-40, equal_nan=True)
    assert np.array_equal(np.signbit(out.data), np.signbit(out_t.detach().numpy())), "signs of zeros, as in PyTorch"


def test_gradient_at_zero_is_the_negative_slope_like_pytorch():
    for slope in (0.01, 0.5):
        x = Tensor(np.zeros(3), requires_grad=True)
        F.leaky_relu(x, slope).sum().backward()
        np.testing.assert_allclose(x.grad.data, [slope] * 3)
        t = torch.zeros(3, requires_grad=True)
        torch.nn.functional.leaky_relu(t, slope).sum().backward()
        np.testing.assert_allclose(x.grad.data, t.grad.numpy())


def test_zero_d_empty_and_integer_inputs():
    for fn in (F.leaky_relu, F.silu):
        assert fn(Tensor(np.float32(-2.0))).shape == ()
        assert fn(Tensor(np.zeros((0, 3), dtype=np.float32))).shape == (0, 3)
        assert fn(tt_tensor(np.array([-2, 3]))).dtype == np.float32
    with pytest.raises(TypeError, match="leaky_relu"):
        F.leaky_relu(np.ones(2))
    with pytest.raises(TypeError, match="silu"):
        F.silu([1.0])


def test_ops_are_recorded_once_with_a_rule():
    x = Tensor(np.ones(2), requires_grad=True)
    assert F.leaky_relu(x, 0.3)._ctx[0] == "leaky_relu" and F.silu(x)._ctx[0] == "silu"
    assert {"leaky_relu", "silu"} <= set(GRADIENTS)


@pytest.mark.parametrize("ours, theirs", [
    (lambda: nn.LeakyReLU(), lambda: torch.nn.LeakyReLU()),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    (lambda: nn.LeakyReLU(0.1, inplace=True), lambda: torch.nn.LeakyReLU(0.1, inplace=True)),
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nn.SiLU(inplace=True), lambda: torch.nn.SiLU(inplace=True)),
])
def test_layers_match_pytorch_layers_reprs_and_inplace(ours, theirs):
    layer, ref = ours(), theirs()
    assert repr(layer) == repr(ref)
    a = np.linspace(-3, 3, 13).astype(np.float32)
    x = Tensor(a.copy())
    out = layer(x)
    np.testing.assert_allclose(out.data, ref(torch.tensor(a.copy())).numpy(), rtol=2e-6)
    assert (out is x) == layer.inplace and list(layer.parameters()) == []
    if layer.inplace:
        np.testing.assert_allclose(x.data, out.data)
        with pytest.raises(RuntimeError, match="inplace"):
            layer(Tensor(a, requires_grad=True))
    else:
        np.testing.assert_array_equal(x.data, a)
