"""tinytorch.core.losses against NumPy formulas (float64) and, when installed, PyTorch."""
import warnings

import numpy as np
import pytest

from tinytorch.core.losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss,
                                   binary_cross_entropy, binary_cross_entropy_with_logits,
                                   cross_entropy, mse_loss)
from tinytorch.core.module import Module
from tinytorch.core.tensor import Tensor

REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


# --- NumPy references (float64) ------------------------------------------------------------------
def reduce_ref(loss, reduction, denominator=None):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / (loss.size if denominator is None else denominator)


def log_softmax_ref(z, axis):
    z = z.astype(np.float64)
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def ce_index_ref(z, y, weight=None, ignore_index=-100, reduction="mean", eps=0.0):
    axis = 0 if z.ndim == 1 else 1
    logp = log_softmax_ref(z, axis)
    C = z.shape[axis]
    w = np.ones(C) if weight is None else weight.astype(np.float64)
    keep = y != ignore_index
    safe = np.where(keep, y, 0)
    picked = np.take_along_axis(logp, np.expand_dims(safe, axis), axis).squeeze(axis)
    w_y = w[safe] * keep
    nll = -w_y * picked
    wshape = (-1,) + (1,) * (z.ndim - axis - 1)
    smooth = -(logp * w.reshape(wshape)).sum(axis=axis) / C * keep
    loss = (1 - eps) * nll + eps * smooth
    return reduce_ref(loss, reduction, w_y.sum())


def ce_prob_ref(z, q, weight=None, reduction="mean", eps=0.0):
    axis = 0 if z.ndim == 1 else 1
    C = z.shape[axis]
    q = q * (1 - eps) + eps / C
    w = np.ones(C) if weight is None else weight.astype(np.float64)
    loss = -(q * log_softmax_ref(z, axis) * w.reshape((-1,) + (1,) * (z.ndim - axis - 1))).sum(axis)
    return reduce_ref(loss, reduction)


def check(out, expected, rtol=1e-5, atol=1e-6):
    assert isinstance(out, Tensor)
    assert out.dtype == np.float32
    expected = np.asarray(expected)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=rtol, atol=atol)


# --- mse_loss ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_mse_matches_numpy(reduction, shape):
    a, b, w = rng(1).standard_normal((3,) + shape).astype(np.float32)
    w = np.abs(w)
    err = (a.astype(np.float64) - b) ** 2
    check(mse_loss(Tensor(a), Tensor(b), reduction=reduction), reduce_ref(err, reduction))
    check(mse_loss(Tensor(a), Tensor(b), reduction=reduction, weight=Tensor(w)),
          reduce_ref(w * err, reduction, w.sum()))


def test_mse_broadcasting_warns_and_broadcasts():
    a = rng(2).standard_normal((4, 1)).astype(np.float32)
    b = rng(3).standard_normal(4).astype(np.float32)
    with pytest.warns(UserWarning, match=r"\(4,\).*\(4, 1\)"):
        out = mse_loss(Tensor(a), Tensor(b), reduction="none")
    check(out, (a.astype(np.float64) - b) ** 2)


def test_mse_errors():
    with pytest.raises(RuntimeError, match=r"input \(4,\) and target \(4, 2\) cannot be broadcast"):
        mse_loss(Tensor(np.zeros(4)), Tensor(np.zeros((4, 2))))
    with pytest.raises(ValueError, match=r"weight \(4, 1\).*input \(4,\)"):
        mse_loss(Tensor(np.zeros(4)), Tensor(np.zeros(4)), weight=Tensor(np.ones((4, 1))))
    with pytest.raises(TypeError, match="must be a Tensor"):
        mse_loss(np.zeros(3), Tensor(np.zeros(3)))


def test_mse_empty_mean_is_nan_and_dtypes():
    assert np.isnan(mse_loss(Tensor(np.zeros(0)), Tensor(np.zeros(0))).item())
    assert mse_loss(Tensor([1.0, 2.0], dtype=np.float64), [0.0, 0.0]).dtype == np.float64
    assert mse_loss(Tensor([1, 2], dtype=np.int64), [0, 0]).dtype == np.float32
    assert mse_loss(Tensor([1.0, 2.0]), np.array([0.0, 0.0])).dtype == np.float32


# --- reduction argument --------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda r: mse_loss(Tensor([1.0]), Tensor([0.0]), reduction=r),
    lambda r: binary_cross_entropy(Tensor([0.5]), Tensor([1.0]), reduction=r),
    lambda r: binary_cross_entropy_with_logits(Tensor([0.5]), Tensor([1.0]), reduction=r),
    lambda r: cross_entropy(Tensor([[0.5, 1.0]]), Tensor([1]), reduction=r),
])
def test_invalid_reduction(call):
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        call("avg")


def test_legacy_size_average_and_reduce():
    x, y = Tensor([1.0, 3.0]), Tensor([0.0, 0.0])
    cases = [({"size_average": False}, 10.0), ({"reduce": False}, [1.0, 9.0]),
             ({"size_average": True, "reduce": True}, 5.0), ({"size_average": False, "reduce": False}, [1.0, 9.0])]
    for kwargs, expected in cases:
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            check(mse_loss(x, y, reduction="none", **kwargs), expected)
    with pytest.warns(UserWarning):
        assert MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert CrossEntropyLoss(None, None, -100, False).reduction == "none"


# --- binary_cross_entropy ------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(), (6,), (3, 4)])
def test_bce_matches_numpy(reduction, shape):
    r = rng(4)
    p = r.uniform(0.01, 0.99, shape).astype(np.float32)
    y = r.random(shape).astype(np.float32)
    w = r.random(shape[-1:]).astype(np.float32)
    pd = p.astype(np.float64)
    loss = -(y * np.log(pd) + (1 - y) * np.log1p(-pd))
    check(binary_cross_entropy(Tensor(p), Tensor(y), reduction=reduction), reduce_ref(loss, reduction), rtol=1e-4)
    check(binary_cross_entropy(Tensor(p), Tensor(y), weight=Tensor(w), reduction=reduction),
          reduce_ref(w * loss, reduction), rtol=1e-4)


def test_bce_clamps_logs_at_minus_100():
    out = binary_cross_entropy(Tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0]),
                               Tensor([1.0, 0.0, 1.0, 0.0, 0.5, 0.5]), reduction="none")
    check(out, [100.0, 100.0, 0.0, 0.0, 50.0, 50.0])
    assert binary_cross_entropy(Tensor([0.0]), Tensor([1.0])).item() == 100.0


def test_bce_errors():
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        binary_cross_entropy(Tensor([0.5, 1.5]), Tensor([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        binary_cross_entropy(Tensor([np.nan]), Tensor([1.0]))
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        binary_cross_entropy(Tensor([0.5]), Tensor([2.0]))
    with pytest.raises(ValueError, match=r"target \(4, 1\) and input \(4,\)"):
        binary_cross_entropy(Tensor(np.full(4, 0.5)), Tensor(np.ones((4, 1))))
    with pytest.raises(RuntimeError, match=r"weight of shape \(3, 1\).*\(2, 3\)"):
        binary_cross_entropy(Tensor(np.full((2, 3), 0.5)), Tensor(np.ones((2, 3))), weight=Tensor(np.ones((3, 1))))


# --- binary_cross_entropy_with_logits ------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(), (6,), (3, 4)])
def test_bce_with_logits_matches_numpy(reduction, shape):
    r = rng(5)
    z = (r.standard_normal(shape) * 5).astype(np.float32)
    y = r.random(shape).astype(np.float32)
    w = r.random(shape).astype(np.float32)
    pw = r.uniform(0.5, 3.0, shape[-1:]).astype(np.float32)
    zd = z.astype(np.float64)
    log_sig, log_not_sig = -np.logaddexp(0, -zd), -np.logaddexp(0, zd)
    plain = -(y * log_sig + (1 - y) * log_not_sig)
    weighted = -w * (pw * y * log_sig + (1 - y) * log_not_sig)
    check(binary_cross_entropy_with_logits(Tensor(z), Tensor(y), reduction=reduction),
          reduce_ref(plain, reduction), rtol=1e-4)
    check(binary_cross_entropy_with_logits(Tensor(z), Tensor(y), weight=Tensor(w), pos_weight=Tensor(pw),
                                           reduction=reduction), reduce_ref(weighted, reduction), rtol=1e-4)


def test_bce_with_logits_is_stable_for_huge_logits():
    out = binary_cross_entropy_with_logits(Tensor([1e4, -1e4, 1e4, -1e4, 100.0]),
                                           Tensor([0.0, 1.0, 1.0, 0.0, 0.5]), reduction="none")
    check(out, [1e4, 1e4, 0.0, 0.0, 50.0])
    check(binary_cross_entropy_with_logits(Tensor([-1e4]), Tensor([1.0]), pos_weight=Tensor([3.0])), 3e4)


def test_bce_with_logits_errors():
    with pytest.raises(ValueError, match=r"target \(5,\) and input \(4,\)"):
        binary_cross_entropy_with_logits(Tensor(np.zeros(4)), Tensor(np.zeros(5)))
    with pytest.raises(RuntimeError, match=r"pos_weight of shape \(2,\).*\(2, 3\)"):
        binary_cross_entropy_with_logits(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 3))), pos_weight=Tensor([1.0, 2.0]))


# --- cross_entropy -------------------------------------------------------------------------------
CE_SHAPES = [(5, 4), (4,), (3, 4, 5), (2, 3, 2, 2)]


def index_target(shape, C, seed):
    ishape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    return rng(seed).integers(0, C, ishape)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_class_indices(reduction, shape):
    C = shape[0] if len(shape) == 1 else shape[1]
    z = (rng(6).standard_normal(shape) * 3).astype(np.float32)
    y = index_target(shape, C, 7)
    w = rng(8).uniform(0.2, 2.0, C).astype(np.float32)
    check(cross_entropy(Tensor(z), Tensor(y), reduction=reduction), ce_index_ref(z, y, reduction=reduction))
    check(cross_entropy(Tensor(z), Tensor(y, dtype=np.int64), weight=Tensor(w), reduction=reduction),
          ce_index_ref(z, y, weight=w, reduction=reduction))
    check(cross_entropy(Tensor(z), y, weight=w, label_smoothing=0.3, reduction=reduction),
          ce_index_ref(z, y, weight=w, reduction=reduction, eps=0.3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_ignore_index(reduction):
    z = rng(9).standard_normal((6, 4)).astype(np.float32)
    y = np.array([0, -100, 3, 2, -100, 1])
    w = np.array([0.5, 1.0, 2.0, 1.5], dtype=np.float32)
    check(cross_entropy(Tensor(z), Tensor(y), reduction=reduction), ce_index_ref(z, y, reduction=reduction))
    check(cross_entropy(Tensor(z), Tensor(y), weight=Tensor(w), label_smoothing=0.1, reduction=reduction),
          ce_index_ref(z, y, weight=w, reduction=reduction, eps=0.1))
    y2 = np.array([0, 1, 3, 2, 1, 1])  # an in-range ignore_index
    check(cross_entropy(Tensor(z), Tensor(y2), weight=Tensor(w), ignore_index=1, reduction=reduction),
          ce_index_ref(z, y2, weight=w, ignore_index=1, reduction=reduction))


def test_cross_entropy_all_ignored_mean_is_nan():
    z = Tensor(np.zeros((3, 2)))
    assert np.isnan(cross_entropy(z, Tensor([-100, -100, -100])).item())
    assert cross_entropy(z, Tensor([-100, -100, -100]), reduction="sum").item() == 0.0
    check(cross_entropy(z, Tensor([-100, -100, -100]), reduction="none"), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_probability_targets(reduction, shape):
    axis = 0 if len(shape) == 1 else 1
    C = shape[axis]
    z = rng(10).standard_normal(shape).astype(np.float32)
    q = rng(11).random(shape)
    q = (q / q.sum(axis=axis, keepdims=True)).astype(np.float32)
    w = rng(12).uniform(0.2, 2.0, C).astype(np.float32)
    check(cross_entropy(Tensor(z), Tensor(q), reduction=reduction), ce_prob_ref(z, q, reduction=reduction))
    check(cross_entropy(Tensor(z), Tensor(q), weight=Tensor(w), label_smoothing=0.2, reduction=reduction),
          ce_prob_ref(z, q, weight=w, reduction=reduction, eps=0.2))


def test_cross_entropy_huge_logits_are_stable():
    z = Tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 3.0], [1e4, 1e4, 1e4]])
    out = cross_entropy(z, Tensor([2, 1, 0]), reduction="none")
    check(out, [2e4, 0.0, np.log(3)])
    assert np.all(np.isfinite(cross_entropy(z, Tensor([2, 1, 0]), label_smoothing=0.1, reduction="none").numpy()))


def test_cross_entropy_unbatched_and_initial_loss():
    out = cross_entropy(Tensor(np.zeros(7)), Tensor(3), reduction="none")
    assert out.shape == ()
    np.testing.assert_allclose(out.item(), np.log(7), rtol=1e-6)
    check(cross_entropy(Tensor(np.zeros(7)), 3), np.log(7))


def test_cross_entropy_negative_label_smoothing_means_none():
    z, y = Tensor(rng(13).standard_normal((4, 3))), Tensor([0, 1, 2, 1])
    assert cross_entropy(z, y, label_smoothing=-0.5).item() == cross_entropy(z, y).item()


def test_cross_entropy_errors():
    z = Tensor(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"input \(4, 3\) and target \(5,\) disagree on batch size"):
        cross_entropy(z, Tensor([0, 1, 2, 0, 1]))
    with pytest.raises(RuntimeError, match=r"target \(4, 6\) does not fit input \(4, 3, 5\).*\(4, 5\)"):
        cross_entropy(Tensor(np.zeros((4, 3, 5))), Tensor(np.zeros((4, 6))))
    with pytest.raises(IndexError, match=r"target 3 is out of range for 3 classes"):
        cross_entropy(z, Tensor([0, 1, 2, 3]))
    with pytest.raises(IndexError, match=r"target -1 is out of range for 3 classes"):
        cross_entropy(z, Tensor([0, -1, 2, 1]))
    with pytest.raises(RuntimeError, match=r"whole numbers.*0\.5"):
        cross_entropy(z, Tensor([0.0, 0.5, 2.0, 1.0]))
    with pytest.raises(RuntimeError, match="integers, not bool"):
        cross_entropy(z, np.array([True, False, True, False]))
    with pytest.raises(RuntimeError, match="floating point, not int64"):
        cross_entropy(z, Tensor(np.zeros((4, 3)), dtype=np.int64))
    with pytest.raises(RuntimeError, match=r"one entry per class, shape \(3,\), but has shape \(2,\)"):
        cross_entropy(z, Tensor([0, 1, 2, 1]), weight=Tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        cross_entropy(z, Tensor([0, 1, 2, 1]), label_smoothing=1.5)
    with pytest.raises(IndexError, match="no class dimension"):
        cross_entropy(Tensor(1.0), Tensor(0))


# --- results are recorded for autograd -----------------------------------------------------------
def test_graph_recording_and_saved_values():
    z = Tensor(rng(14).standard_normal((4, 3)), requires_grad=True)
    target = Tensor([0, 1, 2, 1])
    out = cross_entropy(z, target, weight=Tensor([1.0, 2.0, 3.0]), label_smoothing=0.1)
    op, inputs, saved = out._ctx
    assert op == "cross_entropy" and len(inputs) == 2 and inputs[0] is z and inputs[1] is target
    assert cross_entropy(z, [0, 1, 2, 1])._ctx[1] == (z,)  # a target that is not a Tensor: not recorded
    np.testing.assert_allclose(saved["log_probs"], log_softmax_ref(z.detach().numpy(), 1), rtol=1e-5)
    assert saved["target"].dtype == np.int64 and saved["reduction"] == "mean"
    assert saved["ignore_index"] == -100 and saved["label_smoothing"] == 0.1
    assert saved["weight"].dtype == np.float32
    p = Tensor([0.2, 0.9], requires_grad=True)
    assert binary_cross_entropy(p, Tensor([0.0, 1.0])).grad_fn == "binary_cross_entropy"
    assert binary_cross_entropy_with_logits(p, Tensor([0.0, 1.0])).grad_fn == "binary_cross_entropy_with_logits"
    assert mse_loss(p, Tensor([0.0, 1.0])).grad_fn == "mse_loss"
    assert mse_loss(Tensor([0.2]), Tensor([0.0])).grad_fn is None


# --- the loss modules ----------------------------------------------------------------------------
def test_modules_match_functions():
    z = rng(15).standard_normal((5, 3)).astype(np.float32)
    y = np.array([0, 2, 1, -100, 2])
    w = np.array([1.0, 0.5, 2.0], dtype=np.float32)
    ce = CrossEntropyLoss(weight=Tensor(w), ignore_index=-100, reduction="sum", label_smoothing=0.2)
    assert isinstance(ce, Module) and list(ce.parameters()) == []
    assert (ce.ignore_index, ce.reduction, ce.label_smoothing) == (-100, "sum", 0.2)
    check(ce(Tensor(z), Tensor(y)), ce_index_ref(z, y, weight=w, reduction="sum", eps=0.2))
    p, t = Tensor([[0.2, 0.7, 0.5]]), Tensor([[0.0, 1.0, 1.0]])
    assert BCELoss(weight=Tensor([1.0, 2.0, 3.0]))(p, t).item() == \
        binary_cross_entropy(p, t, weight=Tensor([1.0, 2.0, 3.0])).item()
    bl = BCEWithLogitsLoss(pos_weight=Tensor([2.0, 1.0, 1.0]), reduction="none")
    check(bl(p, t), binary_cross_entropy_with_logits(p, t, pos_weight=Tensor([2.0, 1.0, 1.0]), reduction="none").numpy())
    assert MSELoss()(p, t).item() == mse_loss(p, t).item()
    assert repr(CrossEntropyLoss()) == "CrossEntropyLoss()" and repr(MSELoss()) == "MSELoss()"


def test_module_checks_reduction_when_called():
    loss = MSELoss(reduction="avg")  # like torch: accepted here, rejected on use
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        loss(Tensor([1.0]), Tensor([0.0]))


# --- PyTorch as the oracle -----------------------------------------------------------------------
def test_against_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    T = torch.tensor
    r = rng(16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for reduction in REDUCTIONS:
            for shape in CE_SHAPES + [(0, 3)]:
                axis = 0 if len(shape) == 1 else 1
                C = shape[axis]
                z = (r.standard_normal(shape) * 4).astype(np.float32)
                y = index_target(shape, C, int(r.integers(1000)))
                if y.size:
                    y.flat[0] = -100
                w = r.uniform(0.1, 2.0, C).astype(np.float32)
                for eps in (0.0, 0.15):
                    for weight in (None, w):
                        tw = None if weight is None else T(weight)
                        check(cross_entropy(Tensor(z), Tensor(y), weight=weight, reduction=reduction, label_smoothing=eps),
                              F.cross_entropy(T(z), T(y), weight=tw, reduction=reduction, label_smoothing=eps).numpy())
                        q = r.random(shape).astype(np.float32)
                        check(cross_entropy(Tensor(z), Tensor(q), weight=weight, reduction=reduction, label_smoothing=eps),
                              F.cross_entropy(T(z), T(q), weight=tw, reduction=reduction, label_smoothing=eps).numpy())
            for shape in [(7,), (3, 4)]:
                p = r.random(shape).astype(np.float32)
                p.flat[0], p.flat[1] = 0.0, 1.0
                y = r.random(shape).astype(np.float32)
                w = r.random(shape[-1:]).astype(np.float32)
                check(binary_cross_entropy(Tensor(p), Tensor(y), weight=Tensor(w), reduction=reduction),
                      F.binary_cross_entropy(T(p), T(y), weight=T(w), reduction=reduction).numpy(), rtol=1e-4)
                z = (r.standard_normal(shape) * 30).astype(np.float32)
                pw = r.uniform(0.2, 4.0, shape[-1:]).astype(np.float32)
                check(binary_cross_entropy_with_logits(Tensor(z), Tensor(y), weight=Tensor(w), pos_weight=Tensor(pw), reduction=reduction),
                      F.binary_cross_entropy_with_logits(T(z), T(y), weight=T(w), pos_weight=T(pw), reduction=reduction).numpy(), rtol=1e-4)
                a = r.standard_normal(shape).astype(np.float32)
                check(mse_loss(Tensor(a), Tensor(y), reduction=reduction, weight=Tensor(np.abs(z))),
                      F.mse_loss(T(a), T(y), reduction=reduction, weight=T(np.abs(z))).numpy(), rtol=1e-4)
                check(mse_loss(Tensor(a), Tensor(y[..., :1]), reduction=reduction),
                      F.mse_loss(T(a), T(y[..., :1]), reduction=reduction).numpy())
