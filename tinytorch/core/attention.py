# Generated from notebooks/masters/12_attention.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.attention: scaled dot-product attention
(F.scaled_dot_product_attention), composed from recorded ops (matmul, masked_fill,
softmax), and nn.MultiheadAttention with a fused QKV projection."""
import math

import numpy as np

from tinytorch.core.creation import default_generator
from tinytorch.core.layers import Linear
from tinytorch.core.module import Module, Parameter
from tinytorch.core.activations import softmax
from tinytorch.core.selection import masked_fill
from tinytorch.core.tensor import Tensor


def attention_scores(query, key, scale=None):
    """Every query's dot product with every key, times scale (default 1 / sqrt(E)).

    Shapes: query (..., L, E), key (..., S, E) -> (..., L, S); batch dims broadcast.
    """
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    return (query @ key.transpose(-2, -1)) * scale


def causal_mask(L, S):
    """The bool (L, S) mask of causal attention: query i may look at keys 0..i (True =
    take part), aligned at the top left as in PyTorch (row i keeps columns j <= i)."""
    return Tensor(np.tril(np.ones((L, S), dtype=bool)), dtype=np.bool_)


def _check_attention_inputs(query, key, value, attn_mask, dropout_p, is_causal):
    """Raise, with PyTorch's error kinds, on inputs scaled_dot_product_attention cannot
    take."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention: {name} should be a Tensor, "
                            f"got {type(t).__name__}")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError("scaled_dot_product_attention: expected query, key and "
                           f"value to be at least 2-D, got {query.ndim}-D, "
                           f"{key.ndim}-D and {value.ndim}-D")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError("scaled_dot_product_attention: query (..., L, E) and key "
                           f"(..., S, E) must share E, got query {tuple(query.shape)} "
                           f"and key {tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError("scaled_dot_product_attention: key (..., S, E) and value "
                           f"(..., S, Ev) must share S, got key {tuple(key.shape)} and "
                           f"value {tuple(value.shape)}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should "
                           "not be set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError("scaled_dot_product_attention: dropout_p should be in "
                         f"[0, 1], got {dropout_p}")


def _safe_softmax(scores):
    """softmax over the last dim, with rows whose every score is -inf (nothing to attend
    to) giving zeros instead of NaN, as PyTorch does; those rows get zero gradient
    too."""
    dead = Tensor(np.isneginf(scores.data).all(axis=-1, keepdims=True), dtype=np.bool_)
    weights = softmax(masked_fill(scores, dead, 0.0), dim=-1)
    return masked_fill(weights, dead, 0.0)


def _dropout_weights(weights, p):
    """weights with each entry zeroed with probability p (the package's generator), the
    rest scaled by 1 / (1 - p)."""
    if p == 0.0:
        return weights
    keep = default_generator().random(weights.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return weights * Tensor((keep * scale).astype(weights.data.dtype))


def attention_weights(query, key, attn_mask=None, is_causal=False, scale=None):
    """softmax over the keys of the masked, scaled scores.

    Shapes: query (..., L, E), key (..., S, E) -> (..., L, S); each row sums to 1, or
    is all zeros where the mask leaves no key. attn_mask (broadcast to (..., L, S)):
    bool (True = take part) or float (added to the scores); is_causal: the
    causal_mask(L, S).
    """
    scores = attention_scores(query, key, scale)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        attn_mask = causal_mask(L, S)
    if attn_mask is not None:
        mask = attn_mask if isinstance(attn_mask, Tensor) else Tensor(
            np.asarray(attn_mask), dtype=np.asarray(attn_mask).dtype)
        if mask.data.dtype == np.bool_:
            scores = masked_fill(scores, Tensor(~mask.data, dtype=np.bool_),
                                 float("-inf"))
        else:
            scores = scores + mask
    return _safe_softmax(scores)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    """softmax(q k^T * scale + mask) v, as
    torch.nn.functional.scaled_dot_product_attention.

    Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev);
    batch dims broadcast. attn_mask: bool (True = take part) or float (added),
    broadcast to (..., L, S); is_causal: query i sees keys 0..i (not with attn_mask);
    scale: default 1 / sqrt(E); dropout_p: drop attention weights with this
    probability (always, as in PyTorch: pass 0.0 in evaluation). A query with no key
    left gives zeros.
    """
    _check_attention_inputs(query, key, value, attn_mask, dropout_p, is_causal)
    weights = attention_weights(query, key, attn_mask, is_causal, scale)
    return _dropout_weights(weights, dropout_p) @ value


def split_heads(x, num_heads):
    """(B, T, C) -> (B, nh, T, hs) with hs = C // nh: head h holds channels h*hs ..
    (h+1)*hs - 1."""
    B, T, C = x.shape
    return x.reshape(B, T, num_heads, C // num_heads).transpose(1, 2)  # (B, nh, T, hs)


def merge_heads(x):
    """(B, nh, T, hs) -> (B, T, nh * hs), the inverse of split_heads."""
    B, nh, T, hs = x.shape
    return x.transpose(1, 2).reshape(B, T, nh * hs)  # (B, T, C)


class MultiheadAttention(Module):
    """Multi-head attention (torch.nn.MultiheadAttention, with kdim = vdim = embed_dim).

    Args: embed_dim (E), num_heads (E % num_heads == 0), dropout on the attention
        weights in training, bias, batch_first (inputs (N, L, E) instead of (L, N, E)).
    Attributes: in_proj_weight (3E, E) (the q, k, v projections stacked), in_proj_bias
        (3E,), out_proj (Linear E -> E).
    forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
        average_attn_weights=True, is_causal=False) -> (attn_output, attn_weights):
        masks as PyTorch's: bool True = NOT allowed, float = added; key_padding_mask (N,
        S); attn_mask (L, S) or (N * num_heads, L, S). Weights (N, L, S), or (N, nh, L,
        S) unaveraged, or None.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise AssertionError(f"MultiheadAttention: embed_dim ({embed_dim}) must be "
                                 f"divisible by num_heads ({num_heads}), both positive")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        # xavier_uniform_ on (3E, E)
        bound = math.sqrt(6.0 / (embed_dim + 3 * embed_dim))
        generator = default_generator()
        self.in_proj_weight = Parameter(
            generator.uniform(-bound, bound, (3 * embed_dim, embed_dim))
            .astype(np.float32))
        if bias:
            self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=np.float32))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if bias:
            self.out_proj.bias.data[...] = 0.0

    def _project(self, query, key, value):
        """q, k, v (N, T, E): one fused (3E, E) product when query, key and value are
        the same tensor (self-attention), else three products with its slices."""
        w, b, E = self.in_proj_weight, self.in_proj_bias, self.embed_dim
        if query is key and key is value:
            qkv = query @ w.T + b if b is not None else query @ w.T  # (N, T, 3E)
            return qkv[..., :E], qkv[..., E:2 * E], qkv[..., 2 * E:]
        parts = []
        for i, x in enumerate((query, key, value)):
            y = x @ w[i * E:(i + 1) * E].T
            parts.append(y + b[i * E:(i + 1) * E] if b is not None else y)
        return parts

    def _mask(self, key_padding_mask, attn_mask, N, L, S):
        """One float mask to add, (N, nh | 1, L | 1, S), from PyTorch-style masks, or
        None."""
        total = None
        allowed = {"attn_mask": [(L, S), (N * self.num_heads, L, S)],
                   "key_padding_mask": [(N, S)]}
        for name, mask in (("attn_mask", attn_mask),
                           ("key_padding_mask", key_padding_mask)):
            if mask is None:
                continue
            m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
            if (m.shape not in allowed[name]
                and not (name == "key_padding_mask" and N == 1 and m.shape == (S,))):
                raise RuntimeError(f"MultiheadAttention: {name} should have shape "
                                   f"{' or '.join(map(str, allowed[name]))}, got "
                                   f"{m.shape}")
            m = np.where(m, -np.inf, 0.0) if m.dtype == np.bool_ else m
            m = m.astype(self.in_proj_weight.data.dtype)
            if name == "key_padding_mask":
                m = m.reshape(N, 1, 1, S)
            elif m.ndim == 3:
                m = m.reshape(N, self.num_heads, L, S)
            total = m if total is None else total + m
        return None if total is None else Tensor(total)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the "
                               "is_causal hint")
        if query.ndim not in (2, 3) or query.shape[-1] != self.embed_dim:
            raise AssertionError("MultiheadAttention: query should be (L, N, E), (N, "
                                 "L, E) with batch_first or unbatched (L, E), with "
                                 f"E={self.embed_dim}; got {tuple(query.shape)}")
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = (t.reshape(1, *t.shape) for t in (query, key, value))
        elif not self.batch_first:
            # (N, T, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        q, k, v = self._project(query, key, value)
        N, L, S = q.shape[0], q.shape[1], k.shape[1]
        q, k, v = (split_heads(t, self.num_heads) for t in (q, k, v))  # (N, nh, T, hs)
        mask = self._mask(key_padding_mask, attn_mask, N, L, S)
        weights = attention_weights(q, k, mask)  # (N, nh, L, S)
        p = self.dropout if self.training else 0.0
        out = self.out_proj(merge_heads(_dropout_weights(weights, p) @ v))  # (N, L, E)
        if unbatched:
            out = out.reshape(L, self.embed_dim)
        elif not self.batch_first:
            out = out.transpose(0, 1)  # (L, N, E)
        if not need_weights:
            return out, None
        w = weights.mean(dim=1) if average_attn_weights else weights
        return out, (w.reshape(*w.shape[1:]) if unbatched else w)

    def extra_repr(self):
        return (
            f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
            f"batch_first={self.batch_first}"
        )
