"""Losses against PyTorch: gradients for targets, weights that require grad, every target ignored,
integer targets of the binary losses (issue 14)."""
import warnings

import numpy as np
import pytest

from tinytorch.core.losses import (CrossEntropyLoss, binary_cross_entropy, binary_cross_entropy_with_logits,
                                   cross_entropy, mse_loss)
from tinytorch.core.tensor import Tensor

torch = pytest.importorskip("torch")
F = torch.nn.functional

DTYPES = [(np.float32, torch.float32, 1e-5), (np.float64, torch.float64, 1e-12)]
REDUCTIONS = ["mean", "sum", "none"]


def pair(values, dtype, torch_dtype, requires_grad=True):
    return (Tensor(values, dtype=dtype, requires_grad=requires_grad),
            torch.tensor(values, dtype=torch_dtype, requires_grad=requires_grad))


def run_both(ours, theirs, tensors, reduction):
    out, ref = ours(), theirs()
    upstream = np.linspace(0.5, 1.5, max(ref.numel(), 1)).reshape(ref.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream, dtype=ref.dtype))
    return out, ref


def check(out, ref, tensors, rtol):
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=rtol)
    for ours, theirs in tensors:
        assert ours.grad is not None, "the target should receive a gradient, as in PyTorch"
        assert ours.grad.dtype == ours.dtype
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype,torch_dtype,rtol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_target_gradient(dtype, torch_dtype, rtol, reduction):
    rng = np.random.default_rng(0)
    (x, xr), (y, yr) = (pair(rng.standard_normal((3, 4)), dtype, torch_dtype) for _ in range(2))
    out, ref = run_both(lambda: mse_loss(x, y, reduction=reduction),
                        lambda: F.mse_loss(xr, yr, reduction=reduction), None, reduction)
    check(out, ref, [(x, xr), (y, yr)], rtol)


@pytest.mark.parametrize("dtype,torch_dtype,rtol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_target_gradient(dtype, torch_dtype, rtol, reduction, weighted):
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, (3, 4))
    p[0, 0], p[0, 1] = 0.0, 1.0  # the edges: log clamped in the loss, target gradient infinite
    (x, xr), (y, yr) = pair(p, dtype, torch_dtype), pair(rng.uniform(0, 1, (3, 4)), dtype, torch_dtype)
    w = rng.uniform(0.5, 2, (3, 4)) if weighted else None
    wt, wr = (None, None) if w is None else (Tensor(w, dtype=dtype), torch.tensor(w, dtype=torch_dtype))
    out, ref = run_both(lambda: binary_cross_entropy(x, y, weight=wt, reduction=reduction),
                        lambda: F.binary_cross_entropy(xr, yr, weight=wr, reduction=reduction), None, reduction)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(y.grad.data, yr.grad.numpy(), rtol=rtol)  # inf where PyTorch's is inf
    finite = np.isfinite(xr.grad.numpy())
    np.testing.assert_allclose(x.grad.data[finite], xr.grad.numpy()[finite], rtol=max(rtol, 1e-7), atol=rtol)


@pytest.mark.parametrize("dtype,torch_dtype,rtol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight"])
def test_bce_with_logits_target_gradient(dtype, torch_dtype, rtol, reduction, options):
    rng = np.random.default_rng(2)
    (x, xr), (y, yr) = pair(3 * rng.standard_normal((3, 4)), dtype, torch_dtype), pair(rng.uniform(0, 1, (3, 4)), dtype, torch_dtype)
    kw, kwr = {}, {}
    if options == "weight":
        w = rng.uniform(0.5, 2, (3, 4))
        kw, kwr = {"weight": Tensor(w, dtype=dtype)}, {"weight": torch.tensor(w, dtype=torch_dtype)}
    if options == "pos_weight":
        w = rng.uniform(0.5, 3, 4)
        kw, kwr = {"pos_weight": Tensor(w, dtype=dtype)}, {"pos_weight": torch.tensor(w, dtype=torch_dtype)}
    out, ref = run_both(lambda: binary_cross_entropy_with_logits(x, y, reduction=reduction, **kw),
                        lambda: F.binary_cross_entropy_with_logits(xr, yr, reduction=reduction, **kwr),
                        None, reduction)
    check(out, ref, [(x, xr), (y, yr)], rtol * 10)


@pytest.mark.parametrize("dtype,torch_dtype,rtol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 3, 2)])
def test_cross_entropy_probability_target_gradient(dtype, torch_dtype, rtol, reduction, smoothing, shape):
    rng = np.random.default_rng(3)
    axis = 0 if len(shape) == 1 else 1
    q = rng.uniform(0, 1, shape)
    q /= q.sum(axis=axis, keepdims=True)
    (x, xr), (y, yr) = pair(rng.standard_normal(shape), dtype, torch_dtype), pair(q, dtype, torch_dtype)
    weight = rng.uniform(0.5, 2, shape[axis])
    for w, wr in [(None, None), (Tensor(weight, dtype=dtype), torch.tensor(weight, dtype=torch_dtype))]:
        for t in (x, xr, y, yr):
            t.grad = None
        out, ref = run_both(
            lambda: cross_entropy(x, y, weight=w, reduction=reduction, label_smoothing=smoothing),
            lambda: F.cross_entropy(xr, yr, weight=wr, reduction=reduction, label_smoothing=smoothing),
            None, reduction)
        check(out, ref, [(x, xr), (y, yr)], rtol * 10)


def test_target_that_does_not_require_grad_gets_none_and_costs_nothing():
    x = Tensor([0.2, 0.7], requires_grad=True)
    y = Tensor([0.0, 1.0])
    mse_loss(x, y).backward()
    assert y.grad is None and x.grad is not None


@pytest.mark.parametrize("case", ["ce-index", "bce", "bce-logits", "bce-logits-pos", "mse", "ce-prob"])
def test_weight_that_requires_grad_raises(case):
    """PyTorch raises for the first four; for mse and probability targets it differentiates the
    weight, which tinytorch refuses clearly instead (a documented difference)."""
    x = Tensor([[0.2, 0.6, 0.3], [0.5, 0.1, 0.9]], requires_grad=True)
    xr = torch.tensor(x.data, requires_grad=True)
    w3, w23 = Tensor([1.0, 2.0, 3.0], requires_grad=True), Tensor(np.ones((2, 3)), requires_grad=True)
    calls = {"ce-index": (lambda: cross_entropy(x, Tensor([0, 2]), weight=w3),
                          lambda: F.cross_entropy(xr, torch.tensor([0, 2]), weight=torch.ones(3, requires_grad=True))),
             "bce": (lambda: binary_cross_entropy(x, x.detach(), weight=w23),
                     lambda: F.binary_cross_entropy(xr, xr.detach(), weight=torch.ones(2, 3, requires_grad=True))),
             "bce-logits": (lambda: binary_cross_entropy_with_logits(x, x.detach(), weight=w23),
                            lambda: F.binary_cross_entropy_with_logits(xr, xr.detach(), weight=torch.ones(2, 3, requires_grad=True))),
             "bce-logits-pos": (lambda: binary_cross_entropy_with_logits(x, x.detach(), pos_weight=w3),
                                lambda: F.binary_cross_entropy_with_logits(xr, xr.detach(), pos_weight=torch.ones(3, requires_grad=True))),
             "mse": (lambda: mse_loss(x, x.detach(), weight=w23), None),
             "ce-prob": (lambda: cross_entropy(x, x.detach(), weight=w3), None)}
    ours, theirs = calls[case]
    if theirs is not None:
        with pytest.raises(RuntimeError, match="not differentiable with respect to"):
            theirs().backward()
    with pytest.raises(RuntimeError, match="not differentiable with respect to .*detach"):
        ours()


@pytest.mark.parametrize("dtype,torch_dtype,rtol", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("module", [False, True])
def test_cross_entropy_every_target_ignored(dtype, torch_dtype, rtol, weighted, module):
    x, xr = pair(np.random.default_rng(4).standard_normal((3, 4)), dtype, torch_dtype)
    w = np.array([1.0, 2.0, 0.5, 1.5]) if weighted else None
    wt, wr = (None, None) if w is None else (Tensor(w, dtype=dtype), torch.tensor(w, dtype=torch_dtype))
    target = [-100, -100, -100]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division warnings either
        loss = (CrossEntropyLoss(weight=wt)(x, Tensor(target)) if module
                else cross_entropy(x, Tensor(target), weight=wt))
        loss.backward()
    ref = F.cross_entropy(xr, torch.tensor(target), weight=wr)
    ref.backward()
    assert np.isnan(loss.item()) and np.isnan(ref.item())
    np.testing.assert_array_equal(x.grad.data, xr.grad.numpy())  # zeros, not nan
    assert not np.isnan(x.grad.data).any()


def test_cross_entropy_some_targets_ignored_still_match():
    x, xr = pair(np.random.default_rng(5).standard_normal((3, 4)), np.float64, torch.float64)
    cross_entropy(x, Tensor([1, -100, 3])).backward()
    F.cross_entropy(xr, torch.tensor([1, -100, 3])).backward()
    np.testing.assert_allclose(x.grad.data, xr.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn,torch_fn", [(binary_cross_entropy, F.binary_cross_entropy),
                                         (binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits)])
def test_integer_targets_of_the_binary_losses_raise(fn, torch_fn):
    with pytest.raises(RuntimeError):
        torch_fn(torch.tensor([0.3, 0.6]), torch.tensor([1, 0]))
    with pytest.raises(RuntimeError, match="target must be floating point.*int64"):
        fn(Tensor([0.3, 0.6]), Tensor([1, 0], dtype=np.int64))
    fn(Tensor([0.3, 0.6]), Tensor([1.0, 0.0]))  # float targets still work
