"""The rest of PyTorch's tensor API (issue 14) without PyTorch installed: the essentials of cat,
stack, squeeze/unsqueeze/flatten/expand, where/masked_fill/clamp/maximum, max(dim), var/std, cumsum,
norm, arange/full and dtype conversion, checked against NumPy and by hand. test_tensor_api_parity.py
compares the same ops with PyTorch, edge cases included."""
import math

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.tensor import Tensor


def leaf(values, dtype=np.float64):
    return Tensor(values, dtype=dtype, requires_grad=True)


def test_cat_and_stack_join_and_hand_each_input_its_slice_of_the_gradient():
    a, b = leaf([[1.0, 2.0]]), leaf([[3.0, 4.0], [5.0, 6.0]])
    joined = tt.cat([a, b])
    np.testing.assert_array_equal(joined.data, [[1, 2], [3, 4], [5, 6]])
    (joined * Tensor([[1.0], [10.0], [100.0]], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[1, 1]])
    np.testing.assert_array_equal(b.grad.data, [[10, 10], [100, 100]])
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    pair = tt.stack([x, y], dim=-1)
    assert pair.shape == (2, 2) and pair.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    (pair * Tensor([[1.0, 2.0], [3.0, 4.0]], dtype=np.float64)).sum().backward()
    assert x.grad.tolist() == [1.0, 3.0] and y.grad.tolist() == [2.0, 4.0]


def test_squeeze_unsqueeze_flatten_and_expand_shapes_and_gradients():
    t = leaf(np.arange(6.0).reshape(1, 3, 1, 2))
    assert t.squeeze().shape == (3, 2) and t.squeeze(0).shape == (3, 1, 2) and t.squeeze(1).shape == t.shape
    assert t.unsqueeze(-1).shape == (1, 3, 1, 2, 1) and tt.unsqueeze(t, 0).shape == (1, 1, 3, 1, 2)
    assert t.flatten().shape == (6,) and t.flatten(1, 2).shape == (1, 3, 2) and Tensor(2.0).flatten().shape == (1,)
    column = leaf([[1.0], [2.0]])
    wide = column.expand(3, -1, 4)
    assert wide.shape == (3, 2, 4) and np.shares_memory(wide.data, column.data)
    wide.sum().backward()
    assert column.grad.tolist() == [[12.0], [12.0]]  # each element was copied 3 * 4 times


def test_where_masked_fill_and_clamp_route_the_gradient_to_the_chosen_values():
    x, y = leaf([-1.0, 2.0, -3.0]), leaf([10.0])
    tt.where(x > 0, x, y).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0] and y.grad.tolist() == [2.0]  # y broadcast to two places
    z = leaf([[1.0, 2.0], [3.0, 4.0]])
    filled = z.masked_fill(Tensor([True, False], dtype=np.bool_), 0.0)
    assert filled.tolist() == [[0.0, 2.0], [0.0, 4.0]]
    filled.sum().backward()
    assert z.grad.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    c = leaf([-2.0, -1.0, 0.0, 1.0, 2.0])
    out = c.clamp(-1.0, 1.0)
    out.sum().backward()
    assert out.tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    assert c.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]  # 1 at the bounds, as PyTorch
    assert Tensor([-1.0, 3.0]).clamp(min=0.0).tolist() == [0.0, 3.0] and Tensor([5.0]).clamp(max=2).item() == 2.0


def test_maximum_and_minimum_split_a_tie_half_and_half():
    a, b = leaf([1.0, 5.0, 2.0]), leaf([3.0, 5.0, 1.0])
    tt.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.5, 1.0] and b.grad.tolist() == [1.0, 0.5, 0.0]
    assert tt.minimum(Tensor([1.0, 5.0]), Tensor([3.0, 2.0])).tolist() == [1.0, 2.0]


def test_max_along_a_dim_returns_values_and_indices_and_the_gradient_goes_to_that_index():
    x = leaf([[1.0, 4.0, 4.0], [7.0, 0.0, 7.0]])
    best = x.max(dim=1)
    values, indices = best
    assert values.tolist() == [4.0, 7.0] and indices.tolist() == [1, 0] and indices.dtype == np.int64
    assert best.values is values and best.indices is indices
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]  # one index per slice, the first tie
    low = x.min(0, keepdim=True)
    assert low.values.tolist() == [[1.0, 0.0, 4.0]] and low.indices.tolist() == [[0, 1, 0]]
    assert isinstance(x.max(), Tensor) and x.max().item() == 7.0
    assert tt.argmin(Tensor([[3.0, 1.0], [0.0, 2.0]]), dim=1).tolist() == [1, 0]


def test_var_and_std_follow_numpy_with_the_correction_as_ddof():
    values = np.random.default_rng(0).standard_normal((3, 4))
    x = leaf(values)
    np.testing.assert_allclose(x.var().data, np.var(values, ddof=1))
    np.testing.assert_allclose(x.var(dim=1, correction=0).data, np.var(values, axis=1))
    np.testing.assert_allclose(x.std(dim=0, keepdim=True).data, np.std(values, axis=0, ddof=1, keepdims=True))
    x.var().backward()
    np.testing.assert_allclose(x.grad.data, 2 * (values - values.mean()) / (values.size - 1))
    with pytest.raises(RuntimeError, match="var: needs a floating-point tensor"):
        Tensor([1, 2], dtype=np.int64).var()


def test_cumsum_values_dtype_and_gradient():
    x = leaf([[1.0, 2.0, 3.0]])
    out = x.cumsum(1)
    assert out.tolist() == [[1.0, 3.0, 6.0]]
    (out * Tensor([[1.0, 10.0, 100.0]], dtype=np.float64)).sum().backward()
    assert x.grad.tolist() == [[111.0, 110.0, 100.0]]  # x[0] feeds all three sums
    assert Tensor([1, 2], dtype=np.int32).cumsum(0).dtype == np.int64


def test_norm_values_and_the_zero_gradient_at_the_zero_vector():
    x = leaf([[3.0, -4.0], [0.0, 0.0]])
    n = x.norm(dim=1)
    assert n.tolist() == [5.0, 0.0] and x.norm(p=1).item() == 7.0 and x.norm(p=math.inf).item() == 4.0
    n.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.6, -0.8], [0.0, 0.0]])  # x / |x|, and 0 at zero


def test_arange_and_full_infer_dtypes_like_pytorch():
    assert tt.arange(4).tolist() == [0, 1, 2, 3] and tt.arange(4).dtype == np.int64
    assert tt.arange(0, 1, 0.25).dtype == np.float32 and tt.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert tt.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert tt.full((2,), 7).dtype == np.int64 and tt.full((2,), 7.0).dtype == np.float32
    assert tt.full((1,), True).dtype == np.bool_
    assert tt.zeros_like(tt.arange(3)).dtype == np.int64 and tt.ones_like(Tensor([[1.0]])).shape == (1, 1)


def test_to_converts_and_between_floats_keeps_the_graph():
    x = leaf([1.0, 2.0], dtype=np.float32)
    y = x.to(np.float64)
    assert y.dtype == np.float64 and y.requires_grad and x.float() is x
    (y * 3.0).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 3.0]
    assert not x.to(np.int64).requires_grad and x.double().dtype == np.float64


def test_each_new_op_has_a_function_form():
    for name in ("cat", "stack", "squeeze", "unsqueeze", "flatten", "clone", "where", "masked_fill", "clamp",
                 "maximum", "minimum", "var", "std", "argmin", "argmax", "amax", "amin", "max", "min",
                 "cumsum", "norm", "arange", "full", "zeros_like", "ones_like", "randn_like"):
        assert callable(getattr(tt, name)), name
    assert tt.clone(Tensor([1.0])).tolist() == [1.0] and tt.amax(Tensor([[1.0, 3.0]]), dim=1).tolist() == [3.0]
