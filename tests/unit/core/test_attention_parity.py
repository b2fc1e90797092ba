"""Module 12 against PyTorch: F.scaled_dot_product_attention (values and gradients of q, k, v for
bool, float and broadcast masks, causal with L != S, scale, fully masked rows, dropout's expectation)
and nn.MultiheadAttention with copied weights (batch_first True and False, masks, weights)."""
import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
from tinytorch import Tensor, manual_seed, tensor
from tinytorch.kernels import plain

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = dict(rtol=1e-6, atol=1e-9)


def both(arrays):
    ours = [Tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    return ours, theirs


def compare_sdpa(shapes, seed=0, ours_kw=None, theirs_kw=None):
    """Forward and backward (a random upstream gradient) in both; compare output and q, k, v grads."""
    rng = np.random.default_rng(seed)
    ours, theirs = both([rng.standard_normal(s) for s in shapes])
    out = F.scaled_dot_product_attention(*ours, **(ours_kw or {}))
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref = TF.scaled_dot_product_attention(*theirs, **(theirs_kw or {}))
    ref.backward(torch.from_numpy(upstream))
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    for name, a, b in zip("qkv", ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), err_msg=f"grad of {name}", **TOL)
    return out


@pytest.mark.parametrize("shapes", [
    [(4, 8), (6, 8), (6, 3)],                              # unbatched
    [(2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)],            # (B, nh, L, E)
    [(2, 1, 4, 8), (3, 6, 8), (3, 6, 2)],                  # batch dims broadcast
])
@pytest.mark.parametrize("scale", [None, 0.37])
def test_sdpa_values_and_gradients(shapes, scale):
    compare_sdpa(shapes, ours_kw=dict(scale=scale), theirs_kw=dict(scale=scale))


@pytest.mark.parametrize("L,S", [(4, 4), (3, 6), (6, 3)])
def test_causal_is_top_left_aligned_for_any_L_and_S(L, S):
    compare_sdpa([(2, L, 5), (2, S, 5), (2, S, 3)], ours_kw=dict(is_causal=True), theirs_kw=dict(is_causal=True))


@pytest.mark.parametrize("mask_shape", [(4, 6), (1, 6), (2, 1, 4, 6), (3, 1, 1)])
def test_bool_and_float_masks_broadcast(mask_shape):
    keep = np.random.default_rng(1).random(mask_shape) > 0.3
    keep[..., 0] = True
    shapes = [(2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)]
    compare_sdpa(shapes, ours_kw=dict(attn_mask=tensor(keep)), theirs_kw=dict(attn_mask=torch.tensor(keep)))
    additive = np.where(keep, np.random.default_rng(2).standard_normal(mask_shape), -np.inf)
    compare_sdpa(shapes, ours_kw=dict(attn_mask=Tensor(additive, dtype=np.float64)),
                 theirs_kw=dict(attn_mask=torch.tensor(additive)))


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_rows_give_zeros_and_zero_gradients_as_torch(kind):
    keep = np.ones((4, 6), bool)
    keep[1] = False
    keep[3, 2:] = False
    mask = (tensor(keep), torch.tensor(keep)) if kind == "bool" else \
        (Tensor(np.where(keep, 0.0, -np.inf), dtype=np.float64), torch.tensor(np.where(keep, 0.0, -np.inf)))
    out = compare_sdpa([(2, 4, 8), (2, 6, 8), (2, 6, 3)], ours_kw=dict(attn_mask=mask[0]),
                       theirs_kw=dict(attn_mask=mask[1]))
    assert np.all(out.data[:, 1] == 0) and np.all(np.isfinite(out.data))


def test_dropout_keeps_the_expectation_and_is_repeatable_with_the_seed():
    rng = np.random.default_rng(3)
    q, k, v = (Tensor(rng.standard_normal(s)) for s in [(4, 8), (6, 8), (6, 3)])
    plain = F.scaled_dot_product_attention(q, k, v).data
    manual_seed(5)
    runs = np.stack([F.scaled_dot_product_attention(q, k, v, dropout_p=0.3).data for _ in range(3000)])
    manual_seed(5)
    again = F.scaled_dot_product_attention(q, k, v, dropout_p=0.3).data
    assert np.array_equal(again, runs[0]) and not np.allclose(runs[0], plain)
    np.testing.assert_allclose(runs.mean(axis=0), plain, atol=0.06)
    assert np.all(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).data == 0)


@pytest.mark.parametrize("call,kind", [
    (lambda f, q, k, v, m: f.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=True), RuntimeError),
    (lambda f, q, k, v, m: f.scaled_dot_product_attention(q, k[..., :3], v), RuntimeError),
    (lambda f, q, k, v, m: f.scaled_dot_product_attention(q[0, 0], k, v), RuntimeError),
    (lambda f, q, k, v, m: f.scaled_dot_product_attention(q, k, v[:, :5]), RuntimeError),
])
def test_errors_have_torchs_kinds(call, kind):
    arrays = [np.ones((1, 4, 8)), np.ones((1, 6, 8)), np.ones((1, 6, 2))]
    ours, theirs = both(arrays)
    mask = np.ones((4, 6), bool)
    with pytest.raises(kind):
        call(TF, *theirs, torch.tensor(mask))
    with pytest.raises(kind):
        call(F, *ours, tensor(mask))


def copied(embed_dim, num_heads, batch_first, bias=True):
    """A torch MultiheadAttention and ours with the same weights (biases made non-zero)."""
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=batch_first).double()
    ours = nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=batch_first)
    with torch.no_grad():
        if bias:
            theirs.in_proj_bias.uniform_(-0.5, 0.5)
            theirs.out_proj.bias.uniform_(-0.5, 0.5)
    for name, p in theirs.named_parameters():
        ours_p = ours.get_parameter(name) if hasattr(ours, "get_parameter") else dict(ours.named_parameters())[name]
        ours_p.data = p.detach().numpy().copy()
    return ours, theirs


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_multihead_self_attention_matches_torch(batch_first, average):
    ours, theirs = copied(12, 3, batch_first)
    N, T = 2, 5
    x = np.random.default_rng(4).standard_normal((N, T, 12) if batch_first else (T, N, 12))
    causal = np.triu(np.ones((T, T), bool), 1)            # torch's MHA: True = not allowed
    pad = np.zeros((N, T), bool)
    pad[1, -2:] = True
    (xo,), (xt,) = both([x])[0], both([x])[1]
    with plain():  # the module's own code, not a registered fast version
        out, w = ours(xo, xo, xo, key_padding_mask=tensor(pad), attn_mask=tensor(causal),
                      average_attn_weights=average)
    ref, rw = theirs(xt, xt, xt, key_padding_mask=torch.tensor(pad), attn_mask=torch.tensor(causal),
                     average_attn_weights=average)
    up = np.random.default_rng(5).standard_normal(out.shape)
    with plain():  # the module's own code, not a registered fast version
        (out * Tensor(up, dtype=np.float64)).sum().backward()
    (ref * torch.from_numpy(up)).sum().backward()
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    np.testing.assert_allclose(w.data, rw.detach().numpy(), **TOL)
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), **TOL)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(dict(ours.named_parameters())[name].grad.data, p.grad.numpy(),
                                   err_msg=name, **TOL)


def test_multihead_cross_attention_float_mask_unbatched_and_no_bias():
    ours, theirs = copied(8, 2, batch_first=False, bias=False)
    rng = np.random.default_rng(6)
    q, k, v = rng.standard_normal((3, 8)), rng.standard_normal((4, 8)), rng.standard_normal((4, 8))
    mask = rng.standard_normal((3, 4))
    out, w = ours(*(Tensor(a, dtype=np.float64) for a in (q, k, v)), attn_mask=Tensor(mask, dtype=np.float64))
    ref, rw = theirs(*(torch.tensor(a) for a in (q, k, v)), attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    np.testing.assert_allclose(w.data, rw.detach().numpy(), **TOL)
    out, w = ours(Tensor(q), Tensor(k), Tensor(v), need_weights=False)
    assert w is None


def test_multihead_init_matches_torchs_distributions_and_errors():
    manual_seed(0)
    ours = nn.MultiheadAttention(64, 8)
    theirs = torch.nn.MultiheadAttention(64, 8)
    assert dict(ours.named_parameters()).keys() == dict(theirs.named_parameters()).keys()
    for name, p in theirs.named_parameters():
        a = dict(ours.named_parameters())[name].data
        assert a.shape == tuple(p.shape)
        assert abs(np.abs(a).max() - p.detach().abs().max().item()) < 0.02 + 0.1 * p.detach().abs().max().item()
    with pytest.raises(AssertionError):
        torch.nn.MultiheadAttention(10, 3)
    with pytest.raises(AssertionError):
        nn.MultiheadAttention(10, 3)
    x = Tensor(np.ones((2, 3, 64)))
    with pytest.raises(RuntimeError):
        theirs(torch.ones(2, 3, 64), torch.ones(2, 3, 64), torch.ones(2, 3, 64), is_causal=True)
    with pytest.raises(RuntimeError):
        ours(x, x, x, is_causal=True)
