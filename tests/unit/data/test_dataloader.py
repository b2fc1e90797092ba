"""tinytorch.data: Dataset, TensorDataset, default_collate, DataLoader and transforms,
against NumPy and, when installed, torch.utils.data."""
from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest

from tinytorch import manual_seed
from tinytorch.core.creation import tensor
from tinytorch.core.tensor import Tensor
from tinytorch.data import DataLoader, Dataset, TensorDataset, default_collate
from tinytorch.data.transforms import Compose, Normalize, RandomCrop, RandomHorizontalFlip

Point = namedtuple("Point", "x y")


def xy(n=10, features=2):
    """X (n, features) whose first column is 2 * label, y (n,) int64."""
    X = np.arange(n * features, dtype=np.float32).reshape(n, features)
    return TensorDataset(Tensor(X), tensor(np.arange(n)))


def labels_of(batches):
    return [v for _, y in batches for v in y.tolist()]


class Counting(Dataset):
    """Samples (Tensor([i]), i); counts __getitem__ calls and records get_batch requests."""

    def __init__(self, n):
        self.n, self.getitem_calls, self.requests = n, 0, []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.getitem_calls += 1
        return Tensor([float(i)]), i

    def get_batch(self, indices):
        self.requests.append(np.array(indices))
        return default_collate([(Tensor([float(i)]), i) for i in indices.tolist()])


# --- Dataset and TensorDataset ---------------------------------------------------------------------
def test_dataset_base_asks_for_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


def test_tensor_dataset_indexes_every_tensor():
    ds = xy(6)
    assert len(ds) == 6 and ds.tensors[0].shape == (6, 2)
    x, y = ds[2]
    assert x.tolist() == [4.0, 5.0] and y.item() == 2 and y.dtype == np.int64
    assert ds[-1][1].item() == 5
    batch = ds.get_batch(np.array([4, 0, 5]))
    assert isinstance(batch, list) and batch[0].tolist() == [[8, 9], [0, 1], [10, 11]] and batch[1].tolist() == [4, 0, 5]
    one = TensorDataset(Tensor(np.arange(3.0)))
    assert isinstance(one[1], tuple) and len(one[1]) == 1 and one[1][0].item() == 1.0


def test_tensor_dataset_rejects_bad_input_with_the_shapes():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(4,\)"):
        TensorDataset(Tensor(np.zeros((3, 2))), Tensor(np.zeros(4)))
    with pytest.raises(ValueError):  # 05 states the error, not its words
        TensorDataset()
    with pytest.raises(TypeError, match=r"\b1\b.*ndarray"):
        TensorDataset(Tensor(np.zeros(2)), np.zeros(2))
    with pytest.raises(ValueError):  # a 0-d tensor has no samples to index
        TensorDataset(Tensor(3.0))


def test_get_batch_equals_collating_the_samples():
    ds = TensorDataset(Tensor(np.random.default_rng(0).random((9, 3, 2))), tensor(np.arange(9)))
    idx = np.array([8, 1, 1, 4])
    fast, slow = ds.get_batch(idx), default_collate([ds[i] for i in idx.tolist()])
    assert type(fast) is type(slow) is list
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.data, b.data)


# --- default_collate -------------------------------------------------------------------------------
def test_collate_types_and_dtypes():
    stacked = default_collate([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
    assert isinstance(stacked, Tensor) and stacked.shape == (2, 2) and stacked.dtype == np.float32
    assert default_collate([3, 1]).dtype == np.int64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([0.5, 1.0]).dtype == np.float64
    assert default_collate([1, 2.5]).dtype == np.float32
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype == np.int32
    assert default_collate([np.ones(2, np.uint8)] * 3).dtype == np.uint8
    assert default_collate([np.ones(2)] * 3).dtype == np.float64
    assert default_collate(["a", "b"]) == ["a", "b"] and default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_collate_structures():
    pairs = default_collate([(Tensor([1.0]), 0), (Tensor([2.0]), 1)])
    assert isinstance(pairs, list) and pairs[0].shape == (2, 1) and pairs[1].tolist() == [0, 1]
    lists = default_collate([[1, 2], [3, 4]])
    assert isinstance(lists, list) and [t.tolist() for t in lists] == [[1, 3], [2, 4]]
    fields = default_collate([{"a": 1, "b": (1, 2.0)}, {"a": 2, "b": (3, 4.0)}])
    assert fields["a"].tolist() == [1, 2] and fields["b"][0].tolist() == [1, 3] and fields["b"][1].dtype == np.float64
    points = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(points) is Point and points.x.tolist() == [1, 3]
    ordered = default_collate([OrderedDict(b=1, a=2), OrderedDict(b=3, a=4)])
    assert type(ordered) is OrderedDict and list(ordered) == ["b", "a"]
    default = defaultdict(list, k=1)
    assert type(default_collate([default, defaultdict(list, k=2)])) is defaultdict


def test_collate_errors_name_the_problem():
    with pytest.raises(RuntimeError, match=r"\(2,\) at entry 0 and \(3,\) at entry 1"):
        default_collate([Tensor([1.0, 2.0]), Tensor([1.0, 2.0, 3.0])])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="NoneType"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="<U1"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_records_the_stack_for_autograd():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0])
    out = default_collate([a, b])
    assert out.grad_fn == "stack" and out._ctx[1] == (a, b) and out._ctx[2] == {"dim": 0}
    assert default_collate([Tensor([1.0]), Tensor([2.0])]).grad_fn is None


def torch_like(ours, theirs, torch):
    """Structure, type and values of our collate output equal torch's."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, Tensor), (ours, theirs)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
        assert ours.shape == tuple(theirs.shape) and np.array_equal(ours.data, theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for key in theirs:
            torch_like(ours[key], theirs[key], torch)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            torch_like(a, b, torch)
    else:
        assert ours == theirs


def to_torch(sample, torch):
    if isinstance(sample, Tensor):
        return torch.from_numpy(sample.data.copy())
    if isinstance(sample, dict):
        return type(sample)((k, to_torch(v, torch)) for k, v in sample.items())
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(to_torch(v, torch) for v in sample))
    if isinstance(sample, (tuple, list)):
        return type(sample)(to_torch(v, torch) for v in sample)
    return sample


@pytest.mark.parametrize("batch", [
    [Tensor(np.ones((2, 3))), Tensor(np.zeros((2, 3)))],
    [tensor(np.array([1, 2])), tensor(np.array([3, 4]))],
    [1, 2, 3], [True, False], [0.5, 2.0], [1, 2.5], [2.5, 1],
    [np.float32(1.5), np.float32(2.0)], [np.int16(3), np.int16(4)], [np.bool_(True), np.bool_(False)],
    [np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.uint8)], [np.ones((2, 2)), np.zeros((2, 2))],
    ["a", "b"], [(Tensor([1.0]), 0), (Tensor([2.0]), 1)], [[1, 2.0], [3, 4.0]],
    [{"x": Tensor([1.0]), "y": (1, "s")}, {"x": Tensor([2.0]), "y": (2, "t")}],
    [Point(1, 2.0), Point(3, 4.0)], [OrderedDict(b=1, a=0.5), OrderedDict(b=2, a=1.5)],
    [((1, 2), [3.0]), ((4, 5), [6.0])],
])
def test_collate_matches_pytorch(batch):
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate
    torch_like(default_collate(batch), torch_collate([to_torch(s, torch) for s in batch]), torch)


# --- DataLoader ------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64])
@pytest.mark.parametrize("batch_size", [1, 3, 8, 100])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batches_cover_the_dataset_in_order(n, batch_size, drop_last):
    loader = DataLoader(xy(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    expected = (n // batch_size) if drop_last else -(-n // batch_size)
    assert len(loader) == len(batches) == expected
    assert labels_of(batches) == list(range(expected * batch_size if drop_last else n))
    assert all(x.shape[0] == y.shape[0] <= batch_size for x, y in batches)


def test_shuffle_is_a_new_reproducible_permutation_each_epoch():
    ds = xy(50)
    loader = DataLoader(ds, batch_size=7, shuffle=True, generator=123)
    epochs = [labels_of(loader) for _ in range(3)]
    assert all(sorted(e) == list(range(50)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2] and epochs[0] != list(range(50))
    replay = DataLoader(ds, batch_size=7, shuffle=True, generator=123)
    assert [labels_of(replay) for _ in range(3)] == epochs
    for x, y in loader:
        assert np.array_equal(x.data[:, 0], 2 * y.data), "x and y must stay paired"


def test_shuffle_draws_from_the_default_generator_or_a_given_one():
    ds = xy(30)
    manual_seed(4)
    first = labels_of(DataLoader(ds, 4, shuffle=True))
    manual_seed(4)
    assert labels_of(DataLoader(ds, 4, shuffle=True)) == first
    loader = DataLoader(ds, 4, shuffle=True)
    manual_seed(4)  # the generator is looked up when the epoch starts, so a later manual_seed counts
    assert labels_of(loader) == first
    rng = np.random.default_rng(5)
    assert labels_of(DataLoader(ds, 4, shuffle=True, generator=rng)) == np.random.default_rng(5).permutation(30).tolist()
    assert labels_of(DataLoader(ds, 4, shuffle=False, generator=1)) == list(range(30))


def test_drop_last_with_shuffle():
    loader = DataLoader(xy(10), batch_size=4, shuffle=True, drop_last=True, generator=0)
    batches = list(loader)
    assert len(loader) == len(batches) == 2 and all(len(y) == 4 for _, y in batches)
    assert len(set(labels_of(batches))) == 8


def test_fast_path_gathers_each_batch_once_and_never_copies_the_epoch():
    ds = Counting(10)
    batches = list(DataLoader(ds, batch_size=4, shuffle=True, generator=0))
    assert ds.getitem_calls == 0 and len(ds.requests) == 3
    assert [len(r) for r in ds.requests] == [4, 4, 2]
    assert sorted(np.concatenate(ds.requests).tolist()) == list(range(10))
    assert labels_of(batches) == np.concatenate(ds.requests).tolist()


def test_collate_fn_takes_the_per_sample_path():
    ds = Counting(5)
    seen = []
    out = list(DataLoader(ds, batch_size=2, collate_fn=lambda samples: seen.append(samples) or len(samples)))
    assert out == [2, 2, 1] and ds.getitem_calls == 5 and not ds.requests
    assert seen[0][1][1] == 1 and type(seen[0][1][1]) is int
    assert DataLoader(ds, collate_fn=len).collate_fn is len
    assert DataLoader(ds).collate_fn is default_collate


def test_fast_and_general_paths_agree():
    ds = TensorDataset(Tensor(np.random.default_rng(1).random((23, 4))), tensor(np.arange(23)))
    fast = list(DataLoader(ds, 5, shuffle=True, generator=9))
    slow = list(DataLoader(ds, 5, shuffle=True, generator=9, collate_fn=default_collate))
    assert len(fast) == len(slow) == 5
    for (a, b), (c, d) in zip(fast, slow):
        assert np.array_equal(a.data, c.data) and np.array_equal(b.data, d.data) and b.dtype == d.dtype


def test_plain_sequences_are_datasets():
    batches = list(DataLoader([(float(i), i) for i in range(5)], batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]] and batches[0][0].dtype == np.float64
    assert [b.tolist() for b in DataLoader(range(5), batch_size=3)] == [[0, 1, 2], [3, 4]]


@pytest.mark.parametrize("batch_size", [0, -1, 1.0, True, np.int64(2), None, "2"])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(xy(), batch_size=batch_size)


def test_bad_arguments():
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        DataLoader(xy(), drop_last=1)
    with pytest.raises(ValueError, match="empty dataset"):
        DataLoader(xy(0), shuffle=True)
    with pytest.raises(TypeError, match="__getitem__ and __len__"):
        DataLoader(iter(range(3)))
    with pytest.raises(TypeError, match="generator must be"):
        DataLoader(xy(), shuffle=True, generator=1.5)
    with pytest.raises(TypeError):
        DataLoader(xy(), 2, False, None)  # PyTorch's 4th positional argument is sampler: not supported


def test_len_and_batches_match_pytorch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader, TensorDataset as TorchTensorDataset
    X = np.random.default_rng(2).random((17, 3)).astype(np.float32)
    y = np.arange(17)
    ours, theirs = TensorDataset(Tensor(X), tensor(y)), TorchTensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    for batch_size in (1, 4, 17, 20):
        for drop_last in (False, True):
            mine = DataLoader(ours, batch_size, drop_last=drop_last)
            ref = TorchLoader(theirs, batch_size, drop_last=drop_last)
            assert len(mine) == len(ref)
            for a, b in zip(mine, ref, strict=True):
                torch_like(a, b, torch)
    samples = [{"x": np.full(2, i, np.float32), "label": i, "name": str(i)} for i in range(5)]
    for a, b in zip(DataLoader(samples, 2), TorchLoader(samples, 2), strict=True):
        torch_like(a, b, torch)
    for bad in ({"batch_size": 0}, {"drop_last": 1}):
        with pytest.raises(ValueError):
            TorchLoader(theirs, **bad)
        with pytest.raises(ValueError):
            DataLoader(ours, **bad)


# --- transforms ------------------------------------------------------------------------------------
def test_normalize_per_channel_on_images_and_batches():
    rng = np.random.default_rng(0)
    x = rng.random((5, 3, 4, 6)).astype(np.float32)
    mean, std = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
    expected = (x - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    batch = Normalize(mean, std)(Tensor(x))
    assert batch.dtype == np.float32 and np.allclose(batch.data, expected, rtol=1e-6)
    single = Normalize(mean, std)(Tensor(x[2]))
    assert np.array_equal(single.data, batch.data[2])
    assert np.allclose(Normalize(0.5, 0.25)(Tensor(x)).data, (x - 0.5) / 0.25)
    assert Normalize((0.5,), (0.5,))(x[0].astype(np.float64)).dtype == np.float64  # arrays are accepted
    assert Normalize(mean, std)(Tensor(x, requires_grad=True)).grad_fn is None


def test_normalize_inplace_and_errors():
    x = Tensor(np.full((2, 1, 2, 2), 3.0))
    assert np.allclose(Normalize(1.0, 2.0)(x).data, 1.0) and np.allclose(x.data, 3.0)
    assert Normalize((1.0,), (2.0,), inplace=True)(x) is x and np.allclose(x.data, 1.0)
    with pytest.raises(TypeError, match="float tensor, got uint8"):
        Normalize((0.5,), (0.5,))(Tensor(np.zeros((1, 2, 2)), dtype=np.uint8))
    with pytest.raises(ValueError, match="zero"):
        Normalize((0.5,), (0.0,))(Tensor(np.zeros((1, 2, 2))))
    with pytest.raises(ValueError, match=r"\b2\b.*\b3\b"):
        Normalize((0.5, 0.5), (1.0, 1.0))(Tensor(np.zeros((3, 2, 2))))
    with pytest.raises(ValueError, match=r"\(C, H, W\).*\(2, 2\)"):
        Normalize(0.5, 0.5)(Tensor(np.zeros((2, 2))))


def test_compose_applies_in_order_and_reports_batching():
    pipeline = Compose([Normalize((1.0,), (1.0,)), Normalize((0.0,), (0.5,))])
    assert np.allclose(pipeline(Tensor(np.full((1, 2, 2), 3.0))).data, 4.0)
    assert pipeline.batched and not Compose([abs]).batched and Compose([]).batched
    assert repr(pipeline) == ("Compose(\n    Normalize(mean=(1.0,), std=(1.0,))\n"
                              "    Normalize(mean=(0.0,), std=(0.5,))\n)")


def test_horizontal_flip():
    img = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert np.array_equal(RandomHorizontalFlip(1.0)(img).data, img.data[..., ::-1])
    assert RandomHorizontalFlip(0.0)(img) is img
    batch = Tensor(np.arange(300 * 6.0).reshape(300, 1, 2, 3))
    out = RandomHorizontalFlip(generator=0)(batch).data
    flipped = np.array([np.array_equal(o, b[..., ::-1]) for o, b in zip(out, batch.data)])
    kept = np.array([np.array_equal(o, b) for o, b in zip(out, batch.data)])
    assert np.all(flipped ^ kept) and 110 < flipped.sum() < 190
    assert np.array_equal(RandomHorizontalFlip(generator=3)(batch).data, RandomHorizontalFlip(generator=3)(batch).data)
    manual_seed(1)
    first = RandomHorizontalFlip()(batch).data
    manual_seed(1)
    assert np.array_equal(RandomHorizontalFlip()(batch).data, first)
    assert repr(RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"


def windows(image, h, w):
    """Every h x w window of a (C, H, W) image."""
    return [image[:, i:i + h, j:j + w] for i in range(image.shape[1] - h + 1) for j in range(image.shape[2] - w + 1)]


def test_random_crop_cuts_windows_independently_per_image():
    batch = np.arange(400 * 2 * 6 * 7, dtype=np.float32).reshape(400, 2, 6, 7) % 251
    out = RandomCrop((3, 4), generator=0)(Tensor(batch)).data
    assert out.shape == (400, 2, 3, 4) and out.dtype == np.float32
    corners = set()
    for o, b in zip(out, batch):
        match = [k for k, win in enumerate(windows(b, 3, 4)) if np.array_equal(win, o)]
        assert match, "each crop must be a window of its own image, all channels at the same place"
        corners.add(match[0])
    assert corners == set(range(4 * 4)), "every position should occur"
    single = RandomCrop(3, generator=5)(Tensor(batch[0])).data
    assert single.shape == (2, 3, 3) and any(np.array_equal(single, w) for w in windows(batch[0], 3, 3))
    assert np.array_equal(RandomCrop(3, generator=5)(Tensor(batch[:1])).data[0], single)


@pytest.mark.parametrize("padding, widths", [(1, ((1, 1), (1, 1))), ((2,), ((2, 2), (2, 2))),
                                             ((2, 1), ((1, 1), (2, 2))), ((1, 2, 3, 4), ((2, 4), (1, 3)))])
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_padding_follows_torchvision(padding, widths, mode):
    image = np.random.default_rng(3).random((2, 5, 5)).astype(np.float32)
    padded = np.pad(image, ((0, 0),) + widths, mode=mode, **({"constant_values": 0.5} if mode == "constant" else {}))
    size = padded.shape[1:]
    out = RandomCrop(size, padding=padding, fill=0.5, padding_mode=mode)(Tensor(image))
    assert np.array_equal(out.data, padded)


def test_random_crop_pad_if_needed_and_errors():
    image = Tensor(np.ones((1, 2, 3)))
    out = RandomCrop((4, 5), pad_if_needed=True, generator=0)(image)  # pads 2 rows and 2 columns on both sides
    assert out.shape == (1, 4, 5) and out.data.sum() <= 6
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(2, 3\)"):
        RandomCrop((4, 5))(image)
    with pytest.raises(ValueError, match="padding_mode"):
        RandomCrop(2, padding_mode="wrap")
    with pytest.raises(ValueError, match="padding must be"):
        RandomCrop(2, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="size must be"):
        RandomCrop((1, 2, 3))
    assert RandomCrop([3]).size == (3, 3)
    manual_seed(2)
    first = RandomCrop(1)(image).data
    manual_seed(2)
    assert np.array_equal(RandomCrop(1)(image).data, first)
    assert RandomCrop(2, generator=0)(Tensor(np.ones((3, 4, 4)), dtype=np.uint8)).dtype == np.uint8


def test_transforms_in_a_loader_pipeline():
    images = Tensor(np.random.default_rng(0).random((12, 3, 8, 8)).astype(np.float32))
    augment = Compose([RandomCrop(8, padding=2, generator=0), RandomHorizontalFlip(generator=1),
                       Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
    x, y = next(iter(DataLoader(TensorDataset(images, tensor(np.arange(12))), batch_size=12)))
    out = augment(x)
    assert out.shape == (12, 3, 8, 8) and out.dtype == np.float32
