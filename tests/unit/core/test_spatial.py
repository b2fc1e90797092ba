"""Module 09 without PyTorch: conv2d and the pools against naive loops written here, every
gradient against central differences, batch norm's running statistics by hand."""
import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
from tinytorch import Tensor, manual_seed
from tinytorch.core.autograd import GRADIENTS
from tinytorch.core.spatial import col2im, conv_output_size, im2col
from tinytorch.kernels import plain
from tests.unit.core.test_autograd import central_difference


def conv_loops(x, w, b, stride, padding, dilation, groups):
    """The definition, one output element at a time (NCHW, symmetric int padding)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for i in range(n):
        for f in range(o):
            first = (f // per_group) * cg
            for y in range(oh):
                for z in range(ow):
                    window = xp[i, first:first + cg, y * stride:y * stride + dilation * (kh - 1) + 1:dilation,
                                z * stride:z * stride + dilation * (kw - 1) + 1:dilation]
                    out[i, f, y, z] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return out


def pool_loops(x, k, s, p, reduce):
    """Max (padding -inf) or sum (padding 0) of each k x k window, floor mode."""
    fill = -np.inf if reduce is np.max else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    oh, ow = (xp.shape[2] - k) // s + 1, (xp.shape[3] - k) // s + 1
    return np.array([[[[reduce(xp[i, c, y * s:y * s + k, z * s:z * s + k]) for z in range(ow)]
                       for y in range(oh)] for c in range(x.shape[1])] for i in range(x.shape[0])])


def check_gradients(fn, arrays, seed=0):
    leaves = [Tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    with plain():
        out = fn(*leaves)
        upstream = np.random.default_rng(seed).standard_normal(out.shape)
        out.backward(upstream)
        expected = central_difference(lambda lib, *t: fn(*t), [a.copy() for a in arrays], upstream)
    for i, (leaf, g) in enumerate(zip(leaves, expected)):
        np.testing.assert_allclose(leaf.grad.data, g, rtol=1e-5, atol=1e-6, err_msg=f"input {i}")


@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1),
                                                               (3, 1, 1, 2), (1, 1, 1, 4)])
def test_conv2d_equals_the_loops(stride, padding, dilation, groups):
    r = np.random.default_rng(0)
    x, w, b = r.standard_normal((2, 4, 7, 6)), r.standard_normal((4, 4 // groups, 3, 2)), r.standard_normal(4)
    ours = F.conv2d(Tensor(x, dtype=np.float64), Tensor(w, dtype=np.float64), Tensor(b, dtype=np.float64),
                    stride, padding, dilation, groups)
    np.testing.assert_allclose(ours.data, conv_loops(x, w, b, stride, padding, dilation, groups), atol=1e-12)


def test_conv2d_gradients_match_central_differences():
    r = np.random.default_rng(1)
    check_gradients(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
                    [r.standard_normal((2, 4, 5, 6)), r.standard_normal((4, 2, 2, 3)), r.standard_normal(4)])
    check_gradients(lambda x, w: F.conv2d(x, w, padding="same"),
                    [r.standard_normal((3, 4, 4)), r.standard_normal((2, 3, 2, 2))])


def test_im2col_rows_are_the_windows_and_col2im_is_its_adjoint():
    r = np.random.default_rng(2)
    x = r.standard_normal((2, 7, 8, 3))
    cols = im2col(x, (3, 2), (2, 3), (2, 1))
    oh, ow = conv_output_size(7, 3, 2, 0, 2), conv_output_size(8, 2, 3, 0, 1)
    assert cols.shape == (2 * oh * ow, 3 * 2 * 3)
    np.testing.assert_array_equal(cols[oh * ow + ow + 1], x[1, 2:7:2, 3:5, :].ravel())
    c = r.standard_normal(cols.shape)
    back = col2im(c, x.shape, (3, 2), (2, 3), (2, 1))
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back))


def test_conv_output_size_counts_the_windows():
    for size, k, s, p, d in [(7, 3, 1, 0, 1), (32, 3, 2, 1, 1), (10, 3, 1, 0, 2), (5, 2, 4, 0, 1)]:
        span = d * (k - 1) + 1
        assert conv_output_size(size, k, s, p, d) == len(range(0, size + 2 * p - span + 1, s))


@pytest.mark.parametrize("k, s, p", [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_pools_equal_the_loops(k, s, p):
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 6))
    np.testing.assert_array_equal(F.max_pool2d(Tensor(x, dtype=np.float64), k, s, p).data,
                                  pool_loops(x, k, s, p, np.max))
    np.testing.assert_allclose(F.avg_pool2d(Tensor(x, dtype=np.float64), k, s, p).data,
                               pool_loops(x, k, s, p, np.sum) / (k * k))


def test_pool_gradients_match_central_differences():
    r = np.random.default_rng(4)
    x = r.permutation(np.arange(2 * 2 * 5 * 6) * 0.37).reshape(2, 2, 5, 6)   # no ties
    check_gradients(lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True), [x])
    check_gradients(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False), [x])
    check_gradients(lambda t: F.adaptive_avg_pool2d(t, (3, 4)), [x])


def test_max_pool2d_gives_a_tie_to_the_first_maximum_and_adds_overlaps():
    x = Tensor(np.array([[[[1.0, 3.0, 3.0], [0.0, 3.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, 2, 0], [0, 0, 0]])


def test_pad_and_its_gradient_without_torch():
    x = np.arange(12.0).reshape(1, 3, 4)
    np.testing.assert_array_equal(F.pad(Tensor(x), (2, 1), mode="reflect").data[0, 0], [2, 1, 0, 1, 2, 3, 2])
    np.testing.assert_array_equal(F.pad(Tensor(x), (1, 1), mode="circular").data[0, 0], [3, 0, 1, 2, 3, 0])
    np.testing.assert_array_equal(F.pad(Tensor(x), (-1, 1), value=9).data[0, 0], [1, 2, 3, 9])
    r = np.random.default_rng(5)
    for mode in ("constant", "reflect", "replicate", "circular"):
        check_gradients(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), [r.standard_normal((1, 2, 3, 4))])
    check_gradients(lambda t: F.pad(t, (-1, 2, 1, -1)), [r.standard_normal((2, 3, 4))])


def test_batch_norm_gradients_and_running_statistics_by_hand():
    r = np.random.default_rng(6)
    x, w, b = r.standard_normal((4, 3, 2, 3)), r.uniform(0.5, 2, 3), r.standard_normal(3)
    check_gradients(lambda t, wt, bt: F.batch_norm(t, None, None, wt, bt, training=True), [x, w, b])
    norm = nn.BatchNorm2d(3, momentum=None)
    batches = [r.standard_normal((5, 3, 2, 2)) + i for i in range(3)]
    for batch in batches:
        norm(Tensor(batch))
    means = np.mean([batch.mean(axis=(0, 2, 3)) for batch in batches], axis=0)
    variances = np.mean([batch.var(axis=(0, 2, 3), ddof=1) for batch in batches], axis=0)
    np.testing.assert_allclose(norm.running_mean.data, means, rtol=1e-5)
    np.testing.assert_allclose(norm.running_var.data, variances, rtol=1e-5)
    assert int(norm.num_batches_tracked.data) == 3
    norm.eval()
    out = norm(Tensor(batches[0])).data
    expected = (batches[0] - means.reshape(1, 3, 1, 1)) / np.sqrt(variances.reshape(1, 3, 1, 1) + 1e-5)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    assert int(norm.num_batches_tracked.data) == 3


def test_every_spatial_op_has_a_gradient_rule_and_layers_record_them():
    assert {"conv2d", "pad", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm"} <= set(GRADIENTS)
    manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.MaxPool2d(2),
                          nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1))
    model(Tensor(np.ones((2, 1, 8, 8)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_conv_layer_rejects_bad_arguments_with_clear_messages():
    with pytest.raises(TypeError, match="kernel_size should be an int or a pair"):
        nn.Conv2d(1, 2, "3")
    with pytest.raises(TypeError, match="input should be a Tensor"):
        F.conv2d(np.ones((1, 1, 3, 3)), Tensor(np.ones((1, 1, 3, 3))))
    with pytest.raises(RuntimeError, match="invalid padding string 'full'"):
        F.conv2d(Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones((1, 1, 3, 3))), padding="full")
