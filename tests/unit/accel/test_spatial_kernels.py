"""tinytorch.accel.spatial: the channels-last conv2d and the window max-pool give the plain
functions' values and gradients, and hand every call they do not handle back to them."""
import numpy as np
import pytest

import tinytorch  # noqa: F401  (registers tinytorch.accel's kernels)
from tinytorch import Tensor, kernels, nn
from tinytorch.accel.spatial import fast_conv2d, fast_max_pool2d
from tinytorch.core.batchnorm import batch_norm
from tinytorch.core.pooling import max_pool2d
from tinytorch.core.spatial import conv2d
from tests.unit.accel.checking import both_paths, checks, tolerance


def run_conv(x, w, b, upstream_seed=0, input_grad=True, **options):
    """kernel(conv2d)(x, w, b, **options), backward with a random upstream gradient: (op, out, grads)."""
    tx = Tensor(x, dtype=x.dtype, requires_grad=input_grad)
    tw = Tensor(w, dtype=w.dtype, requires_grad=True)
    tb = None if b is None else Tensor(b, dtype=b.dtype, requires_grad=True)
    out = kernels.kernel(conv2d)(tx, tw, tb, **options)
    upstream = np.random.default_rng(upstream_seed).standard_normal(out.shape).astype(out.dtype)
    out.backward(upstream)
    return out.grad_fn, out.data, [t.grad.data for t in (tx, tw, tb) if t is not None and t.grad is not None]


def assert_same(fast, plain, dtype):
    (op, out, grads), (plain_op, plain_out, plain_grads) = fast, plain
    assert plain_op == "conv2d" and op in ("conv2d_nhwc", "conv2d")
    assert out.dtype == plain_out.dtype == dtype and out.shape == plain_out.shape
    np.testing.assert_allclose(out, plain_out, **tolerance(dtype))
    assert len(grads) == len(plain_grads)
    for g, plain_g in zip(grads, plain_grads):
        assert g.dtype == dtype and g.shape == plain_g.shape
        np.testing.assert_allclose(g, plain_g, **tolerance(dtype))


CONV_CASES = [  # (x shape, w shape, options)
    ((2, 3, 8, 8), (4, 3, 3, 3), dict(padding=1)),
    ((1, 2, 7, 9), (3, 2, 2, 3), dict(stride=2)),
    ((2, 3, 9, 8), (2, 3, 3, 3), dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1))),
    ((2, 4, 6, 6), (5, 4, 1, 1), {}),
    ((2, 3, 6, 7), (4, 3, 4, 2), dict(padding="same", dilation=2)),   # even kernel: extra pad after
    ((1, 2, 5, 5), (3, 2, 3, 3), dict(stride=3, padding="valid")),
    ((3, 2, 5, 4), (2, 2, 5, 4), {}),                                   # the kernel covers the image
    ((2, 1, 4, 4), (1, 1, 3, 3), dict(stride=5, padding=1)),            # stride > kernel
]


@checks(conv2d)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, options", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_equals_plain(dtype, x_shape, w_shape, options, bias):
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype) if bias else None
    fast, plain = both_paths(lambda: run_conv(x, w, b, **options))
    assert fast[0] == "conv2d_nhwc", "the fast path should handle this call"
    assert_same(fast, plain, dtype)


@checks(conv2d)
def test_conv2d_weight_gradient_only_and_layers_in_a_chain():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 6, 6)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    fast, plain = both_paths(lambda: run_conv(x, w, None, input_grad=False, padding=1))
    assert fast[0] == "conv2d_nhwc" and len(fast[2]) == 1
    assert_same(fast, plain, np.float32)

    def chain():  # conv -> ReLU -> conv -> pool -> flatten: channels-last outputs feed the next layer
        tinytorch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, stride=2),
                              nn.MaxPool2d(2), nn.Flatten())
        tx = Tensor(x, requires_grad=True)
        out = model(tx)
        out.backward(np.arange(out.data.size, dtype=np.float32).reshape(out.shape) / 10)
        return [out.data, tx.grad.data] + [p.grad.data for p in model.parameters()]

    for a, b in zip(*both_paths(chain), strict=True):
        np.testing.assert_allclose(a, b, **tolerance(np.float32))


@checks(conv2d)
@pytest.mark.parametrize("x_shape, w_shape, options", CONV_CASES[:3] + [((3, 2, 5, 5), (4, 2, 1, 1), {})])
def test_conv2d_output_is_contiguous_nchw_and_views_like_plain(x_shape, w_shape, options):
    """PyTorch's conv output is contiguous: .view(N, -1) works on it, on both paths."""
    rng = np.random.default_rng(4)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in (x_shape, w_shape, w_shape[:1]))
    n = x_shape[0]

    def flat():
        out = kernels.kernel(conv2d)(Tensor(x, requires_grad=True), Tensor(w), Tensor(b), **options)
        assert out.data.flags.c_contiguous, f"conv2d output strides {out.data.strides}: not C-contiguous"
        tinytorch.manual_seed(1)
        layer = nn.Conv2d(w_shape[1], w_shape[0], w_shape[2:], **options)
        layer_out = layer(Tensor(x, requires_grad=True))
        return (out.grad_fn, layer_out.grad_fn), out.view(n, -1).data, layer_out.view(n, -1).data

    (op, *fast), (plain_op, *plain) = both_paths(flat)
    assert op == ("conv2d_nhwc",) * 2 and plain_op == ("conv2d",) * 2
    for a, p in zip(fast, plain, strict=True):
        np.testing.assert_allclose(a, p, **tolerance(np.float32))


@checks(conv2d)
@pytest.mark.parametrize("case", ["groups", "unbatched", "integer weight", "reflect"])
def test_conv2d_falls_back_to_plain(case):
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 4, 5, 5)), rng.standard_normal((2, 4, 3, 3)), None
    options = {}
    if case == "groups":
        w, options = rng.standard_normal((4, 2, 3, 3)), dict(groups=2)
    elif case == "unbatched":
        x = x[0]
    elif case == "integer weight":
        tx, tw = Tensor(x.astype(np.int64)), Tensor(w.astype(np.int64))
        fast, plain = both_paths(lambda: kernels.kernel(conv2d)(tx, tw))
        assert fast.grad_fn == plain.grad_fn and fast.dtype == plain.dtype
        np.testing.assert_array_equal(fast.data, plain.data)
        return
    if case == "reflect":
        def through_layer():
            tinytorch.manual_seed(1)
            layer = nn.Conv2d(4, 2, 3, padding=1, padding_mode="reflect", bias=False)
            tx = Tensor(x.astype(np.float32), requires_grad=True)
            out = layer(tx)
            out.backward(np.ones(out.shape))
            return out.data, tx.grad.data
        for a, b in zip(*both_paths(through_layer)):
            np.testing.assert_allclose(a, b, **tolerance(np.float32))
        return
    fast, plain = both_paths(lambda: run_conv(x, w, b, **options))
    assert fast[0] == "conv2d", f"{case}: the plain conv2d should have run"
    assert_same(fast, plain, np.result_type(x.dtype, w.dtype))


@checks(conv2d)
@pytest.mark.parametrize("x_shape, w_shape, options", [
    ((2, 3, 5, 5), (4, 2, 3, 3), {}),                 # the weight expects 2 input channels
    ((2, 3, 2, 2), (4, 3, 3, 3), {}),                 # the kernel is bigger than the image
    ((2, 3, 5, 5), (4, 3, 3, 3), dict(stride=0)),
    ((2, 3, 5, 5), (4, 3, 3, 3), dict(padding="same", stride=2)),
    ((2, 3, 5, 5), (4, 3, 3, 3), dict(dtype=np.float32)),   # float32 input, float64 weight
])
def test_conv2d_errors_are_the_plain_ones(x_shape, w_shape, options):
    options = dict(options)
    x_dtype = options.pop("dtype", np.float64)
    x, w = Tensor(np.ones(x_shape), dtype=x_dtype), Tensor(np.ones(w_shape), dtype=np.float64)
    errors = []
    for use_kernels in (True, False):
        with pytest.raises((ValueError, RuntimeError, TypeError)) as info:
            if use_kernels:
                kernels.kernel(conv2d)(x, w, **options)
            else:
                with kernels.plain():
                    kernels.kernel(conv2d)(x, w, **options)
        errors.append((info.type, str(info.value)))
    assert errors[0] == errors[1]


# --- max_pool2d ---------------------------------------------------------------------------------
def run_pool(x, layout, *args, **options):
    """kernel(max_pool2d) on x stored in `layout` ("NCHW" or "NHWC" memory), backward: (op, out, grad)."""
    data = x if layout == "NCHW" else np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    tx = Tensor(data, dtype=x.dtype, requires_grad=True)
    out = kernels.kernel(max_pool2d)(tx, *args, **options)
    out.backward(np.random.default_rng(5).standard_normal(out.shape).astype(out.dtype))
    return out.grad_fn, out.data, tx.grad.data


@checks(max_pool2d)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, args", [((2, 3, 8, 8), (2,)), ((1, 2, 7, 9), (2,)), ((2, 2, 9, 9), (3,)),
                                         ((2, 2, 6, 8), ((2, 4),)), ((1, 1, 4, 6), (2, None, 0, 1, True))])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_max_pool2d_equals_plain(dtype, shape, args, ties, layout):
    rng = np.random.default_rng(6)
    x = (rng.integers(0, 3, shape) if ties else rng.standard_normal(shape)).astype(dtype)  # ties: the first max wins
    (op, out, grad), (plain_op, plain_out, plain_grad) = both_paths(lambda: run_pool(x, layout, *args))
    assert op == "max_pool2d_window" and plain_op != op
    assert out.flags.c_contiguous, "the pooled output is contiguous, as the plain one"
    assert out.dtype == plain_out.dtype == dtype and grad.dtype == plain_grad.dtype == dtype
    np.testing.assert_array_equal(out, plain_out)
    np.testing.assert_array_equal(grad, plain_grad)


@checks(max_pool2d)
@pytest.mark.parametrize("args, options", [((3,), dict(stride=2)), ((2,), dict(padding=1)),
                                           ((2,), dict(dilation=2)), ((2,), dict(ceil_mode=True)),
                                           ((2,), dict(stride=1))])
def test_max_pool2d_falls_back_to_plain(args, options):
    x = np.random.default_rng(7).standard_normal((1, 2, 7, 7))
    fast = kernels.kernel(max_pool2d)(Tensor(x), *args, **options)
    with kernels.plain():
        plain = kernels.kernel(max_pool2d)(Tensor(x), *args, **options)
    assert fast.grad_fn == plain.grad_fn != "max_pool2d_window"
    np.testing.assert_array_equal(fast.data, plain.data)
    assert fast_max_pool2d is kernels.registered()[max_pool2d]


# --- batch_norm ---------------------------------------------------------------------------------
def run_batch_norm(x, training, affine, running, steps=3):
    """`steps` calls of kernel(batch_norm) on x laid out channels-last (an (N, H, W, C) tensor
    permuted to (N, C, H, W)), each followed by backward: (op, outputs,
    gradients, running statistics)."""
    c = x.shape[1]
    nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1))  # images stored (N, H, W, C)
    rng = np.random.default_rng(8)
    weight = Tensor(rng.uniform(0.5, 1.5, c), dtype=x.dtype, requires_grad=True) if affine else None
    bias = Tensor(rng.standard_normal(c), dtype=x.dtype, requires_grad=True) if affine else None
    mean = Tensor(rng.standard_normal(c)) if running else None
    var = Tensor(rng.uniform(0.5, 2, c)) if running else None
    results = []
    for step in range(steps):
        tx = Tensor(nhwc * (step + 1), dtype=x.dtype, requires_grad=True)
        # permuted to (N, C, H, W): a view with channels-last memory, what the kernel handles
        out = kernels.kernel(batch_norm)(tx.permute(0, 3, 1, 2), mean, var, weight, bias,
                                         training, 0.1, 1e-5)
        out.backward(rng.standard_normal(out.shape).astype(x.dtype))
        results += [out.data, tx.grad.data]
    results += [t.grad.data for t in (weight, bias) if t is not None]
    results += [t.data for t in (mean, var) if t is not None]
    return out.grad_fn, results


@checks(batch_norm)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("training, affine, running", [(True, True, True), (True, False, True),
                                                      (True, True, False), (False, True, True),
                                                      (False, False, True)])
def test_batch_norm_equals_plain(dtype, training, affine, running):
    x = np.random.default_rng(9).standard_normal((4, 3, 5, 6)).astype(dtype) * 3 + 1
    (op, fast), (plain_op, plain) = both_paths(lambda: run_batch_norm(x, training, affine, running))
    assert op == "batch_norm_nhwc" and plain_op == "batch_norm"
    for a, b in zip(fast, plain, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=2e-5 if dtype == np.float32 else 1e-10,
                                   atol=2e-5 if dtype == np.float32 else 1e-10)


@checks(batch_norm)
def test_batch_norm_falls_back_for_contiguous_input_and_in_a_cnn():
    x = np.random.default_rng(10).standard_normal((2, 3, 4, 4)).astype(np.float32)
    out = kernels.kernel(batch_norm)(Tensor(x, requires_grad=True), None, None, training=True)
    assert out.grad_fn == "batch_norm", "a contiguous (N, C, H, W) input takes the plain path"

    def cnn():
        tinytorch.manual_seed(2)
        model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 2))
        tx = Tensor(x, requires_grad=True)
        model(tx).sum().backward()
        model.eval()
        return [model(tx).data, tx.grad.data] + [p.grad.data for p in model.parameters()] + \
            [b.data for b in model.buffers()]

    for a, b in zip(*both_paths(cnn), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)
