"""tinytorch.core.activations: values against NumPy formulas and PyTorch, edge cases, errors, reprs."""
import math
import re
import warnings

import numpy as np
import pytest

from tinytorch.core.activations import (GELU, ReLU, Sigmoid, Softmax, LogSoftmax, Tanh, erf, gelu,
                                        log_softmax, relu, sigmoid, softmax, tanh)
from tinytorch.core.module import Module
from tinytorch.core.tensor import Tensor

ELEMENTWISE = [relu, sigmoid, tanh, gelu, lambda x: gelu(x, approximate="tanh")]
EXTREMES = [-np.inf, -1000.0, -100.0, -30.0, -5.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 5.0, 30.0, 100.0, 1000.0, np.inf]


@pytest.fixture
def no_warnings():
    """Any warning (e.g. NumPy's overflow RuntimeWarning) inside the test is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def data(shape, seed=0, scale=3.0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale, dtype=np.float32)


# --- against NumPy formulas (float64 references) ------------------------------------------------
def test_relu_sigmoid_tanh_match_their_formulas():
    a = data((4, 5))
    b = a.astype(np.float64)
    np.testing.assert_array_equal(relu(Tensor(a)).numpy(), np.maximum(a, 0))
    np.testing.assert_allclose(sigmoid(Tensor(a)).numpy(), 1 / (1 + np.exp(-b)), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(tanh(Tensor(a)).numpy(), np.tanh(b), rtol=1e-6, atol=1e-7)


def test_gelu_matches_math_erf_and_the_tanh_formula():
    a = np.linspace(-6, 6, 241).astype(np.float32)
    exact = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in a.tolist()])
    np.testing.assert_allclose(gelu(Tensor(a)).numpy(), exact, rtol=1e-6, atol=1e-7)
    b = a.astype(np.float64)
    approx = 0.5 * b * (1 + np.tanh(math.sqrt(2 / math.pi) * (b + 0.044715 * b ** 3)))
    np.testing.assert_allclose(gelu(Tensor(a), approximate="tanh").numpy(), approx, rtol=1e-5, atol=1e-6)


def test_exact_gelu_keeps_relative_accuracy_in_the_negative_tail():
    a = np.array([-3.0, -5.0, -7.0, -9.0, -12.0])
    exact = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in a])
    np.testing.assert_allclose(gelu(Tensor(a)).numpy(), exact, rtol=1e-6, atol=0)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
def test_softmax_and_log_softmax_match_numpy_on_every_dim(dim):
    a = data((2, 3, 4), scale=10)
    b = a.astype(np.float64)
    shifted = b - b.max(axis=dim, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    np.testing.assert_allclose(softmax(Tensor(a), dim).numpy(), np.exp(shifted - lse), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(log_softmax(Tensor(a), dim).numpy(), shifted - lse, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(softmax(Tensor(a), dim).numpy().sum(axis=dim), 1, rtol=1e-6)


# --- erf ---------------------------------------------------------------------------------------
def test_erf_is_accurate_to_1e_7_against_math_erf():
    grid = np.linspace(-7, 7, 14001)
    reference = np.array([math.erf(v) for v in grid])
    assert np.abs(erf(Tensor(grid, dtype=np.float64)).numpy() - reference).max() < 1e-7


def test_erf_is_relatively_accurate_near_zero_and_saturates():
    tiny = np.array([1e-30, -1e-8, 1e-4, 0.3, -0.49])
    reference = np.array([math.erf(v) for v in tiny])
    np.testing.assert_allclose(erf(Tensor(tiny, dtype=np.float64)).numpy(), reference, rtol=1e-8)
    y = erf(Tensor([-np.inf, -10.0, 0.0, 10.0, np.inf, np.nan]))
    assert y.dtype == np.float32
    assert y.tolist()[:5] == [-1.0, -1.0, 0.0, 1.0, 1.0] and np.isnan(y.numpy()[5])


# --- against PyTorch ---------------------------------------------------------------------------
def test_elementwise_functions_match_torch_on_extremes(no_warnings):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    values = np.array(EXTREMES + [np.nan], dtype=np.float32)
    t = torch.tensor(values)
    pairs = [(relu, F.relu), (sigmoid, torch.sigmoid), (tanh, torch.tanh), (erf, torch.erf),
             (lambda x: gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"))]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(Tensor(values)).numpy(), theirs(t).numpy(), rtol=1e-6, atol=1e-6,
                                   equal_nan=True)
    # exact GELU: torch returns nan at +inf where the limit (ours) is +inf; compare the finite inputs
    finite = np.isfinite(values) | np.isnan(values)
    np.testing.assert_allclose(gelu(Tensor(values)).numpy()[finite], F.gelu(t).numpy()[finite],
                               rtol=1e-6, atol=1e-6, equal_nan=True)


def test_random_inputs_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    a = data((8, 7, 5), seed=3, scale=6)
    t = torch.tensor(a)
    for approximate in ("none", "tanh"):
        np.testing.assert_allclose(gelu(Tensor(a), approximate).numpy(), F.gelu(t, approximate=approximate).numpy(),
                                   rtol=1e-5, atol=1e-6)
    for dim in range(-3, 3):
        np.testing.assert_allclose(softmax(Tensor(a), dim).numpy(), F.softmax(t, dim).numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(log_softmax(Tensor(a), dim).numpy(), F.log_softmax(t, dim).numpy(),
                                   rtol=1e-5, atol=1e-5)


def test_softmax_edge_rows_match_torch(no_warnings):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rows = np.array([[-np.inf, -np.inf, -np.inf], [-np.inf, 0.0, 1.0], [np.inf, 1.0, 2.0],
                     [np.nan, 1.0, 2.0], [1000.0, -1000.0, 1000.0], [-1e30, 3e38, -3e38]], dtype=np.float32)
    t = torch.tensor(rows)
    np.testing.assert_allclose(softmax(Tensor(rows), 1).numpy(), F.softmax(t, 1).numpy(), equal_nan=True, atol=1e-7)
    np.testing.assert_allclose(log_softmax(Tensor(rows), 1).numpy(), F.log_softmax(t, 1).numpy(), equal_nan=True,
                               atol=1e-5)


def test_layers_match_torch_layers_and_reprs():
    torch = pytest.importorskip("torch")
    a = data((3, 4), seed=4)
    pairs = [(ReLU(), torch.nn.ReLU()), (Sigmoid(), torch.nn.Sigmoid()), (Tanh(), torch.nn.Tanh()),
             (GELU(), torch.nn.GELU()), (GELU("tanh"), torch.nn.GELU("tanh")),
             (Softmax(dim=1), torch.nn.Softmax(dim=1)), (Softmax(-2), torch.nn.Softmax(-2)),
             (LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)), (Softmax(), torch.nn.Softmax()),
             (LogSoftmax(), torch.nn.LogSoftmax())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_allclose(ours(Tensor(a)).numpy(), theirs(torch.tensor(a)).numpy(), rtol=1e-5, atol=1e-6)


# --- stability, dtypes, shapes ------------------------------------------------------------------
def test_sigmoid_is_stable_and_exact_at_the_limits(no_warnings):
    y = sigmoid(Tensor([-1000.0, -np.inf, 0.0, 1000.0, np.inf]))
    assert y.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    np.testing.assert_allclose(sigmoid(Tensor([-80.0, -30.0])).numpy(), [math.exp(-80), 1 / (1 + math.exp(30))],
                               rtol=1e-5)
    assert np.isnan(sigmoid(Tensor([np.nan])).numpy()[0])


def test_huge_inputs_raise_no_warnings(no_warnings):
    big = Tensor([-3e38, -1000.0, 1000.0, 3e38])
    for fn in ELEMENTWISE:
        assert np.isfinite(fn(big).numpy()).all()
    assert gelu(big).tolist() == [0.0, 0.0, 1000.0, np.float32(3e38).item()]
    np.testing.assert_allclose(softmax(Tensor([[1000.0, 1000.0, -1000.0]]), 1).numpy(), [[0.5, 0.5, 0.0]])
    np.testing.assert_allclose(log_softmax(Tensor([[0.0, -200.0], [1000.0, 0.0]]), 1).numpy(),
                               [[0.0, -200.0], [0.0, -1000.0]])


def test_gelu_at_infinities_is_inf_and_nan():
    # +inf -> +inf (the limit; torch's tanh mode agrees), -inf -> -inf * 0 = nan as in torch
    for approximate in ("none", "tanh"):
        y = gelu(Tensor([np.inf, -np.inf]), approximate).numpy()
        assert y[0] == np.inf and np.isnan(y[1])


@pytest.mark.parametrize("fn", ELEMENTWISE + [lambda x: softmax(x, -1), lambda x: log_softmax(x, 0), erf])
def test_float32_in_float32_out_and_shapes_kept(fn):
    for shape in [(), (0,), (3, 0), (2, 3), (2, 1, 3)]:
        y = fn(Tensor(np.ones(shape, dtype=np.float32)))
        assert isinstance(y, Tensor) and y.shape == shape and y.dtype == np.float32


def test_dtypes_follow_torch():
    ints = Tensor(np.array([-2, 3]), dtype=np.int64)
    assert relu(ints).dtype == np.int64 and relu(ints).tolist() == [0, 3]
    for fn in (sigmoid, tanh, lambda x: softmax(x, 0), lambda x: log_softmax(x, 0)):
        assert fn(ints).dtype == np.float32
        assert fn(Tensor([1.0, 2.0], dtype=np.float64)).dtype == np.float64
    assert gelu(Tensor([1.0, 2.0], dtype=np.float64)).dtype == np.float64
    with pytest.raises(NotImplementedError, match=r"gelu.*int64"):
        gelu(ints)  # as in PyTorch


def test_zero_d_and_empty_softmax():
    assert softmax(Tensor(3.0), 0).item() == 1.0 and softmax(Tensor(3.0), -1).shape == ()
    assert log_softmax(Tensor(-7.0), 0).item() == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert softmax(Tensor(np.zeros((3, 0))), 1).shape == (3, 0)
        assert log_softmax(Tensor(np.zeros((3, 0))), 1).shape == (3, 0)
        assert softmax(Tensor(np.zeros((0, 3))), 1).shape == (0, 3)


# --- dim handling -------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, implicit", [((), 0), ((4,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)])
def test_implicit_dim_follows_the_legacy_rule_and_warns(shape, implicit):
    a = data(shape, seed=1)
    for fn in (softmax, log_softmax):
        with pytest.warns(UserWarning, match=f"dim={implicit}"):
            y = fn(Tensor(a))
        np.testing.assert_array_equal(y.numpy(), fn(Tensor(a), implicit).numpy())
    with pytest.warns(UserWarning, match="implicitly"):
        Softmax()(Tensor(a))


def test_negative_dim_equals_positive_dim():
    a = data((2, 3, 4))
    for fn in (softmax, log_softmax):
        for d in range(3):
            np.testing.assert_array_equal(fn(Tensor(a), d - 3).numpy(), fn(Tensor(a), d).numpy())


@pytest.mark.parametrize("shape, dim", [((2, 3), 2), ((2, 3), -3), ((), 1), ((), -2), ((5,), 1)])
def test_out_of_range_dim_names_dim_and_shape(shape, dim):
    for fn, name in ((softmax, "softmax"), (log_softmax, "log_softmax")):
        with pytest.raises(IndexError, match=rf"{name}: dim {dim} is out of range for a tensor of shape "
                                             rf"{re.escape(str(shape))}"):
            fn(Tensor(np.zeros(shape)), dim)


# --- autograd records, errors, layers -----------------------------------------------------------
def test_ops_record_name_and_saved_values():
    x = Tensor([[-1.0, 0.5, 2.0]], requires_grad=True)
    for y, name, keys in [(relu(x), "relu", {"out"}), (sigmoid(x), "sigmoid", {"out"}), (tanh(x), "tanh", {"out"}),
                          (gelu(x, "tanh"), "gelu", {"approximate"}), (softmax(x, -1), "softmax", {"out", "dim"}),
                          (log_softmax(x, 1), "log_softmax", {"out", "dim"}), (erf(x), "erf", set())]:
        op, inputs, saved = y._ctx
        assert op == name and inputs == (x,) and set(saved) == keys
        if "out" in saved:
            np.testing.assert_array_equal(saved["out"], y.detach().numpy())
    assert softmax(x, -1)._ctx[2]["dim"] == 1 and gelu(x, "tanh")._ctx[2]["approximate"] == "tanh"
    assert relu(Tensor([1.0])).grad_fn is None


@pytest.mark.parametrize("fn", [relu, sigmoid, tanh, gelu, softmax, log_softmax, erf])
def test_non_tensor_input_is_a_type_error(fn):
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        fn([1.0, 2.0])


def test_bad_gelu_approximate_is_a_value_error():
    with pytest.raises(ValueError, match="'fast'"):
        gelu(Tensor([1.0]), approximate="fast")
    with pytest.raises(ValueError, match="'Tanh'"):
        GELU("Tanh")(Tensor([1.0]))


def test_layers_are_modules_without_parameters():
    for layer in (ReLU(), Sigmoid(), Tanh(), GELU(), Softmax(1), LogSoftmax(1)):
        assert isinstance(layer, Module) and list(layer.parameters()) == []
    assert [repr(m) for m in (ReLU(), Sigmoid(), Tanh(), GELU(), GELU(approximate="tanh"), Softmax(dim=1),
                              Softmax(), LogSoftmax(-1))] == [
        "ReLU()", "Sigmoid()", "Tanh()", "GELU(approximate='none')", "GELU(approximate='tanh')", "Softmax(dim=1)",
        "Softmax(dim=None)", "LogSoftmax(dim=-1)"]
    x = Tensor(data((2, 3)))
    np.testing.assert_array_equal(GELU("tanh")(x).numpy(), gelu(x, "tanh").numpy())
    np.testing.assert_array_equal(LogSoftmax(0)(x).numpy(), log_softmax(x, 0).numpy())
