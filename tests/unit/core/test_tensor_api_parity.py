"""The rest of PyTorch's tensor API (issue 14) against PyTorch 2.13: cat, stack, squeeze, unsqueeze,
flatten, expand, clone, where, masked_fill, clamp, maximum/minimum, var/std, argmin, cumsum, norm,
max/min along a dim, arange, full, *_like and dtype conversion: values, dtypes, shapes, gradients
(float32 and float64) and the kind of error for bad input. The gradient rules are also checked
against central differences in test_autograd.py's op table."""
import math
import warnings

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.tensor import Tensor

torch = pytest.importorskip("torch")
DTYPES = [(np.float32, torch.float32), (np.float64, torch.float64)]
TOLERANCE = {np.float32: dict(rtol=2e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}


def both(fn, arrays, dtype, torch_dtype, seed=0):
    """fn(lib, *leaves) in tinytorch and in PyTorch, then backward with one random upstream gradient.
    Returns (ours, theirs, our leaves, their leaves)."""
    ours = [Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(np.asarray(a), dtype=torch_dtype, requires_grad=True) for a in arrays]
    out, ref = fn(tt, *ours), fn(torch, *theirs)
    upstream = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream, dtype=torch_dtype))
    return out, ref, ours, theirs


def assert_same(out, ref, dtype):
    assert out.shape == tuple(ref.shape), (out.shape, tuple(ref.shape))
    assert out.dtype == np.dtype(str(ref.dtype).replace("torch.", "")), (out.dtype, ref.dtype)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOLERANCE[dtype])


def assert_same_grads(ours, theirs, dtype):
    for i, (leaf, t) in enumerate(zip(ours, theirs)):
        if t.grad is None:
            assert leaf.grad is None or not np.any(leaf.grad.data), f"input {i}"
            continue
        assert leaf.grad is not None, f"input {i} got no gradient"
        assert leaf.grad.dtype == dtype
        np.testing.assert_allclose(leaf.grad.data, t.grad.numpy(), err_msg=f"input {i}", **TOLERANCE[dtype])


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


TIES = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, -1.0, -1.0], [0.5, 0.5, 0.5, 0.5]])

CASES = [  # (id, fn(lib, *leaves), input arrays): values and gradients compared with PyTorch
    ("cat-dim0", lambda L, a, b: L.cat([a, b]), [rand(2, 3), rand(1, 3, seed=1)]),
    ("cat-negative-dim", lambda L, a, b: L.cat((a, b, a), dim=-1), [rand(2, 3), rand(2, 1, seed=1)]),
    ("cat-size-0", lambda L, a, b: L.cat([a, b], dim=0), [np.zeros((0, 3)), rand(2, 3)]),
    ("cat-legacy-empty", lambda L, a, b: L.cat([a, b], dim=1), [np.zeros(0), rand(2, 3)]),
    ("stack", lambda L, a, b: L.stack([a, b]), [rand(2, 3), rand(2, 3, seed=1)]),
    ("stack-last", lambda L, a, b: L.stack([a, b, a], dim=-1), [rand(2, 3), rand(2, 3, seed=1)]),
    ("stack-0d", lambda L, a, b: L.stack([a, b]), [np.array(1.5), np.array(-2.0)]),
    ("squeeze-all", lambda L, a: a.squeeze(), [rand(1, 3, 1, 2)]),
    ("squeeze-dim", lambda L, a: L.squeeze(a, -2), [rand(1, 3, 1, 2)]),
    ("squeeze-dims", lambda L, a: a.squeeze((0, 1, 2)), [rand(1, 3, 1, 2)]),
    ("squeeze-0d", lambda L, a: a.squeeze(0), [np.array(2.0)]),
    ("unsqueeze", lambda L, a: L.unsqueeze(a, 1), [rand(2, 3)]),
    ("unsqueeze-negative", lambda L, a: a.unsqueeze(-1), [rand(2, 3)]),
    ("flatten", lambda L, a: L.flatten(a), [rand(2, 3, 4)]),
    ("flatten-range", lambda L, a: a.flatten(1, -1), [rand(2, 3, 4)]),
    ("flatten-0d", lambda L, a: a.flatten(), [np.array(3.0)]),
    ("expand", lambda L, a: a.expand(2, -1, 4), [rand(3, 1)]),
    ("expand-same", lambda L, a: a.expand(3, 2) * 2, [rand(3, 2)]),
    ("expand_as", lambda L, a, b: a.expand_as(b) * b, [rand(1, 3), rand(2, 3, seed=1)]),
    ("clone", lambda L, a: L.clone(a) * a, [rand(2, 3)]),
    ("where", lambda L, a, b: L.where(a > b, a, b), [rand(2, 3), rand(3, seed=1)]),
    ("where-scalar", lambda L, a: L.where(a > 0, a, 0.0), [rand(2, 3)]),
    ("where-scalar-first", lambda L, a: L.where(a > 0, -1.0, a), [rand(2, 3)]),
    ("where-method-broadcast", lambda L, a, b: a.where(L.tensor(np.array([[True], [False]])), b),
     [rand(3), rand(2, 1, seed=1)]),
    ("masked_fill", lambda L, a: a.masked_fill(a < 0, 0.5), [rand(3, 4)]),
    ("masked_fill-broadcast-mask", lambda L, a: L.masked_fill(a, L.tensor(np.array([True, False, True])), -2.0),
     [rand(2, 3)]),
    ("masked_fill-mask-grows", lambda L, a: a.masked_fill(L.tensor(np.array([[True], [False]])), 1.0),
     [rand(3)]),
    ("masked_fill-0d-value", lambda L, a, v: a.masked_fill(a > 0, v), [rand(2, 3), np.array(4.0)]),
    ("clamp", lambda L, a: L.clamp(a, -0.5, 0.5), [rand(3, 4)]),
    ("clamp-at-bounds", lambda L, a: a.clamp(-1.0, 1.0), [np.array([-2.0, -1.0, 0.0, 1.0, 2.0])]),
    ("clamp-only-min", lambda L, a: a.clamp(min=0.0), [np.array([-2.0, 0.0, 0.5])]),
    ("clamp-only-max", lambda L, a: a.clamp(max=0.0), [np.array([-2.0, 0.0, 0.5])]),
    ("clamp-min-above-max", lambda L, a: a.clamp(1.0, -1.0), [np.array([-2.0, 0.0, 2.0])]),
    ("clamp-tensor-bounds", lambda L, a, lo, hi: a.clamp(lo, hi),
     [np.array([[-2.0, 0.0, 2.0], [0.5, 1.0, -1.0]]), np.array([-1.0, 0.0, 1.0]), np.array([[1.0], [0.0]])]),
    ("maximum-ties", lambda L, a, b: L.maximum(a, b), [TIES, np.array([3.0, 2.0, 0.5, -1.0])]),
    ("minimum-ties", lambda L, a, b: a.minimum(b), [TIES, np.array([1.0, 2.0, 0.5, 0.0])]),
    ("max-other", lambda L, a, b: a.max(b), [rand(2, 3), rand(2, 3, seed=1)]),
    ("max-all-ties", lambda L, a: a.max(), [TIES]),
    ("min-all", lambda L, a: L.min(a), [TIES]),
    ("max-dim-ties", lambda L, a: a.max(1).values, [TIES]),
    ("max-dim-keepdim", lambda L, a: L.max(a, dim=-1, keepdim=True)[0], [TIES]),
    ("min-dim-ties", lambda L, a: a.min(dim=0).values, [TIES]),
    ("max-dim-0d", lambda L, a: a.max(0).values, [np.array(2.0)]),
    ("max-dim-empty-slices", lambda L, a: a.max(1).values, [np.zeros((0, 3))]),
    ("amax", lambda L, a: L.amax(a, dim=(0, 1)), [TIES]),
    ("var", lambda L, a: a.var(), [rand(3, 4)]),
    ("var-dim-correction0", lambda L, a: L.var(a, dim=1, correction=0), [rand(3, 4)]),
    ("var-dims-keepdim", lambda L, a: a.var(dim=(0, -1), keepdim=True), [rand(2, 3, 4)]),
    ("var-unbiased-false", lambda L, a: a.var(0, unbiased=False), [rand(3, 4)]),
    ("var-correction-2", lambda L, a: a.var(dim=0, correction=2), [rand(5, 2)]),
    ("var-size-1-dim", lambda L, a: a.var(dim=1, correction=0), [rand(3, 1)]),
    ("std", lambda L, a: L.std(a, dim=0), [rand(3, 4)]),
    ("std-correction0", lambda L, a: a.std(correction=0, keepdim=True), [rand(3, 4)]),
    ("cumsum", lambda L, a: L.cumsum(a, dim=1), [rand(3, 4)]),
    ("cumsum-negative", lambda L, a: a.cumsum(-3), [rand(2, 3, 4)]),
    ("cumsum-0d", lambda L, a: a.cumsum(0), [np.array(2.5)]),
    ("cumsum-empty", lambda L, a: a.cumsum(0) * 1.0, [np.zeros((0, 2))]),
    ("norm", lambda L, a: a.norm(), [rand(3, 4)]),
    ("norm-fro-dims", lambda L, a: L.norm(a, p="fro", dim=(0, 1)), [rand(3, 4)]),
    ("norm-p2-dim-keepdim", lambda L, a: a.norm(2, dim=1, keepdim=True), [rand(3, 4)]),
    ("norm-p1", lambda L, a: a.norm(p=1, dim=0), [np.array([[1.0, -2.0], [0.0, 3.0], [-0.5, 0.0]])]),
    ("norm-p3", lambda L, a: a.norm(p=3), [rand(3, 4)]),
    ("norm-inf", lambda L, a: a.norm(p=math.inf, dim=1), [np.array([[1.0, -3.0, 3.0], [0.0, 2.0, -1.0]])]),
    ("norm-zero-vector", lambda L, a: a.norm(dim=1), [np.array([[0.0, 0.0], [3.0, 4.0]])]),
    ("norm-zero-p1", lambda L, a: a.norm(p=1), [np.zeros(3)]),
    ("norm-zero-p3", lambda L, a: a.norm(p=3), [np.zeros(3)]),
]


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
@pytest.mark.parametrize("fn,arrays", [pytest.param(fn, arrays, id=name) for name, fn, arrays in CASES])
def test_values_and_gradients_match_pytorch(fn, arrays, dtype, torch_dtype):
    out, ref, ours, theirs = both(fn, arrays, dtype, torch_dtype)
    assert_same(out, ref, dtype)
    assert_same_grads(ours, theirs, dtype)


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_max_and_min_along_a_dim_return_values_and_indices_like_pytorch(op, dim, keepdim, dtype, torch_dtype):
    values = np.array([[1.0, 3.0, 3.0, math.nan], [2.0, 2.0, -1.0, -1.0], [0.5, 0.5, 0.5, 0.5]])
    ours = getattr(Tensor(values, dtype=dtype), op)(dim, keepdim)
    ref = getattr(torch.tensor(values, dtype=torch_dtype), op)(dim, keepdim)
    np.testing.assert_array_equal(ours.values.data, ref.values.numpy())  # nan where PyTorch has nan
    np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())  # the same index among ties
    assert ours.indices.dtype == np.int64 and ours[0] is ours.values and ours[1] is ours.indices
    values_, indices_ = ours  # unpacks like PyTorch's named tuple
    assert type(ours).__name__ == op and values_ is ours.values


def test_max_without_a_dim_is_a_tensor_and_numpy_keywords_give_the_values():
    t = Tensor([[1.0, 5.0], [7.0, 2.0]])
    assert isinstance(t.max(), Tensor) and t.max().item() == torch.tensor(t.data).max().item()
    assert isinstance(tt.max(t), Tensor) and tt.min(t).item() == 1.0
    np.testing.assert_array_equal(t.max(axis=1, keepdims=True).data, [[5.0], [7.0]])  # as np.max
    assert tt.max(t, 1).indices.tolist() == torch.max(torch.tensor(t.data), 1).indices.tolist()
    with pytest.raises(TypeError, match="max: dim must be an int"):
        t.max(dim=(0, 1))  # PyTorch: TypeError too; amax takes several dims


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
def test_argmin_matches_pytorch(dtype, torch_dtype):
    values = np.array([[3.0, -1.0, -1.0], [0.0, 2.0, -5.0]], dtype=dtype)
    ours, ref = Tensor(values, dtype=dtype), torch.tensor(values)
    assert ours.argmin().item() == ref.argmin().item()
    for dim, keepdim in [(0, False), (1, True), (-1, False)]:
        np.testing.assert_array_equal(ours.argmin(dim, keepdim).data, ref.argmin(dim, keepdim).numpy())
        assert tt.argmin(ours, dim=dim).dtype == np.int64
        np.testing.assert_array_equal(tt.argmax(ours, dim=dim).data, torch.argmax(ref, dim=dim).numpy())


def error_kind(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the kind is what we compare
        return type(e)
    return None


# (id, call(lib)) for inputs PyTorch refuses: ours must refuse them with the same kind of error
ERRORS = [
    ("cat-dim-out-of-range", lambda L: L.cat([L.ones(2, 3)], dim=2)),
    ("cat-sizes", lambda L: L.cat([L.ones(2, 3), L.ones(2, 2)])),
    ("cat-ndim", lambda L: L.cat([L.ones(2, 3), L.ones(3)])),
    ("cat-0d", lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)])),
    ("cat-empty-list", lambda L: L.cat([])),
    ("cat-not-tensors", lambda L: L.cat([[1.0], [2.0]])),
    ("stack-sizes", lambda L: L.stack([L.ones(2), L.ones(3)])),
    ("stack-dim-out-of-range", lambda L: L.stack([L.ones(2), L.ones(2)], dim=2)),
    ("stack-empty-list", lambda L: L.stack([])),
    ("squeeze-dim-out-of-range", lambda L: L.ones(2, 1).squeeze(2)),
    ("unsqueeze-dim-out-of-range", lambda L: L.ones(2, 3).unsqueeze(3)),
    ("unsqueeze-negative-out-of-range", lambda L: L.ones(2, 3).unsqueeze(-4)),
    ("flatten-start-after-end", lambda L: L.ones(2, 3, 4).flatten(2, 1)),
    ("flatten-dim-out-of-range", lambda L: L.ones(2, 3).flatten(0, 2)),
    ("expand-non-singleton", lambda L: L.ones(2, 3).expand(2, 4)),
    ("expand-fewer-sizes", lambda L: L.ones(2, 3).expand(3)),
    ("expand-new-dim-minus-one", lambda L: L.ones(3).expand(-1, 3)),
    ("where-float-condition", lambda L: L.where(L.ones(2), 1.0, 2.0)),
    ("masked_fill-float-mask", lambda L: L.ones(3).masked_fill(L.ones(3), 5.0)),
    ("masked_fill-1d-value", lambda L: L.ones(3).masked_fill(L.ones(3) > 0, L.ones(3))),
    ("clamp-no-bounds", lambda L: L.clamp(L.ones(3))),
    ("maximum-number", lambda L: L.maximum(L.ones(3), 2.0)),
    ("max-dim-out-of-range", lambda L: L.ones(2, 3).max(2)),
    ("max-dim-of-size-0", lambda L: L.ones(0, 3).max(0)),
    ("min-dim-out-of-range", lambda L: L.ones(2, 3).min(-3)),
    ("argmin-bool", lambda L: L.tensor([True, False]).argmin()),
    ("argmin-dim-out-of-range", lambda L: L.ones(2, 3).argmin(2)),
    ("var-int", lambda L: L.tensor([1, 2]).var()),
    ("var-dim-out-of-range", lambda L: L.ones(2, 3).var(2)),
    ("std-int", lambda L: L.tensor([1, 2]).std()),
    ("norm-int", lambda L: L.tensor([1, 2]).norm()),
    ("cumsum-dim-out-of-range", lambda L: L.ones(2, 3).cumsum(2)),
    ("arange-step-0", lambda L: L.arange(0, 5, 0)),
    ("arange-wrong-sign", lambda L: L.arange(5, 0, 1)),
    ("full-size-int", lambda L: L.full(2, 1.5)),
    ("randn_like-int", lambda L: L.randn_like(L.tensor([1, 2]))),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("call", [pytest.param(call, id=name) for name, call in ERRORS])
def test_bad_input_raises_the_kind_of_error_pytorch_raises(call):
    expected = error_kind(lambda: call(torch))
    assert expected is not None, "PyTorch accepts this: the case is wrong"
    with pytest.raises(expected) as info:
        call(tt)
    message = str(info.value)
    assert message and "\n" not in message  # one line that says what was wrong


def test_error_messages_name_the_op_and_the_shapes():
    with pytest.raises(RuntimeError, match=r"cat: sizes of tensors must match except in dimension 0.*"
                                           r"\(2, 3\).*\(2, 2\)"):
        tt.cat([tt.ones(2, 3), tt.ones(2, 2)])
    with pytest.raises(IndexError, match=r"unsqueeze: dimension 3 is out of range.*\(2, 3\).*-3 to 2"):
        tt.ones(2, 3).unsqueeze(3)
    with pytest.raises(RuntimeError, match=r"expand: the expanded size 4 must match the existing size 3"):
        tt.ones(2, 3).expand(2, 4)
    with pytest.raises(RuntimeError, match=r"where: the condition must be a bool tensor.*float32"):
        tt.where(tt.ones(2), 1.0, 2.0)
    with pytest.raises(ValueError, match=r"where: shapes \(2,\), \(3,\), \(\) cannot be broadcast"):
        tt.where(tt.ones(2) > 0, tt.ones(3), 0.0)


@pytest.mark.parametrize("condition,x,y", [
    (np.array([True, False]), np.array([1, 2]), 2.5),   # int tensor and a float: float32
    (np.array([True, False]), 1, 2.5),                  # two numbers: float32
    (np.array([True, False]), 1, 2),                    # two ints: int64
    (np.array([[True], [False]]), np.array([1.0, 2.0, 3.0], dtype=np.float64), 0),
])
def test_where_dtype_and_broadcasting_match_pytorch(condition, x, y):
    def operand(lib, v):
        return lib.tensor(v) if isinstance(v, np.ndarray) else v
    ours = tt.where(tt.tensor(condition), operand(tt, x), operand(tt, y))
    ref = torch.where(torch.tensor(condition), operand(torch, x), operand(torch, y))
    assert ours.shape == tuple(ref.shape) and ours.dtype == np.dtype(str(ref.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(ours.data, ref.numpy())


def test_masked_fill_keeps_the_input_dtype_like_pytorch():
    mask = np.array([True, False, True])
    ours = tt.tensor([1, 1, 1]).masked_fill(tt.tensor(mask), 2.7)
    ref = torch.tensor([1, 1, 1]).masked_fill(torch.tensor(mask), 2.7)
    assert ours.dtype == np.int64 and ours.tolist() == ref.tolist()


@pytest.mark.parametrize("values,low,high", [([1, 2, 3], 1.5, None), ([1, 2, 3], 2, None), ([1, 5], None, 3)])
def test_clamp_promotes_dtypes_like_pytorch(values, low, high):
    ours = tt.tensor(values).clamp(low, high)
    ref = torch.tensor(values).clamp(low, high)
    assert ours.dtype == np.dtype(str(ref.dtype).replace("torch.", "")) and ours.tolist() == ref.tolist()


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
def test_nan_propagates_through_maximum_clamp_and_norm_like_pytorch(dtype, torch_dtype):
    a = np.array([math.nan, 1.0, -2.0])
    b = np.array([0.0, math.nan, -2.0])
    for fn in (lambda L, x, y: L.maximum(x, y), lambda L, x, y: L.minimum(x, y) * y,
               lambda L, x, y: x.clamp(-1.0, 0.5) + y):
        out, ref, ours, theirs = both(fn, [a, b], dtype, torch_dtype)
        np.testing.assert_array_equal(out.data, ref.detach().numpy())
        for leaf, t in zip(ours, theirs):
            np.testing.assert_array_equal(leaf.grad.data, t.grad.numpy())


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
@pytest.mark.parametrize("op", ["var", "std"])
def test_var_of_one_element_with_correction_1_is_nan_with_a_warning_like_pytorch(op, dtype, torch_dtype):
    with pytest.warns(UserWarning, match=rf"{op}\(\): degrees of freedom is <= 0"):
        out, ref, ours, theirs = both(lambda L, a: getattr(a, op)(), [np.array([2.0])], dtype, torch_dtype)
    assert math.isnan(out.item()) and math.isnan(ref.item())
    np.testing.assert_array_equal(ours[0].grad.data, theirs[0].grad.numpy())  # nan, as PyTorch
    assert getattr(Tensor([2.0], dtype=dtype), op)(correction=0).item() == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Tensor([1.0, 2.0], dtype=dtype).var()  # N - correction = 1: no warning


def test_var_of_an_empty_tensor_is_nan_like_pytorch():
    with pytest.warns(UserWarning):
        ours = tt.zeros(0).var()
    with pytest.warns(UserWarning):
        ref = torch.zeros(0).var()
    assert math.isnan(ours.item()) and math.isnan(ref.item())


@pytest.mark.parametrize("np_dtype,torch_dtype", [(np.int32, torch.int32), (np.int64, torch.int64),
                                                  (np.bool_, torch.bool), (np.uint8, torch.uint8)])
def test_cumsum_of_integers_and_bools_is_int64_like_pytorch(np_dtype, torch_dtype):
    values = [[100, 100], [1, 1]] if np_dtype is not np.bool_ else [[True, True], [False, True]]
    ours = Tensor(values, dtype=np_dtype).cumsum(1)
    ref = torch.tensor(values, dtype=torch_dtype).cumsum(1)
    assert ours.dtype == np.int64 and ref.dtype == torch.int64 and ours.tolist() == ref.tolist()
    assert Tensor(values, dtype=np_dtype).cumsum(0, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("args", [(5,), (2, 7), (1, 10, 3), (5, 0, -2), (0,), (3, 3), (0, 1, 0.1), (1.0, 4),
                                  (0, 2.5), (5, 0, -1.5), (-1, 1, 0.25), (0, 0.3, 0.1), (1e-3, 1, 0.07)])
def test_arange_matches_pytorch_values_and_dtype(args):
    ours, ref = tt.arange(*args), torch.arange(*args)
    assert ours.dtype == np.dtype(str(ref.dtype).replace("torch.", "")) and ours.shape == tuple(ref.shape)
    np.testing.assert_array_equal(ours.data, ref.numpy())


def test_arange_takes_a_dtype_and_requires_grad():
    t = tt.arange(3, dtype=np.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad
    assert tt.arange(0, 3, 1, dtype=np.float32).tolist() == torch.arange(0, 3, 1, dtype=torch.float32).tolist()


@pytest.mark.parametrize("fill", [1, True, 1.5, -2])
def test_full_infers_the_dtype_from_the_fill_value_like_pytorch(fill):
    ours, ref = tt.full((2, 3), fill), torch.full((2, 3), fill)
    assert ours.dtype == np.dtype(str(ref.dtype).replace("torch.", "")) and ours.tolist() == ref.tolist()
    assert tt.full([2], fill, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("values", [[[1, 2, 3]], [[1.0, 2.0]], [True], 3.5])
def test_like_constructors_keep_shape_and_dtype(values):
    ours, ref = tt.tensor(values), torch.tensor(values)
    for name in ("zeros_like", "ones_like"):
        out, expected = getattr(tt, name)(ours), getattr(torch, name)(ref)
        assert out.shape == tuple(expected.shape) and out.tolist() == expected.tolist()
        assert out.dtype == np.dtype(str(expected.dtype).replace("torch.", ""))
    if ours.dtype.kind == "f":
        noise = tt.randn_like(ours)
        assert noise.shape == ours.shape and noise.dtype == ours.dtype
    assert tt.zeros_like(ours, dtype=np.float64).dtype == np.float64


def test_randn_like_is_drawn_from_the_seeded_generator():
    base = tt.zeros(2, 3, dtype=np.float64)
    tt.manual_seed(3)
    first = tt.randn_like(base)
    tt.manual_seed(3)
    assert first.dtype == np.float64 and first.tolist() == tt.randn_like(base).tolist()
    assert tt.randn_like(base, requires_grad=True).requires_grad


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
def test_to_between_floats_stays_in_the_graph_like_pytorch(dtype, torch_dtype):
    other, torch_other = (np.float64, torch.float64) if dtype == np.float32 else (np.float32, torch.float32)
    out, ref, ours, theirs = both(lambda L, a: a.to(other if L is tt else torch_other) * 3.0,
                                  [rand(2, 3)], dtype, torch_dtype)
    assert out.dtype == other and out.requires_grad and ref.requires_grad
    assert ours[0].grad.dtype == dtype  # cast back to the leaf's dtype
    np.testing.assert_allclose(ours[0].grad.data, theirs[0].grad.numpy(), rtol=1e-6)


def test_to_an_integer_dtype_leaves_the_graph_like_pytorch():
    x = Tensor([1.7, -2.2], requires_grad=True)
    xr = torch.tensor([1.7, -2.2], requires_grad=True)
    ours, ref = x.to(np.int64), xr.to(torch.int64)
    assert ours.tolist() == ref.tolist() and ours.requires_grad == ref.requires_grad is False
    assert x.long().dtype == np.int64


def test_float_double_and_to_return_the_tensor_itself_when_nothing_changes():
    x = Tensor([1.0, 2.0], requires_grad=True)
    xr = torch.tensor([1.0, 2.0], requires_grad=True)
    assert (x.float() is x) == (xr.float() is xr) is True
    assert (x.to(np.float32) is x) and (x.to("cpu") is x) and xr.to("cpu") is xr
    assert x.to(np.float32, copy=True) is not x and xr.to(torch.float32, copy=True) is not xr
    assert x.double().dtype == np.float64 and x.to(Tensor([1], dtype=np.float64)).dtype == np.float64
    with pytest.raises(TypeError, match="to: expected a NumPy dtype"):
        x.to("cuda")


def test_expand_is_a_view_and_clone_a_copy_like_pytorch():
    base = Tensor([[1.0], [2.0]])
    wide = base.expand(2, 3)
    assert np.shares_memory(wide.data, base.data) and wide.data.strides[1] == 0
    assert torch.ones(2, 1).expand(2, 3).stride()[1] == 0
    copy = base.clone()
    assert not np.shares_memory(copy.data, base.data) and copy.tolist() == base.tolist()
    assert np.shares_memory(base.squeeze().data, base.data) and np.shares_memory(base.unsqueeze(0).data, base.data)


def test_stack_and_cat_promote_dtypes_like_pytorch():
    pairs = [(np.array([1, 2]), np.array([1.5, 2.5], dtype=np.float32)),
             (np.array([True, False]), np.array([3, 4])),
             (np.array([1.0], dtype=np.float32), np.array([2.0]))]
    for a, b in pairs:
        for name in ("cat", "stack"):
            ours = getattr(tt, name)([tt.tensor(a), tt.tensor(b)])
            ref = getattr(torch, name)([torch.tensor(a), torch.tensor(b)])
            assert ours.dtype == np.dtype(str(ref.dtype).replace("torch.", "")) and ours.tolist() == ref.tolist()
