"""Module 11 against PyTorch: F.embedding and nn.Embedding, values and gradients (duplicate
ids, padding_idx positive and negative, ids of shape (), (5,), (2, 3, 4), int32 and int64),
from_pretrained, initialisation, repr, and the errors' kinds."""
import numpy as np
import pytest

import tinytorch
import tinytorch.nn as nn
import tinytorch.nn.functional as F
from tinytorch import Tensor, manual_seed

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-6, atol=1e-6)}


def ids_pair(ids, dtype=np.int64):
    """The same ids as a tinytorch tensor and a torch tensor."""
    ids = np.asarray(ids, dtype=dtype)
    return Tensor(ids, dtype=dtype), torch.from_numpy(ids.copy())


# (ids, rows, padding_idx): shapes (), (5,), (2, 3, 4); repeats; padding used and unused
CASES = [
    (np.array(3), 5, None),
    (np.array([4, 0, 4, 4, 1]), 5, None),
    (np.array([4, 0, 4, 4, 1]), 5, 4),
    (np.array([4, 0, 4, 4, 1]), 5, -1),
    (np.random.default_rng(0).integers(0, 6, size=(2, 3, 4)), 6, 2),
    (np.random.default_rng(1).integers(0, 6, size=(2, 3, 4)), 6, -6),
    (np.array([1, 1, 1]), 3, 0),                  # padding row never looked up
    (np.zeros((0, 2), dtype=np.int64), 4, None),  # no ids at all
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("id_dtype", [np.int64, np.int32])
@pytest.mark.parametrize("ids, rows, padding_idx", CASES)
def test_functional_embedding_values_and_gradients(ids, rows, padding_idx, id_dtype, dtype):
    table = np.random.default_rng(2).standard_normal((rows, 3)).astype(dtype)
    ours_ids, their_ids = ids_pair(ids, id_dtype)
    ours_w = Tensor(table, dtype=dtype, requires_grad=True)
    theirs_w = torch.tensor(table, requires_grad=True)
    out = F.embedding(ours_ids, ours_w, padding_idx=padding_idx)
    ref = TF.embedding(their_ids, theirs_w, padding_idx=padding_idx)
    assert out.shape == tuple(ref.shape) and out.dtype == dtype
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    upstream = np.random.default_rng(3).standard_normal(out.shape).astype(dtype)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours_w.grad.data, theirs_w.grad.numpy(), **TOL[dtype])


def test_layer_matches_torch_with_the_same_table():
    manual_seed(0)
    ours = nn.Embedding(7, 4, padding_idx=-2)
    theirs = torch.nn.Embedding(7, 4, padding_idx=-2)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
    assert ours.padding_idx == theirs.padding_idx == 5
    assert repr(ours) == repr(theirs) == "Embedding(7, 4, padding_idx=5)"
    assert repr(nn.Embedding(3, 2)) == repr(torch.nn.Embedding(3, 2))
    ids = np.array([[5, 1, 1, 6], [0, 5, 1, 3]])
    ours_ids, their_ids = ids_pair(ids)
    out, ref = ours(ours_ids), theirs(their_ids)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-6, atol=1e-6)
    assert not ours.weight.grad.data[5].any()


@pytest.mark.parametrize("padding_idx", [0, 3, -1, -4])
def test_init_is_standard_normal_with_a_zero_padding_row(padding_idx):
    manual_seed(1)
    layer = nn.Embedding(4, 2000, padding_idx=padding_idx)
    reference = torch.nn.Embedding(4, 2000, padding_idx=padding_idx)
    row = layer.padding_idx
    assert row == reference.padding_idx
    assert not layer.weight.data[row].any() and not reference.weight.data[row].any()
    others = np.delete(layer.weight.data, row, axis=0)
    assert abs(others.mean()) < 0.05 and abs(others.std() - 1) < 0.05
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained(freeze):
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    ours = nn.Embedding.from_pretrained(Tensor(table), freeze=freeze, padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(torch.from_numpy(table.copy()), freeze=freeze,
                                                 padding_idx=1)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert repr(ours) == repr(theirs)
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())  # row 1 kept
    ours_ids, their_ids = ids_pair([1, 2, 2])
    np.testing.assert_array_equal(ours(ours_ids).data, theirs(their_ids).detach().numpy())
    if not freeze:
        ours(ours_ids).sum().backward()
        theirs(their_ids).sum().backward()
        np.testing.assert_array_equal(ours.weight.grad.data, theirs.weight.grad.numpy())


def kinds(ours, theirs):
    """The exception types that ours() and theirs() raise."""
    caught = []
    for fn in (ours, theirs):
        with pytest.raises(Exception) as info:
            fn()
        caught.append(info.type)
    return caught


@pytest.mark.parametrize("bad_id", [5, 9, -1])
def test_out_of_range_ids_raise_index_error_naming_the_id_and_size(bad_id):
    table = np.zeros((5, 2), dtype=np.float32)
    ours_ids, their_ids = ids_pair([0, bad_id, 1])
    assert kinds(lambda: F.embedding(ours_ids, Tensor(table)),
                 lambda: TF.embedding(their_ids, torch.from_numpy(table))) == [IndexError, IndexError]
    with pytest.raises(IndexError) as info:
        F.embedding(ours_ids, Tensor(table))
    assert str(bad_id) in str(info.value) and "5" in str(info.value)


def test_error_kinds_match_torch():
    table = np.zeros((5, 2), dtype=np.float32)
    w, tw = Tensor(table), torch.from_numpy(table)
    # float or bool ids: RuntimeError; a list: TypeError
    assert kinds(lambda: F.embedding(Tensor([1.0]), w),
                 lambda: TF.embedding(torch.tensor([1.0]), tw)) == [RuntimeError] * 2
    assert kinds(lambda: F.embedding(Tensor([True], dtype=np.bool_), w),
                 lambda: TF.embedding(torch.tensor([True]), tw)) == [RuntimeError] * 2
    assert kinds(lambda: F.embedding([1, 2], w), lambda: TF.embedding([1, 2], tw)) == [TypeError] * 2
    # a 1-D weight: RuntimeError
    assert kinds(lambda: F.embedding(tinytorch.tensor([1]), Tensor(np.zeros(5))),
                 lambda: TF.embedding(torch.tensor([1]), torch.zeros(5))) == [RuntimeError] * 2
    # padding_idx outside the table: AssertionError, in the function and the layer
    for p in (5, -6):
        assert kinds(lambda: F.embedding(tinytorch.tensor([1]), w, padding_idx=p),
                     lambda: TF.embedding(torch.tensor([1]), tw, padding_idx=p)) == [AssertionError] * 2
        assert kinds(lambda: nn.Embedding(5, 2, padding_idx=p),
                     lambda: torch.nn.Embedding(5, 2, padding_idx=p)) == [AssertionError] * 2
    # from_pretrained of a 1-D table, _weight of the wrong shape: AssertionError
    assert kinds(lambda: nn.Embedding.from_pretrained(Tensor(np.zeros(3))),
                 lambda: torch.nn.Embedding.from_pretrained(torch.zeros(3))) == [AssertionError] * 2
    assert kinds(lambda: nn.Embedding(5, 2, _weight=Tensor(np.zeros((4, 2)))),
                 lambda: torch.nn.Embedding(5, 2, _weight=torch.zeros(4, 2))) == [AssertionError] * 2
