"""Module 09 against PyTorch: conv2d, pad, the pools and batch norm, values and gradients
(input, weight, bias) over a grid of shapes and arguments, and the errors' kinds."""
import itertools

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
from tinytorch import Tensor, manual_seed
from tinytorch.kernels import plain

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=2e-4, atol=2e-5)}


def leaves(arrays, dtype):
    """The same values as tinytorch and torch leaves that require grad."""
    ours = [None if a is None else Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a.astype(dtype), requires_grad=True)
              for a in arrays]
    return ours, theirs


def compare(fn_ours, fn_theirs, arrays, dtype=np.float64, seed=1, tol=None):
    """Forward both, backward a random upstream gradient, compare outputs and every grad."""
    tol = TOL[dtype] if tol is None else tol
    ours, theirs = leaves(arrays, dtype)
    with plain():  # the module's own code, not a registered fast version
        out = fn_ours(*ours)
        upstream = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
        out.backward(upstream)
    ref = fn_theirs(*theirs)
    ref.backward(torch.from_numpy(upstream))
    assert out.shape == tuple(ref.shape)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a is not None:
            assert a.grad is not None, f"input {i} got no gradient"
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), **tol,
                                       err_msg=f"gradient of input {i}")


# (N, C, H, W, O, kernel, stride, padding, dilation, groups, bias)
CONV_CASES = [
    (2, 3, 7, 9, 4, 3, 1, 1, 1, 1, True),                 # odd sizes
    (1, 4, 8, 7, 6, (3, 2), (2, 3), (1, 0), (2, 1), 2, True),  # tuples, groups
    (2, 4, 9, 9, 4, 3, 1, "same", 1, 4, True),            # depthwise, 'same'
    (2, 4, 9, 9, 8, 1, 3, 0, 1, 1, False),                # 1x1, stride > kernel, no bias
    (2, 3, 10, 10, 4, 4, 1, "same", 2, 1, True),          # even kernel 'same' (extra after)
    (1, 2, 5, 5, 3, 2, 4, "valid", 1, 1, True),           # stride > kernel, 'valid'
    (1, 1, 1, 1, 2, 1, 1, 0, 1, 1, True),                 # 1x1 image
    (3, 6, 6, 5, 6, 3, 2, 2, 2, 3, True),                 # groups 3, dilation, padding 2
    (1, 2, 4, 4, 2, 3, 1, 1, 1, 2, False),                # depthwise without bias
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CONV_CASES, ids=[str(i) for i in range(len(CONV_CASES))])
def test_conv2d_values_and_gradients_match_torch(case, dtype):
    n, c, h, w, o, k, stride, padding, dilation, groups, bias = case
    kh, kw = k if isinstance(k, tuple) else (k, k)
    r = np.random.default_rng(0)
    arrays = [r.standard_normal((n, c, h, w)), r.standard_normal((o, c // groups, kh, kw)),
              r.standard_normal(o) if bias else None]
    compare(lambda x, wt, b: F.conv2d(x, wt, b, stride, padding, dilation, groups),
            lambda x, wt, b: TF.conv2d(x, wt, b, stride, padding, dilation, groups),
            arrays, dtype)


def test_conv2d_randomized_grid_matches_torch():
    r = np.random.default_rng(42)
    for _ in range(25):
        groups = int(r.choice([1, 1, 2, 3]))
        c, o = groups * int(r.integers(1, 3)), groups * int(r.integers(1, 3))
        kh, kw = int(r.integers(1, 4)), int(r.integers(1, 4))
        stride, dilation = tuple(r.integers(1, 4, 2)), tuple(r.integers(1, 3, 2))
        padding = tuple(r.integers(0, 3, 2))
        h = int(dilation[0] * (kh - 1) + 1 - 2 * padding[0] + r.integers(0, 6))
        w = int(dilation[1] * (kw - 1) + 1 - 2 * padding[1] + r.integers(0, 6))
        h, w = max(h, 1), max(w, 1)
        args = (tuple(map(int, stride)), tuple(map(int, padding)), tuple(map(int, dilation)),
                groups)
        arrays = [r.standard_normal((int(r.integers(1, 3)), c, h, w)),
                  r.standard_normal((o, c // groups, kh, kw)), r.standard_normal(o)]
        compare(lambda x, wt, b: F.conv2d(x, wt, b, *args),
                lambda x, wt, b: TF.conv2d(x, wt, b, *args), arrays)


def test_conv2d_accepts_an_unbatched_input_like_torch():
    r = np.random.default_rng(1)
    compare(lambda x, wt, b: F.conv2d(x, wt, b, padding=1),
            lambda x, wt, b: TF.conv2d(x, wt, b, padding=1),
            [r.standard_normal((3, 5, 6)), r.standard_normal((2, 3, 3, 3)), r.standard_normal(2)])


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv2d_layer_padding_modes_match_torch(mode):
    manual_seed(0)
    ours = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode)
    theirs = torch.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    x = np.random.default_rng(2).standard_normal((2, 2, 5, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x).double())
                               .detach().numpy(), rtol=1e-5, atol=1e-5)


def test_conv2d_layer_has_torch_shapes_init_bounds_and_repr():
    manual_seed(0)
    layer = nn.Conv2d(4, 6, (3, 2), groups=2, bias=False)
    assert layer.weight.shape == (6, 2, 3, 2) and layer.bias is None
    bound = 1 / np.sqrt(2 * 3 * 2)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.8 * bound
    assert repr(layer) == repr(torch.nn.Conv2d(4, 6, (3, 2), groups=2, bias=False))
    for options in [dict(padding=1), dict(padding="same", dilation=2), dict(padding="valid"),
                    dict(stride=2, padding_mode="reflect", padding=1)]:
        assert repr(nn.Conv2d(3, 8, 3, **options)) == repr(torch.nn.Conv2d(3, 8, 3, **options))
    assert [name for name, _ in nn.Conv2d(1, 2, 3).named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("make, kind, words", [
    (lambda: F.conv2d(Tensor(np.ones((2, 4, 5, 5))), Tensor(np.ones((3, 3, 3, 3)))),
     RuntimeError, "to have 3 channels, but got 4 channels"),
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 2, 2))), Tensor(np.ones((3, 3, 3, 3)))),
     RuntimeError, "Kernel size can't be greater than actual input size"),
    (lambda: F.conv2d(Tensor(np.ones((1, 4, 5, 5))), Tensor(np.ones((3, 2, 3, 3))), groups=2),
     RuntimeError, "expected weight to be divisible by 2"),
    (lambda: F.conv2d(Tensor(np.ones((4, 5))), Tensor(np.ones((3, 3, 3, 3)))),
     RuntimeError, "Expected 3D (unbatched) or 4D (batched) input"),
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 3, 3, 3))),
                      Tensor(np.ones(3))), RuntimeError, "expected bias to be 1-dimensional with 2"),
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 3, 3, 3))), stride=2,
                      padding="same"), RuntimeError, "not supported for strided"),
    (lambda: nn.Conv2d(3, 2, 3, stride=2, padding="same"), ValueError, "not supported for strided"),
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 3, 3, 3))), padding="full"),
     RuntimeError, "invalid padding string 'full'"),
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 3, 3, 3))), padding=-1),
     RuntimeError, "negative padding"),
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 3, 3, 3))), stride=0),
     RuntimeError, "non-positive stride"),
    (lambda: nn.Conv2d(4, 6, 3, groups=3), ValueError, "in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), ValueError, "out_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 6, 3, padding_mode="mirror"), ValueError, "padding_mode"),
])
def test_bad_conv_arguments_raise_torch_error_kinds_naming_the_problem(make, kind, words):
    with pytest.raises(kind, match=None) as info:
        make()
    assert words in str(info.value)


def test_bad_conv_arguments_raise_in_torch_too():
    for kind, call in [(RuntimeError, lambda: TF.conv2d(torch.ones(2, 4, 5, 5), torch.ones(3, 3, 3, 3))),
                       (RuntimeError, lambda: TF.conv2d(torch.ones(1, 3, 2, 2), torch.ones(3, 3, 3, 3))),
                       (RuntimeError, lambda: TF.conv2d(torch.ones(4, 5), torch.ones(3, 3, 3, 3))),
                       (RuntimeError, lambda: TF.conv2d(torch.ones(1, 3, 5, 5), torch.ones(2, 3, 3, 3), stride=2,
                                                        padding="same")),
                       (ValueError, lambda: torch.nn.Conv2d(3, 2, 3, stride=2, padding="same")),
                       (RuntimeError, lambda: TF.conv2d(torch.ones(1, 3, 5, 5), torch.ones(2, 3, 3, 3), padding="full")),
                       (ValueError, lambda: torch.nn.Conv2d(4, 6, 3, groups=3))]:
        with pytest.raises(kind):
            call()


# --- pools --------------------------------------------------------------------------------------
POOL_CASES = [  # (shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 8, 8), 2, None, 0, 1, False),
    ((1, 2, 7, 9), 3, 2, 1, 1, False),
    ((1, 2, 7, 9), 3, 2, 1, 1, True),
    ((2, 1, 5, 5), 2, 2, 0, 1, True),
    ((1, 2, 9, 8), (3, 2), (2, 1), (1, 1), (2, 1), False),
    ((1, 1, 6, 6), 3, 1, 1, 1, False),
    ((3, 2, 5), 2, 2, 1, 1, True),                     # unbatched
]


@pytest.mark.parametrize("case", POOL_CASES, ids=[str(i) for i in range(len(POOL_CASES))])
def test_max_pool2d_matches_torch(case):
    shape, k, s, p, d, ceil = case
    x = np.random.default_rng(3).standard_normal(shape)
    compare(lambda t: F.max_pool2d(t, k, s, p, d, ceil), lambda t: TF.max_pool2d(t, k, s, p, d, ceil), [x])


def test_max_pool2d_sends_a_tied_window_gradient_to_its_first_maximum_like_torch():
    x = np.round(np.random.default_rng(4).standard_normal((2, 2, 6, 7)), 0)   # many ties
    for k, s, p in [(2, 2, 0), (3, 1, 1), (3, 2, 1)]:
        compare(lambda t: F.max_pool2d(t, k, s, p), lambda t: TF.max_pool2d(t, k, s, p), [x])
    compare(lambda t: nn.MaxPool2d(2)(t), lambda t: torch.nn.MaxPool2d(2)(t), [np.zeros((1, 1, 4, 4))])


@pytest.mark.parametrize("case", POOL_CASES[:4] + POOL_CASES[6:], ids=str)
@pytest.mark.parametrize("include_pad", [True, False])
def test_avg_pool2d_matches_torch(case, include_pad):
    shape, k, s, p, _, ceil = case
    x = np.random.default_rng(5).standard_normal(shape)
    compare(lambda t: F.avg_pool2d(t, k, s, p, ceil, include_pad),
            lambda t: TF.avg_pool2d(t, k, s, p, ceil, include_pad), [x])


def test_avg_pool2d_divisor_override_and_layer_match_torch():
    x = np.random.default_rng(6).standard_normal((1, 2, 5, 5))
    compare(lambda t: F.avg_pool2d(t, 3, 2, 1, divisor_override=4),
            lambda t: TF.avg_pool2d(t, 3, 2, 1, divisor_override=4), [x])
    compare(lambda t: nn.AvgPool2d(2, ceil_mode=True)(t),
            lambda t: torch.nn.AvgPool2d(2, ceil_mode=True)(t), [x])


@pytest.mark.parametrize("size, out", [((7, 9), (3, 4)), ((5, 5), 1), ((6, 4), (6, 4)),
                                       ((5, 7), (None, 3)), ((3, 3), (5, 2))])
def test_adaptive_avg_pool2d_matches_torch_also_for_non_divisible_sizes(size, out):
    x = np.random.default_rng(7).standard_normal((2, 3) + size)
    compare(lambda t: F.adaptive_avg_pool2d(t, out), lambda t: TF.adaptive_avg_pool2d(t, out), [x])
    compare(lambda t: nn.AdaptiveAvgPool2d(out)(t), lambda t: torch.nn.AdaptiveAvgPool2d(out)(t),
            [x[0]])


def test_pool_and_batchnorm_layers_print_like_torch_and_keep_a_zero_stride_to_refuse_it():
    for ours, theirs in [(nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
                         (nn.MaxPool2d(3, 1, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 1, 1, ceil_mode=True)),
                         (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)), (nn.AdaptiveAvgPool2d((2, 3)),
                                                                   torch.nn.AdaptiveAvgPool2d((2, 3))),
                         (nn.BatchNorm2d(3, momentum=None), torch.nn.BatchNorm2d(3, momentum=None))]:
        assert repr(ours) == repr(theirs)
    with pytest.raises(RuntimeError):
        torch.nn.MaxPool2d(2, stride=0)(torch.ones(1, 1, 4, 4))
    with pytest.raises(RuntimeError, match="greater than zero"):
        nn.MaxPool2d(2, stride=0)(Tensor(np.ones((1, 1, 4, 4))))


def test_bad_pool_arguments_raise_like_torch():
    x = Tensor(np.ones((1, 1, 4, 4)))
    for ours, theirs in [(lambda: F.max_pool2d(x, 2, padding=2), lambda: TF.max_pool2d(torch.ones(1, 1, 4, 4), 2, padding=2)),
                         (lambda: F.max_pool2d(Tensor(np.ones((4, 4))), 2), lambda: TF.max_pool2d(torch.ones(2, 4, 4, 4, 4), 2)),
                         (lambda: F.avg_pool2d(x, 5), lambda: TF.avg_pool2d(torch.ones(1, 1, 4, 4), 5))]:
        with pytest.raises(RuntimeError):
            theirs()
        with pytest.raises(RuntimeError, match="max_pool2d|avg_pool2d"):
            ours()


# --- pad --------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("widths", [(1, 2), (2, 1, 0, 2), (1, 1, 2, 2), (0, 0, 1, 0)])
def test_pad_matches_torch(mode, widths):
    x = np.random.default_rng(8).standard_normal((2, 3, 4, 5))
    if len(widths) == 2 and mode != "constant":   # torch: 2-D or 3-D inputs for one padded dim
        x = x[0]
    compare(lambda t: F.pad(t, widths, mode), lambda t: TF.pad(t, widths, mode), [x])


def test_pad_constant_value_and_negative_crops_match_torch():
    x = np.random.default_rng(9).standard_normal((2, 3, 4, 5))
    for widths in [(-1, 2), (1, -2, -1, 0), (0, 0, 0, 0, 1, 1), (-2, -2, 3, -1)]:
        compare(lambda t: F.pad(t, widths, value=1.5), lambda t: TF.pad(t, widths, value=1.5), [x])


def test_bad_pads_raise_like_torch():
    x = np.ones((1, 1, 3, 3))
    with pytest.raises(RuntimeError):
        TF.pad(torch.from_numpy(x), (3, 3), mode="reflect")
    with pytest.raises(RuntimeError, match="reflect padding"):
        F.pad(Tensor(x), (3, 3), mode="reflect")
    with pytest.raises(RuntimeError):
        TF.pad(torch.from_numpy(x), (1, 2, 3))
    with pytest.raises(RuntimeError, match="even length"):
        F.pad(Tensor(x), (1, 2, 3))
    with pytest.raises(NotImplementedError, match="mirror"):
        F.pad(Tensor(x), (1, 1), mode="mirror")
    with pytest.raises(NotImplementedError):
        TF.pad(torch.from_numpy(x), (1, 1), mode="replicate")
    with pytest.raises(NotImplementedError, match="needs an input of 2 or 3 dims"):
        F.pad(Tensor(x), (1, 1), mode="replicate")


# --- batch norm ---------------------------------------------------------------------------------
def pair_of_batchnorms(**options):
    ours, theirs = nn.BatchNorm2d(3, **options), torch.nn.BatchNorm2d(3, **options).double()
    r = np.random.default_rng(10)
    for name in ("weight", "bias"):
        if getattr(ours, name) is not None:
            getattr(ours, name).data[...] = r.uniform(0.5, 2, 3)
            with torch.no_grad():
                getattr(theirs, name).copy_(torch.from_numpy(getattr(ours, name).data.astype(np.float64)))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    return ours, theirs


@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3},
                                     {"affine": False}, {"track_running_stats": False}, {"bias": False}],
                         ids=["default", "cumulative", "momentum", "no-affine", "no-stats", "no-bias"])
def test_batchnorm2d_training_steps_then_eval_match_torch(options):
    ours, theirs = pair_of_batchnorms(**options)
    r = np.random.default_rng(11)
    for step in range(4):
        x = r.standard_normal((4, 3, 3, 5)) * 2 + step
        tx = torch.tensor(x, requires_grad=True)
        ox = Tensor(x, dtype=np.float64, requires_grad=True)
        out, ref = ours(ox), theirs(tx)
        upstream = r.standard_normal(x.shape)
        out.backward(upstream)
        ref.backward(torch.from_numpy(upstream))
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
        for a, b in zip(ours.parameters(), theirs.parameters()):
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-5)
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).data, buffer.numpy(), rtol=1e-5, err_msg=name)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.eval()
    theirs.eval()
    x = r.standard_normal((2, 3, 3, 5))   # our running statistics are float32 buffers
    compare(lambda t: ours(t), lambda t: theirs(t), [x], tol=dict(rtol=1e-5, atol=1e-6))


def test_functional_batch_norm_matches_torch_on_2d_and_3d_inputs():
    r = np.random.default_rng(12)
    for shape in [(6, 3), (4, 3, 5)]:
        x = r.standard_normal(shape)
        w, b = r.standard_normal(3), r.standard_normal(3)
        compare(lambda t, wt, bt: F.batch_norm(t, None, None, wt, bt, training=True),
                lambda t, wt, bt: TF.batch_norm(t, None, None, wt, bt, training=True), [x, w, b])
        rm, rv = r.standard_normal(3), r.uniform(0.5, 2, 3)
        compare(lambda t: F.batch_norm(t, Tensor(rm, dtype=np.float64), Tensor(rv, dtype=np.float64)),
                lambda t: TF.batch_norm(t, torch.from_numpy(rm), torch.from_numpy(rv)), [x])


def test_batch_norm_errors_match_torch_kinds():
    with pytest.raises(ValueError):
        torch.nn.BatchNorm2d(3)(torch.ones(1, 3, 1, 1))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm2d(3)(Tensor(np.ones((1, 3, 1, 1))))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm2d(3)(torch.ones(3, 4, 4))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(Tensor(np.ones((3, 4, 4))))


def test_a_small_cnn_trains_identically_to_torch_for_a_few_sgd_steps():
    manual_seed(0)
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 4, 3, groups=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 4, 3, groups=2),
                                 torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 3))
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    r = np.random.default_rng(13)
    x, y = r.standard_normal((5, 1, 8, 8)).astype(np.float32), r.integers(0, 3, 5)
    for _ in range(3):
        for model in (ours, theirs):
            for p in model.parameters():
                p.grad = None
        loss = nn.CrossEntropyLoss()(ours(Tensor(x)), Tensor(y, dtype=np.int64))
        ref = torch.nn.CrossEntropyLoss()(theirs(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        ref.backward()
        np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-5)
        for p, q in zip(ours.parameters(), theirs.parameters()):
            p.data -= 0.1 * p.grad.data
            with torch.no_grad():
                q -= 0.1 * q.grad
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
