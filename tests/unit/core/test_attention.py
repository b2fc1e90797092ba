"""Module 12 without PyTorch: scaled_dot_product_attention against a loop over queries and keys
written here, gradients against central differences, masks, fully masked rows, dropout's RNG,
MultiheadAttention's fused projection against separate ones, heads split and merged, errors."""
import math

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
from tinytorch import Tensor, manual_seed, tensor
from tinytorch.core.attention import causal_mask, merge_heads, split_heads
from tests.unit.core.test_spatial import check_gradients


def attention_loops(q, k, v, keep=None, scale=None):
    """The formula one query at a time (2-D q, k, v; keep: bool (L, S) or None); a query with no
    key kept gives zeros."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    out = np.zeros((q.shape[0], v.shape[1]))
    for i in range(q.shape[0]):
        scores = [scale * sum(q[i, e] * k[j, e] for e in range(q.shape[1])) for j in range(k.shape[0])]
        kept = [j for j in range(k.shape[0]) if keep is None or keep[i, j]]
        if not kept:
            continue
        top = max(scores[j] for j in kept)
        weights = {j: math.exp(scores[j] - top) for j in kept}
        total = sum(weights.values())
        for j in kept:
            out[i] += weights[j] / total * v[j]
    return out


def arrays(*shapes, seed=0):
    r = np.random.default_rng(seed)
    return [r.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("L,S,scale", [(3, 3, None), (2, 5, 0.5), (5, 2, None)])
def test_sdpa_equals_the_loops_with_and_without_masks(L, S, scale):
    q, k, v = arrays((L, 4), (S, 4), (S, 3))
    t = [Tensor(a, dtype=np.float64) for a in (q, k, v)]
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, scale=scale).data,
                               attention_loops(q, k, v, scale=scale), atol=1e-12)
    causal = np.array([[j <= i for j in range(S)] for i in range(L)])
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, is_causal=True, scale=scale).data,
                               attention_loops(q, k, v, causal, scale), atol=1e-12)
    keep = np.random.default_rng(1).random((L, S)) > 0.5
    keep[0] = False                                            # a query with nothing to attend to
    out = F.scaled_dot_product_attention(*t, attn_mask=tensor(keep), scale=scale).data
    np.testing.assert_allclose(out, attention_loops(q, k, v, keep, scale), atol=1e-12)
    additive = Tensor(np.where(keep, 0.0, -np.inf), dtype=np.float64)
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, attn_mask=additive, scale=scale).data,
                               out, atol=1e-12)


def test_batch_dims_broadcast_like_matmul():
    q, k, v = arrays((2, 1, 3, 4), (3, 5, 4), (3, 5, 2))
    out = F.scaled_dot_product_attention(*(Tensor(a, dtype=np.float64) for a in (q, k, v))).data
    assert out.shape == (2, 3, 3, 2)
    np.testing.assert_allclose(out[1, 2], attention_loops(q[1, 0], k[2], v[2]), atol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3},
                                {"attn_mask": np.array([[True, False, True], [False, False, False]])}])
def test_sdpa_gradients_match_central_differences(kw):
    kw = {key: tensor(val) if isinstance(val, np.ndarray) else val for key, val in kw.items()}
    check_gradients(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw),
                    arrays((2, 2, 4), (2, 3, 4), (2, 3, 2)))


def test_fully_masked_rows_are_zeros_with_zero_gradients_not_nan():
    q, k, v = (Tensor(a, dtype=np.float64, requires_grad=True) for a in arrays((3, 4), (2, 4), (2, 2)))
    keep = tensor(np.array([[True, True], [False, False], [False, True]]))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    out.backward(np.ones(out.shape))
    assert np.all(out.data[1] == 0)
    for t in (q, k, v):
        assert np.all(np.isfinite(t.grad.data))
    assert np.all(q.grad.data[1] == 0)


def test_dropout_uses_the_package_generator():
    q, k, v = (Tensor(a) for a in arrays((4, 8), (6, 8), (6, 3)))
    manual_seed(1)
    first = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).data
    manual_seed(1)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).data, first)
    assert not np.allclose(first, F.scaled_dot_product_attention(q, k, v).data)


def test_causal_mask_is_top_left_aligned():
    assert np.array_equal(causal_mask(2, 4).data, [[True, False, False, False], [True, True, False, False]])
    assert causal_mask(3, 3).data.dtype == np.bool_


def test_split_and_merge_heads_are_inverse_reshapes():
    x = np.arange(2 * 3 * 6, dtype=np.float32).reshape(2, 3, 6)
    heads = split_heads(Tensor(x), 3)                         # (B, nh, T, hs)
    assert heads.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(heads.data[1, 2, 0], x[1, 0, 4:6])
    np.testing.assert_array_equal(merge_heads(heads).data, x)


@pytest.mark.parametrize("batch_first", [True, False])
def test_fused_projection_equals_three_separate_ones(batch_first):
    manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    mha.in_proj_bias.data[...] = np.random.default_rng(2).standard_normal(24)
    (x,) = arrays((3, 4, 8))
    fused, fused_w = mha(*(3 * (Tensor(x),)))                 # the same tensor: one (3E, E) product
    separate, separate_w = mha(Tensor(x), Tensor(x.copy()), Tensor(x.copy()))
    np.testing.assert_allclose(fused.data, separate.data, atol=1e-6)
    np.testing.assert_allclose(fused_w.data, separate_w.data, atol=1e-6)
    assert fused.shape == (3, 4, 8) and fused_w.shape == ((3, 4, 4) if batch_first else (4, 3, 3))


def test_multihead_gradients_match_central_differences():
    manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    for p in mha.parameters():
        p.data = p.data.astype(np.float64)
        p.requires_grad = False                              # central differences read the output
    check_gradients(lambda x: mha(x, x, x, need_weights=False)[0], arrays((2, 3, 4)))


def test_errors_name_the_problem():
    q, k, v = (Tensor(a) for a in arrays((2, 4), (3, 4), (3, 2)))
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=causal_mask(2, 3), is_causal=True)
    with pytest.raises(RuntimeError, match="share E"):
        F.scaled_dot_product_attention(q, Tensor(np.ones((3, 5))), v)
    with pytest.raises(RuntimeError, match="share S"):
        F.scaled_dot_product_attention(q, k, Tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="query should be a Tensor"):
        F.scaled_dot_product_attention(np.ones((2, 4)), k, v)
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(AssertionError, match="E=8"):
        nn.MultiheadAttention(8, 2)(Tensor(np.ones((2, 3, 5))), k, v)
    x = Tensor(np.ones((2, 3, 8)))
    with pytest.raises(RuntimeError, match=r"key_padding_mask should have shape \(2, 3\), got \(3, 2\)"):
        nn.MultiheadAttention(8, 2, batch_first=True)(x, x, x, key_padding_mask=tensor(np.zeros((3, 2), bool)))
    with pytest.raises(RuntimeError, match="attn_mask should have shape"):
        nn.MultiheadAttention(8, 2, batch_first=True)(x, x, x, attn_mask=tensor(np.zeros((3, 4), bool)))
