"""tinytorch.accel: every registered kernel gives what the plain function it replaces gives
(values, gradients, state), and falls back to it for the calls it does not handle."""
import numpy as np
import pytest

import tinytorch  # noqa: F401  (registers tinytorch.accel's kernels)
from tinytorch import Tensor, kernels
import tinytorch.core.tensor
from tinytorch.core.layers import linear
from tinytorch.core.losses import cross_entropy
from tinytorch.optim.optimizers import adam_update, rmsprop_update
from tests.unit.accel.checking import CHECKED, both_paths, checks, tolerance


def test_every_registered_kernel_has_an_equality_test():
    import tests.unit.accel.test_spatial_kernels  # noqa: F401  (its @checks marks count too)
    registered = kernels.registered()
    assert registered, "tinytorch.accel registers no kernel: is it imported by tinytorch/__init__.py?"
    missing = [f"{plain.__module__}.{plain.__name__}" for plain in registered if plain not in CHECKED]
    assert not missing, f"kernels without a test against their plain function: {missing}"


def test_kernel_plain_and_notebook_functions():
    fast = kernels.kernel(linear)
    assert fast is not linear and kernels.registered()[linear] is fast
    with kernels.plain():
        assert kernels.kernel(linear) is linear
    assert kernels.kernel(linear) is fast

    def my_linear(input, weight, bias=None):  # a student's own function is never replaced
        return input @ weight.T
    assert kernels.kernel(my_linear) is my_linear


# --- linear ------------------------------------------------------------------------------------
def run_linear(x, w, b, upstream_seed=0):
    """kernel(linear)(x, w, b), backward with a random upstream gradient: (op, out, grads)."""
    x, w = Tensor(x, dtype=x.dtype, requires_grad=True), Tensor(w, dtype=w.dtype, requires_grad=True)
    b = None if b is None else Tensor(b, dtype=b.dtype, requires_grad=True)
    out = kernels.kernel(linear)(x, w, b)
    upstream = np.random.default_rng(upstream_seed).standard_normal(out.shape).astype(out.dtype)
    out.backward(upstream)
    return out.grad_fn, out.data, [t.grad.data for t in (x, w, b) if t is not None]


@checks(linear)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3), (2, 1, 2, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_equals_plain(dtype, x_shape, bias):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal((4, 3)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype) if bias else None
    (op, out, grads), (plain_op, plain_out, plain_grads) = both_paths(lambda: run_linear(x, w, b))
    assert op == "linear" and plain_op == ("add" if bias else "matmul")
    assert out.dtype == plain_out.dtype == dtype and out.shape == plain_out.shape == x_shape[:-1] + (4,)
    np.testing.assert_allclose(out, plain_out, **tolerance(dtype))
    for g, plain_g in zip(grads, plain_grads, strict=True):
        assert g.dtype == dtype and g.shape == plain_g.shape
        np.testing.assert_allclose(g, plain_g, **tolerance(dtype))
    assert grads[1].flags.c_contiguous, "the weight's gradient is row-major like the weight"
    assert out.flags.c_contiguous, "the output is row-major, as the plain path's (so .view works)"


@checks(linear)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_linear_chain_equals_plain(dtype, order):
    # two layers with a relu between: the second layer's input is the first one's output (in the
    # fused path a transposed view), so its input gradient takes the layout-keeping branch
    rng = np.random.default_rng(4)
    x0 = np.asarray(rng.standard_normal((6, 5)).astype(dtype), order=order)
    w1, b1, w2 = (rng.standard_normal(s).astype(dtype) for s in [(4, 5), (4,), (3, 4)])

    def run():
        x = Tensor(x0, dtype=dtype, requires_grad=True)
        params = [Tensor(a, dtype=dtype, requires_grad=True) for a in (w1, b1, w2)]
        hidden = tinytorch.nn.functional.relu(kernels.kernel(linear)(x, params[0], params[1]))
        out = kernels.kernel(linear)(hidden, params[2])
        (out * Tensor(np.arange(18.0).reshape(6, 3), dtype=dtype)).sum().backward()
        return [out.data] + [t.grad.data for t in [x] + params]
    fast, plain = both_paths(run)
    for a, b in zip(fast, plain, strict=True):
        assert a.dtype == dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, **tolerance(dtype))


@checks(linear)
def test_linear_gradient_of_one_input_only_and_no_grad():
    rng = np.random.default_rng(2)
    x, w = Tensor(rng.standard_normal((3, 2))), Tensor(rng.standard_normal((5, 2)), requires_grad=True)
    kernels.kernel(linear)(x, w).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad.data, np.ones((3, 5)).T @ x.data, rtol=1e-6)
    with tinytorch.no_grad():
        assert kernels.kernel(linear)(x, w).grad_fn is None


@checks(linear)
@pytest.mark.parametrize("x_dtype, b_dtype", [(np.float64, np.float32), (np.float32, np.float64),
                                              (np.int64, np.float32)])
def test_linear_mixed_dtypes_fall_back_to_plain(x_dtype, b_dtype):
    rng = np.random.default_rng(3)
    x = Tensor((rng.standard_normal((2, 3)) * 3).astype(x_dtype), dtype=x_dtype)
    w = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), dtype=b_dtype)
    out, plain_out = both_paths(lambda: kernels.kernel(linear)(x, w, b))
    assert out.grad_fn == plain_out.grad_fn == "add", "mixed dtypes: the plain ops, which promote"
    assert out.dtype == plain_out.dtype
    np.testing.assert_array_equal(out.data, plain_out.data)


@checks(linear)
@pytest.mark.parametrize("x_shape, w_shape", [((2, 4), (3, 5)), ((), (3, 5)), ((5,), (3, 4))])
def test_linear_shape_errors_are_the_plain_ones(x_shape, w_shape):
    x, w = Tensor(np.ones(x_shape)), Tensor(np.ones(w_shape))
    errors = []
    for run in both_paths(lambda: lambda: kernels.kernel(linear)(x, w)):
        with pytest.raises(Exception) as info:
            run()
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# --- cross_entropy -----------------------------------------------------------------------------
def run_cross_entropy(logits, target, **options):
    """kernel(cross_entropy)(logits, target, **options), backward: (op, loss, grad)."""
    z = Tensor(logits, dtype=logits.dtype, requires_grad=True)
    loss = kernels.kernel(cross_entropy)(z, target, **options)
    upstream = np.random.default_rng(7).standard_normal(loss.shape).astype(loss.dtype)
    loss.backward(upstream)
    return loss.grad_fn, loss.data, z.grad.data


@checks(cross_entropy)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("make_target", [lambda y: Tensor(y, dtype=np.int64), lambda y: y.astype(np.int32),
                                         lambda y: y.tolist()], ids=["tensor", "int32-array", "list"])
def test_cross_entropy_equals_plain(dtype, reduction, make_target):
    rng = np.random.default_rng(4)
    logits = (rng.standard_normal((6, 5)) * 4).astype(dtype)
    logits[0] = [1e4, 0, -1e4, 3, 2]  # far apart: the shift by the maximum keeps it finite
    y = np.array([0, 2, 4, 1, 1, 3])
    fast, plain = both_paths(lambda: run_cross_entropy(logits, make_target(y), reduction=reduction))
    assert fast[0] == "softmax_cross_entropy" and plain[0] == "cross_entropy"
    for a, b in zip(fast[1:], plain[1:]):
        assert a.dtype == b.dtype == dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, **tolerance(dtype))
    assert np.isfinite(fast[1]).all()


@checks(cross_entropy)
@pytest.mark.parametrize("ignore_index", [-1, 3, 7])
def test_cross_entropy_with_an_unused_ignore_index_is_fast(ignore_index):
    logits = np.random.default_rng(9).standard_normal((4, 3)).astype(np.float32)
    fast, plain = both_paths(lambda: run_cross_entropy(logits, [0, 1, 2, 1], ignore_index=ignore_index))
    assert fast[0] == "softmax_cross_entropy"
    for a, b in zip(fast[1:], plain[1:]):
        np.testing.assert_allclose(a, b, **tolerance(np.float32))


@checks(cross_entropy)
def test_cross_entropy_backward_twice_and_through_the_module():
    rng = np.random.default_rng(5)
    z = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    loss = tinytorch.nn.CrossEntropyLoss()(z, Tensor([0, 1, 2, 1], dtype=np.int64))
    assert loss.grad_fn == "softmax_cross_entropy"
    loss.backward()
    once = z.grad.data.copy()
    loss.backward()  # the rule must leave its saved values unchanged
    np.testing.assert_allclose(z.grad.data, 2 * once, rtol=1e-6)
    with kernels.plain():
        z2 = Tensor(z.data, requires_grad=True)
        tinytorch.nn.CrossEntropyLoss()(z2, Tensor([0, 1, 2, 1], dtype=np.int64)).backward()
    np.testing.assert_allclose(once, z2.grad.data, rtol=1e-5, atol=1e-7)


FALLBACKS = {  # (logits shape, target, options): calls the fast path leaves to the plain function
    "weight": ((4, 3), [0, 1, 2, 1], dict(weight=Tensor([1.0, 2.0, 0.5]))),
    "ignored-target": ((4, 3), [0, 1, 2, 1], dict(ignore_index=1)),
    "label-smoothing": ((4, 3), [0, 1, 2, 1], dict(label_smoothing=0.1)),
    "1-D-logits": ((3,), 2, {}),
    "3-D-logits": ((2, 3, 4), [[0, 1, 2, 0], [2, 2, 1, 0]], {}),
    "probabilities": ((2, 3), [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], {}),
    "float-indices": ((4, 3), np.array([0.0, 1.0, 2.0, 1.0]), {}),
    "empty-batch": ((0, 3), np.zeros(0, dtype=np.int64), dict(reduction="sum")),
}


@checks(cross_entropy)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", FALLBACKS)
def test_cross_entropy_falls_back_to_plain(name, dtype):
    shape, target, options = FALLBACKS[name]
    logits = np.random.default_rng(6).standard_normal(shape).astype(dtype)
    target = Tensor(target, dtype=np.float32) if name == "probabilities" else target
    (op, loss, grad), plain = both_paths(lambda: run_cross_entropy(logits, target, **options))
    assert op == plain[0] == "cross_entropy"
    np.testing.assert_array_equal(loss, plain[1])
    np.testing.assert_array_equal(grad, plain[2])


@checks(cross_entropy)
@pytest.mark.parametrize("target, options", [([0, 3, 1], {}), ([0, -1, 1], {}), ([0, 1], {}),
                                             ([0, 1, 2], dict(reduction="max"))])
def test_cross_entropy_errors_are_the_plain_ones(target, options):
    z = Tensor(np.zeros((3, 3)))
    errors = []
    for run in both_paths(lambda: lambda: kernels.kernel(cross_entropy)(z, target, **options)):
        with pytest.raises(Exception) as info:
            run()
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# --- optimizer updates -------------------------------------------------------------------------
def run_update(plain_update, options, dtype, steps=12, shape=(4, 3)):
    """kernel(plain_update) applied for a few steps: (final parameter, final state)."""
    rng = np.random.default_rng(8)
    param, state = rng.standard_normal(shape).astype(dtype), {}
    for _ in range(steps):
        grad = rng.standard_normal(shape).astype(dtype)
        kernels.kernel(plain_update)(param, grad, state, **options)
    return param, state


def assert_same_update(plain_update, options, dtype):
    (param, state), (plain_param, plain_state) = both_paths(lambda: run_update(plain_update, options, dtype))
    assert param.dtype == dtype and list(state) == list(plain_state) and state["step"] == plain_state["step"]
    np.testing.assert_allclose(param, plain_param, **tolerance(dtype))
    for key in state:
        if key != "step":
            assert state[key].dtype == dtype
            np.testing.assert_allclose(state[key], plain_state[key], **tolerance(dtype))


ADAM = dict(lr=0.02, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
            decoupled_weight_decay=False)


@checks(adam_update)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("changes", [{}, dict(weight_decay=0.1), dict(weight_decay=0.1, decoupled_weight_decay=True),
                                     dict(amsgrad=True, maximize=True), dict(betas=(0.5, 0.8), eps=1e-3)],
                         ids=["default", "l2", "adamw", "amsgrad-maximize", "betas-eps"])
def test_adam_update_equals_plain(dtype, changes):
    assert_same_update(adam_update, {**ADAM, **changes}, dtype)


RMSPROP = dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False)


@checks(rmsprop_update)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("changes", [{}, dict(weight_decay=0.1, maximize=True), dict(momentum=0.9),
                                     dict(centered=True, alpha=0.6), dict(centered=True, momentum=0.5)],
                         ids=["default", "l2-maximize", "momentum", "centered", "centered-momentum"])
def test_rmsprop_update_equals_plain(dtype, changes):
    assert_same_update(rmsprop_update, {**RMSPROP, **changes}, dtype)


@checks(adam_update)
@checks(rmsprop_update)
def test_zero_dimensional_parameters():
    for update, options in ((adam_update, ADAM), (rmsprop_update, dict(RMSPROP, momentum=0.9))):
        (param, _), (plain_param, _) = both_paths(lambda: run_update(update, options, np.float32, shape=()))
        np.testing.assert_allclose(param, plain_param, rtol=1e-6)


# ------------------------------------------------------------------ elementwise arithmetic (01)

ARITHMETIC = [(tinytorch.core.tensor.add, "add"), (tinytorch.core.tensor.sub, "sub"),
              (tinytorch.core.tensor.mul, "mul"), (tinytorch.core.tensor.div, "div"),
              (tinytorch.core.tensor.pow, "pow")]
NUMBERS = [0.5, -0.0, 0.0, 3, -2, 2 ** 40, float("inf"), 1e-45, True]


def _same_array(u, v):
    """Equal bit for bit: dtype, shape, values, nan positions and the sign of zeros."""
    u, v = np.asarray(u), np.asarray(v)
    return (u.dtype == v.dtype and u.shape == v.shape
            and np.array_equal(u, v, equal_nan=True) and np.array_equal(np.signbit(u), np.signbit(v)))


@checks(tinytorch.core.tensor._arithmetic)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("op", ARITHMETIC, ids=lambda o: o[1])
def test_arithmetic_with_a_number_equals_plain(op, number, dtype):
    fn, name = op
    values = np.array([1.5, -2.0, 0.0, -0.0, 3.25], dtype=dtype)

    def run(tensor_first):
        x = Tensor(values, requires_grad=True, dtype=dtype)
        try:
            with np.errstate(all="ignore"):
                out = fn(x, number) if tensor_first else fn(number, x)
                out.backward(np.ones_like(values))
        except (TypeError, RuntimeError, ValueError) as e:  # e.g. t - True, refused as in PyTorch
            return type(e), str(e)
        return out.data, x.grad.data, out.grad_fn

    for tensor_first in (True, False):
        fast_result, slow_result = both_paths(lambda: run(tensor_first))
        if len(slow_result) == 2:  # the plain path refuses: the kernel must refuse the same way
            assert fast_result == slow_result
            continue
        (fast, fast_grad, fast_fn), (slow, slow_grad, slow_fn) = fast_result, slow_result
        assert fast_fn == slow_fn == name
        assert _same_array(fast, slow), f"{name}({'x, n' if tensor_first else 'n, x'}) n={number!r} {dtype}: {fast} vs {slow}"
        assert _same_array(fast_grad, slow_grad), f"gradient of {name} with {number!r} {dtype}: {fast_grad} vs {slow_grad}"


@checks(tinytorch.core.tensor._arithmetic)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", ARITHMETIC, ids=lambda o: o[1])
def test_arithmetic_of_two_tensors_equals_plain(op, dtype):
    fn, _ = op
    rng = np.random.default_rng(0)
    a_values = rng.uniform(0.5, 2.0, (4, 3)).astype(dtype)
    b_values = rng.uniform(0.5, 2.0, (3,)).astype(dtype)

    def run():
        a, b = Tensor(a_values, requires_grad=True), Tensor(b_values, requires_grad=True)
        out = fn(a, b)
        out.backward(np.ones((4, 3), dtype))
        return out.data, a.grad.data, b.grad.data

    fast, slow = both_paths(run)
    for u, v in zip(fast, slow):
        assert _same_array(u, v)


@checks(tinytorch.core.tensor._arithmetic)
def test_arithmetic_falls_back_to_plain_for_the_other_cases():
    f32, f64 = Tensor([1.0, 2.0]), Tensor([1.0, 2.0], dtype=np.float64)
    i64 = Tensor([1, 2], dtype=np.int64)
    cases = [lambda: f32 + f64, lambda: i64 * 0.5, lambda: i64 / i64, lambda: 2 ** i64,
             lambda: f32 + np.float64(1.5), lambda: f32 * True, lambda: f32 + np.ones(2)]
    for case in cases:
        fast, slow = both_paths(case)
        assert _same_array(fast.data, slow.data)
    for pair in ((Tensor(np.ones((2, 3))), Tensor(np.ones(4))), (f32, "x")):
        messages = []
        for plain_only in (False, True):
            try:
                if plain_only:
                    with kernels.plain():
                        pair[0] + pair[1]
                else:
                    pair[0] + pair[1]
            except (ValueError, TypeError) as e:
                messages.append((type(e), str(e)))
        assert len(messages) == 2 and messages[0] == messages[1], messages


def test_number_arrays_are_kept_read_only_and_bounded():
    from tinytorch.accel.arithmetic import _NUMBER_ARRAYS, _number_array
    a = _number_array(0.25, np.dtype(np.float32))
    assert a is _number_array(0.25, np.dtype(np.float32)) and not a.flags.writeable
    assert np.signbit(_number_array(-0.0, np.dtype(np.float32))) and not np.signbit(_number_array(0.0, np.dtype(np.float32)))
    for k in range(2500):
        _number_array(k + 0.5, np.dtype(np.float64))
    assert len(_NUMBER_ARRAYS[np.dtype(np.float64)]) <= 1000
