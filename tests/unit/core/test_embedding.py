"""Module 11 without PyTorch: the embedding gradient against central differences and a loop,
duplicate ids accumulating, the padding row, sinusoidal positions against the formula written as
a loop, and a training step that leaves the padding row alone."""
import numpy as np
import pytest

import tinytorch
import tinytorch.nn as nn
import tinytorch.nn.functional as F
from tinytorch import Tensor, manual_seed
from tinytorch.core.autograd import GRADIENTS
from tinytorch.core.embedding import embedding_backward, scatter_add_rows
from tinytorch.optim import Adam
from tests.unit.core.test_autograd import central_difference


def scatter_loop(ids, rows, num_rows):
    """The definition: one += per position."""
    out = np.zeros((num_rows, rows.shape[1]))
    for position, k in enumerate(ids):
        out[k] += rows[position]
    return out


def test_the_op_has_a_gradient_rule():
    assert "embedding" in GRADIENTS


@pytest.mark.parametrize("padding_idx", [None, 0, 3, -2])
@pytest.mark.parametrize("shape", [(), (7,), (2, 3, 4)])
def test_gradient_matches_central_differences(shape, padding_idx):
    rng = np.random.default_rng(0)
    ids = tinytorch.tensor(rng.integers(0, 5, size=shape))
    table = rng.standard_normal((5, 3))
    upstream = rng.standard_normal(shape + (3,))
    weight = Tensor(table, dtype=np.float64, requires_grad=True)
    F.embedding(ids, weight, padding_idx=padding_idx).backward(upstream)
    expected, = central_difference(lambda lib, w: F.embedding(ids, w), [table.copy()], upstream)
    if padding_idx is not None:
        expected[padding_idx % 5] = 0   # the padding row gets no gradient, by definition
    np.testing.assert_allclose(weight.grad.data, expected, rtol=1e-6, atol=1e-8)


def test_duplicate_ids_accumulate():
    weight = Tensor(np.zeros((4, 2)), requires_grad=True)
    F.embedding(tinytorch.tensor([2, 2, 2, 0, 2]), weight).backward(np.ones((5, 2)))
    np.testing.assert_array_equal(weight.grad.data, [[1, 1], [0, 0], [4, 4], [0, 0]])


@pytest.mark.parametrize("num_rows, n", [(65, 2048), (5000, 300), (3, 1), (4, 0)])
def test_scatter_add_rows_equals_the_loop_and_add_at(num_rows, n):
    rng = np.random.default_rng(num_rows)
    ids = rng.integers(0, num_rows, size=n)
    rows = rng.standard_normal((n, 5))
    expected = scatter_loop(ids, rows, num_rows)
    added = np.zeros((num_rows, 5))
    np.add.at(added, ids, rows)
    np.testing.assert_allclose(scatter_add_rows(ids, rows, num_rows), expected, atol=1e-12)
    np.testing.assert_allclose(added, expected, atol=1e-12)
    assert scatter_add_rows(ids, rows.astype(np.float32), num_rows).dtype == np.float32


def test_embedding_backward_keeps_grad_and_zeroes_padding():
    grad = np.ones((2, 3, 2), dtype=np.float32)
    before = grad.copy()
    d_weight = embedding_backward(grad, np.array([[0, 1, 1], [1, 1, 0]]), 3, padding_idx=0)
    np.testing.assert_array_equal(d_weight, [[0, 0], [4, 4], [0, 0]])
    assert d_weight.dtype == np.float32
    np.testing.assert_array_equal(grad, before)


def sinusoid_loop(length, dim):
    """Vaswani et al. (2017), one entry at a time."""
    out = np.zeros((length, dim))
    for t in range(length):
        for c in range(dim):
            angle = t / 10000 ** ((c - c % 2) / dim)
            out[t, c] = np.sin(angle) if c % 2 == 0 else np.cos(angle)
    return out


@pytest.mark.parametrize("length, dim", [(50, 16), (7, 5), (1, 1), (0, 4), (200, 64)])
def test_sinusoidal_positions_match_the_formula(length, dim):
    table = F.sinusoidal_positions(length, dim)
    assert isinstance(table, Tensor) and table.shape == (length, dim) and table.dtype == np.float32
    np.testing.assert_allclose(table.data, sinusoid_loop(length, dim), atol=1e-6)


def test_sinusoidal_dot_products_depend_only_on_the_distance():
    table = F.sinusoidal_positions(40, 32).data.astype(np.float64)
    dots = table @ table.T
    for k in range(5):
        diagonal = np.diagonal(dots, offset=k)
        np.testing.assert_allclose(diagonal, diagonal[0], atol=1e-4)


@pytest.mark.parametrize("length, dim", [(-1, 4), (3, 0)])
def test_sinusoidal_positions_reject_bad_sizes(length, dim):
    with pytest.raises(ValueError):
        F.sinusoidal_positions(length, dim)


def test_a_training_step_leaves_the_padding_row_alone():
    manual_seed(0)
    layer = nn.Embedding(6, 3, padding_idx=0)
    optimizer = Adam(layer.parameters(), lr=0.1)
    before = layer.weight.data.copy()
    ids = tinytorch.tensor([[0, 1, 2, 0], [3, 0, 0, 1]])
    for _ in range(3):
        loss = (layer(ids) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert not layer.weight.data[0].any()
    assert not np.allclose(layer.weight.data[1:4], before[1:4])
    np.testing.assert_array_equal(layer.weight.data[4:], before[4:])   # never looked up


def test_token_plus_position_shapes_and_gradients():
    manual_seed(0)
    tokens, positions = nn.Embedding(10, 4), nn.Embedding(8, 4)
    ids = tinytorch.tensor(np.random.default_rng(0).integers(0, 10, size=(3, 5)))
    x = tokens(ids) + positions(tinytorch.arange(5))
    assert x.shape == (3, 5, 4)
    x.sum().backward()
    np.testing.assert_array_equal(positions.weight.grad.data[:, 0], [3, 3, 3, 3, 3, 0, 0, 0])
    assert tokens.weight.grad.data[:, 0].sum() == 15
