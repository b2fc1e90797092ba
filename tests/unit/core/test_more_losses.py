"""tinytorch l1_loss, smooth_l1_loss, nll_loss and their modules against PyTorch: values, gradients, dtypes, edges."""
import warnings

import numpy as np
import pytest

import tinytorch.nn.functional as F
from tinytorch import nn
from tinytorch import tensor as tt_tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def run(fn, x, y, wants_target_grad=False, **kwargs):
    """fn(x, y, **kwargs) in both libraries, backward of sum(out * g); (ours, theirs) as
    (value, input grad, target grad or None) NumPy triples."""
    results = []
    for lib, make in ((F, tt_tensor), (TF, torch.tensor)):
        xt = make(x, requires_grad=True)
        yt = make(y, requires_grad=wants_target_grad)
        extra = {k: (make(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        out = getattr(lib, fn)(xt, yt, **extra)
        g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(x.dtype)
        (out * make(g)).sum().backward()
        value = out.detach().numpy()
        results.append((value, xt.grad.numpy(), None if not wants_target_grad else yt.grad.numpy()))
    return results


def assert_same(ours, theirs, dtype):
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
            continue
        assert a.dtype == b.dtype == dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-7 if dtype == np.float32 else 1e-14, equal_nan=True)


DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("fn, kwargs", [("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.3}),
                                        ("smooth_l1_loss", {"beta": 0.0}), ("smooth_l1_loss", {"beta": 5.0})])
def test_pointwise_losses_match_pytorch(fn, kwargs, reduction, dtype):
    r = np.random.default_rng(0)
    x = (r.standard_normal((4, 5)) * 2).astype(dtype)
    y = (r.standard_normal((4, 5)) * 2).astype(dtype)
    y[0, :2] = x[0, :2]  # zero errors: slope 0 at d = 0
    y[1, 0] = x[1, 0] - dtype(kwargs.get("beta", 1.0))  # exactly at |d| = beta
    ours, theirs = run(fn, x, y, wants_target_grad=True, reduction=reduction, **kwargs)
    assert_same(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weighted_l1_matches_pytorch(reduction, dtype):
    r = np.random.default_rng(2)
    x, y = r.standard_normal((3, 4)).astype(dtype), r.standard_normal((3, 4)).astype(dtype)
    w = r.random((3, 4)).astype(dtype)
    ours, theirs = run("l1_loss", x, y, reduction=reduction, weight=w)
    assert_same(ours, theirs, dtype)
    with pytest.raises(ValueError, match="same size"):
        F.l1_loss(tt_tensor(x), tt_tensor(y), weight=tt_tensor(w[0]))


@pytest.mark.parametrize("fn", ["l1_loss", "smooth_l1_loss"])
def test_broadcast_target_warns_like_pytorch_and_empty_mean_is_nan(fn):
    x, y = np.ones((3, 4)), np.arange(4.0)
    with pytest.warns(UserWarning, match="target size"):
        ours = getattr(F, fn)(tt_tensor(x), tt_tensor(y))
    with pytest.warns(UserWarning, match="target size"):
        theirs = getattr(TF, fn)(torch.tensor(x), torch.tensor(y))
    assert ours.item() == pytest.approx(theirs.item())
    with pytest.raises(RuntimeError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(F, fn)(tt_tensor(x), tt_tensor(np.ones(3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        empty = getattr(F, fn)(tt_tensor(np.zeros((0, 2))), tt_tensor(np.zeros((0, 2))))
    assert np.isnan(empty.item()) and np.isnan(getattr(TF, fn)(torch.zeros(0, 2), torch.zeros(0, 2)).item())


def test_smooth_l1_rejects_negative_beta_and_accepts_legacy_flags():
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(tt_tensor(np.ones(2)), tt_tensor(np.zeros(2)), beta=-0.1)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        ours = F.smooth_l1_loss(tt_tensor(np.ones(2)), tt_tensor(np.zeros(2)), size_average=False)
    assert ours.item() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        F.l1_loss(tt_tensor(np.ones(2)), tt_tensor(np.zeros(2)), reduction="avg")


NLL_CASES = [
    ((5, 4), np.array([0, 3, 1, 3, 2]), {}),
    ((5, 4), np.array([0, 3, -100, 1, 3]), {"weight": np.array([0.5, 1.0, 2.0, 1.5])}),
    ((3, 4), np.array([2, 1, 1]), {"ignore_index": 1}),
    ((3, 4), np.array([2, 1, 1]), {"ignore_index": 1, "weight": np.array([1.0, 2.0, 3.0, 4.0])}),
    ((2, 3, 2), np.array([[0, 2], [1, 1]]), {}),
    ((2, 3, 2, 2), np.array([[[0, 2], [1, 1]], [[2, 2], [0, -100]]]), {"weight": np.array([2.0, 0.5, 1.0])}),
    ((4,), np.array(2), {}),
    ((3, 2), np.array([-100, -100, -100]), {}),  # nothing to average: nan
    ((3, 2), np.array([0, 1, 0]), {"weight": np.zeros(2)}),  # all weights 0: nan, and nan gradients
    ((0, 3), np.zeros(0, dtype=np.int64), {}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", range(len(NLL_CASES)))
def test_nll_loss_matches_pytorch(case, reduction, dtype):
    shape, target, kwargs = NLL_CASES[case]
    x = np.random.default_rng(case).standard_normal(shape).astype(dtype)
    kwargs = {k: (v.astype(dtype) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    ours, theirs = run("nll_loss", x, target, reduction=reduction, **kwargs)
    assert_same(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_of_log_softmax_is_cross_entropy(dtype):
    z = tt_tensor(np.random.default_rng(4).standard_normal((6, 5)).astype(dtype), requires_grad=True)
    y = tt_tensor(np.array([0, 4, 2, 2, 1, 3]))
    w = tt_tensor(np.linspace(0.5, 2.0, 5).astype(dtype))
    a = F.nll_loss(F.log_softmax(z, dim=1), y, weight=w)
    a.backward()
    grad_nll = z.grad.data.copy()
    z.grad = None
    b = F.cross_entropy(z, y, weight=w)
    b.backward()
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)
    np.testing.assert_allclose(grad_nll, z.grad.data, rtol=1e-5, atol=1e-7)


def test_nll_errors():
    x = tt_tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError):
        F.nll_loss(x, tt_tensor(np.array([0, 3])))
    with pytest.raises(IndexError):
        F.nll_loss(tt_tensor(np.float64(1.0)), tt_tensor(np.array(0)))
    with pytest.raises(RuntimeError):
        F.nll_loss(x, tt_tensor(np.array([0, 1])), weight=tt_tensor(np.ones(2)))
    with pytest.raises((RuntimeError, ValueError)):
        F.nll_loss(x, tt_tensor(np.array([0, 1, 2])))


@pytest.mark.parametrize("ours, theirs, x, y", [
    (lambda: nn.L1Loss(), lambda: torch.nn.L1Loss(), (3, 4), (3, 4)),
    (lambda: nn.L1Loss(reduction="sum"), lambda: torch.nn.L1Loss(reduction="sum"), (3, 4), (3, 4)),
    (lambda: nn.SmoothL1Loss(beta=0.5), lambda: torch.nn.SmoothL1Loss(beta=0.5), (3, 4), (3, 4)),
    (lambda: nn.SmoothL1Loss(reduction="none"), lambda: torch.nn.SmoothL1Loss(reduction="none"), (3, 4), (3, 4)),
    (lambda: nn.NLLLoss(), lambda: torch.nn.NLLLoss(), (3, 4), None),
    (lambda: nn.NLLLoss(weight=tt_tensor(np.array([1.0, 2.0, 3.0, 4.0])), ignore_index=2, reduction="sum"),
     lambda: torch.nn.NLLLoss(weight=torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64), ignore_index=2,
                              reduction="sum"), (3, 4), None),
])
def test_loss_modules_match_pytorch(ours, theirs, x, y):
    r = np.random.default_rng(5)
    a = r.standard_normal(x)
    b = r.standard_normal(y) if y else np.array([2, 0, 3])
    mine, ref = ours(), theirs()
    assert repr(mine) == repr(ref) and list(mine.parameters()) == []
    got = mine(tt_tensor(a), tt_tensor(b))
    want = ref(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12)
    assert mine.reduction == ref.reduction
    assert getattr(mine, "beta", None) == getattr(ref, "beta", None)
    assert getattr(mine, "ignore_index", None) == getattr(ref, "ignore_index", None)
