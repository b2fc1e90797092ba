"""tinytorch.data.Subset and random_split, against torch.utils.data."""
import warnings

import numpy as np
import pytest

from tinytorch import manual_seed, tensor
from tinytorch.core.tensor import Tensor
from tinytorch.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split

torch = pytest.importorskip("torch")
from torch.utils import data as tdata  # noqa: E402


class Squares(Dataset):
    """A dataset without get_batch: sample i is (Tensor([i, i*i]), i)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return Tensor(np.array([i, i * i], dtype=np.float32)), i

    def __len__(self):
        return self.n


def labels(subset):
    return [int(subset[i][1].item()) if hasattr(subset[i][1], "item") else subset[i][1] for i in range(len(subset))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_subset_indexes_through_its_indices_like_pytorch(dtype):
    x = np.arange(20, dtype=dtype).reshape(10, 2)
    y = np.arange(10)
    ours = Subset(TensorDataset(tensor(x), tensor(y)), [7, 2, 2, 9])
    theirs = tdata.Subset(tdata.TensorDataset(torch.tensor(x), torch.tensor(y)), [7, 2, 2, 9])
    assert len(ours) == len(theirs) == 4
    for i in (0, 1, 3, -1):
        np.testing.assert_array_equal(ours[i][0].data, theirs[i][0].numpy())
        assert ours[i][0].dtype == dtype and int(ours[i][1].item()) == int(theirs[i][1])
    assert Subset(Squares(5), [])  .__len__() == 0
    with pytest.raises(IndexError):
        ours[4]


@pytest.mark.parametrize("base", ["tensors", "plain"])
def test_dataloader_over_a_subset_gives_the_same_batches_as_over_the_samples(base):
    dataset = TensorDataset(Tensor(np.arange(20.0).reshape(10, 2)), tensor(np.arange(10))) \
        if base == "tensors" else Squares(10)
    subset = Subset(dataset, [9, 0, 4, 4, 1])
    batches = list(DataLoader(subset, batch_size=2))
    expected = [default_collate([dataset[i] for i in idx]) for idx in ([9, 0], [4, 4], [1])]
    assert len(batches) == 3
    for got, want in zip(batches, expected):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.data, w.data)
            assert g.dtype == w.dtype


def test_subset_of_a_subset_and_with_a_list_index():
    inner = Subset(Squares(10), [5, 6, 7, 8])
    outer = Subset(inner, [3, 0])
    assert labels(outer) == [8, 5]
    batch = list(DataLoader(outer, batch_size=2))[0]
    np.testing.assert_array_equal(batch[1].data, [8, 5])


def _split_lengths(lib_split, dataset, lengths):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = lib_split(dataset, lengths)
    return [len(p) for p in parts], len(caught)


@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0, 10]), (10, [0.5, 0.5]), (10, [0.3, 0.3, 0.4]), (11, [0.3, 0.3, 0.4]),
    (7, [0.1, 0.1, 0.8]), (5, [0.2] * 5), (3, [0.25, 0.25, 0.25, 0.25]), (1, [1, 0]), (0, [0.5, 0.5]),
    (101, [0.7, 0.2, 0.1]), (9, [1.0]), (2, [0.9, 0.1]), (13, [1 / 3, 1 / 3, 1 / 3]), (4, [0, 0, 1, 3]),
])
def test_random_split_lengths_and_warnings_match_pytorch(n, lengths):
    ours = _split_lengths(random_split, Squares(n), lengths)
    theirs = _split_lengths(tdata.random_split, list(range(n)), lengths)
    assert ours == theirs


@pytest.mark.parametrize("n, lengths", [(10, [3, 6]), (10, [0.5, 0.6]), (10, [1.2, -0.2]), (10, [0.5, 0.4])])
def test_random_split_errors_match_pytorch(n, lengths):
    with pytest.raises(ValueError) as theirs:
        tdata.random_split(list(range(n)), lengths)
    with pytest.raises(ValueError) as ours:
        random_split(Squares(n), lengths)
    assert str(ours.value) == str(theirs.value)


def test_random_split_is_a_seeded_partition():
    parts = random_split(Squares(50), [0.6, 0.3, 0.1], generator=3)
    seen = sorted(i for part in parts for i in part.indices)
    assert seen == list(range(50)), "the splits must cover every sample exactly once"
    assert [p.indices for p in parts] == [p.indices for p in random_split(Squares(50), [30, 15, 5], generator=3)]
    assert [p.indices for p in parts] != [p.indices for p in random_split(Squares(50), [30, 15, 5], generator=4)]
    manual_seed(1)
    first = [p.indices for p in random_split(Squares(50), [25, 25])]
    manual_seed(1)
    assert first == [p.indices for p in random_split(Squares(50), [25, 25])], "manual_seed controls generator=None"
    assert all(isinstance(p, Subset) and isinstance(i, int) for p in parts for i in p.indices)
    rng = np.random.default_rng(0)
    assert len(random_split(Squares(4), [2, 2], generator=rng)[0]) == 2
    with pytest.raises(TypeError):
        random_split(Squares(4), [2, 2], generator="seed")
