# Generated from notebooks/masters/05_dataloader.ipynb by tinytorch.export: edit the notebook, not this file.
import copy
import itertools
import math
import numbers
import warnings
from collections.abc import Mapping, MutableMapping, Sequence

import numpy as np

from tinytorch.core.creation import default_generator, tensor

from tinytorch.core.tensor import Tensor


class Dataset:
    """Base class of map-style datasets: dataset[index] is one sample, len(dataset)
    their number.

    Subclasses define __getitem__ and __len__. One that can gather many samples in a
    single vectorised step may also define get_batch(indices) (an int array), returning
    exactly what default_collate([dataset[i] for i in indices]) would; DataLoader then
    calls it once per batch.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  "__getitem__(index), which returns sample number "
                                  "`index`")


def _as_generator(generator):
    """Check a `generator` argument: None (draw from tinytorch's default generator at
    each use, so manual_seed controls it), an int seed (a private np.random.Generator,
    made once) or a Generator."""
    if generator is None or isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"generator must be None, an int seed or a numpy.random.Generator, "
                    f"not {type(generator).__name__}")


def _random(rng):
    """The generator to draw from now: `rng`, or tinytorch's default generator when it
    is None."""
    return default_generator() if rng is None else rng


class TensorDataset(Dataset):
    """Tensors sliced along their first dimension: sample i is (t[i] for t in tensors).

    Args: *tensors: Tensors with the same first dimension N, e.g. X (N, F) and y (N,).
    Shape: dataset[i] -> tuple of t[i] (shape t.shape[1:]); len(dataset) == N.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for position, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {position} is a "
                                f"{type(t).__name__}, not a Tensor (wrap it: "
                                "Tensor(array), or tensor(array) to keep its dtype)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {position} is 0-d; every "
                                 "tensor needs a first dimension to index samples by")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError("TensorDataset: size mismatch between tensors: shapes "
                             f"{shapes} have first dimensions {sizes}, which must all "
                             "be equal")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def get_batch(self, indices):
        """Samples `indices` (an int array) as a batch: [t[indices] for each tensor],
        one gather each."""
        return [t[indices] for t in self.tensors]


def default_collate(batch):
    """Merge a list of samples into a batch, by the rules of
    torch.utils.data.default_collate.

    The first sample's type decides: Tensor or array -> stacked Tensor (B, *shape);
    NumPy scalar -> 1-D Tensor of its dtype; float -> float64; int -> int64 (bool ->
    bool); str/bytes -> the batch unchanged; Mapping -> {key: collated values};
    namedtuple -> the same namedtuple of collated fields; tuple or list -> a list of
    collated fields ([(x, y), ...] -> [X, Y]). Raises RuntimeError for unequal shapes or
    lengths, TypeError for other types. Stacking records the op "stack"; gradient:
    `_stack_grad` in core/gradients/data.py (module 06).
    """
    elem = batch[0]
    if isinstance(elem, (Tensor, np.ndarray)):
        arrays = [np.asarray(sample) for sample in batch]
        if arrays[0].dtype.kind not in "biuf":
            raise TypeError("default_collate: batch must contain tensors, numpy "
                            "arrays, numbers, dicts or lists; found an array of "
                            f"{arrays[0].dtype}")
        for position, values in enumerate(arrays):
            if values.shape != arrays[0].shape:
                raise RuntimeError("default_collate: stack expects each tensor to be "
                                   f"equal size, but got {arrays[0].shape} at entry 0 "
                                   f"and {values.shape} at entry {position}")
        inputs = tuple(sample for sample in batch if isinstance(sample, Tensor))
        return Tensor.from_op(np.stack(arrays), "stack", inputs, {"dim": 0})
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor.from_op(np.array(batch), "tensor", ())
    if isinstance(elem, float):
        return tensor(batch, dtype=np.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch  # strings are not turned into tensors
    if isinstance(elem, Mapping):
        collated = {
            key: default_collate([sample[key] for sample in batch]) for key in elem}
        # keep the mapping's type (OrderedDict, defaultdict, ...)
        if isinstance(elem, MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("default_collate: each element in list of batch should "
                               "be of equal size; got lengths "
                               f"{[len(sample) for sample in batch]}")
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, "
                    f"numbers, dicts or lists; found {type(elem)}")


class DataLoader:
    """Iterate over a dataset in batches: `for x, y in DataLoader(dataset,
    batch_size=64, shuffle=True)`.

    Args:
        dataset: anything with __getitem__ and __len__ (a Dataset).
        batch_size: samples per batch, a positive int.
        shuffle: visit the samples in a new random order every epoch (every
            iter(loader)).
        collate_fn: merges a list of samples into a batch. None means default_collate,
            and lets a dataset with get_batch(indices) gather each batch in one
            vectorised step.
        drop_last: drop the last batch when it would have fewer than batch_size samples.
        generator: randomness for shuffle: None (tinytorch's default generator, so
            manual_seed makes the order reproducible), an int seed or a
            np.random.Generator.
    len(loader): batches per epoch, ceil(N / batch_size), or floor(N / batch_size) with
        drop_last.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, *, collate_fn=None,
                 drop_last=False, generator=None):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError("DataLoader: the dataset must define __getitem__ and "
                            f"__len__; {type(dataset).__name__} does not")
        if (not isinstance(batch_size, int) or isinstance(batch_size, bool)
            or batch_size <= 0):
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        if shuffle and len(dataset) == 0:
            raise ValueError("DataLoader: cannot shuffle an empty dataset "
                             "(num_samples=0)")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.generator = generator
        self._rng = _as_generator(generator)
        # the vectorised path
        self._gather = collate_fn is None and hasattr(dataset, "get_batch")

    def __len__(self):
        n_samples = len(self.dataset)
        return n_samples // self.batch_size if self.drop_last else -(
            -n_samples // self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        if self.shuffle:
            order = _random(self._rng).permutation(n_samples)
        else:
            order = np.arange(n_samples)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if self._gather:
                yield self.dataset.get_batch(indices)
            else:
                yield self.collate_fn([self.dataset[i] for i in indices.tolist()])


class Subset(Dataset):
    """The samples of `dataset` at `indices` (a sequence of ints): subset[i] is
    dataset[indices[i]].

    len(subset) == len(indices); nothing is copied.
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)

    def get_batch(self, indices):
        """The batch of samples at `indices` (an int array): one get_batch of the
        dataset if it has one, else default_collate of the samples."""
        positions = np.asarray(self.indices, dtype=np.int64)[indices]
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(positions)
        return default_collate([self.dataset[i] for i in positions.tolist()])


def random_split(dataset, lengths, generator=None):
    """Split `dataset` at random into non-overlapping Subsets of the given lengths.

    lengths: ints that sum to len(dataset), or fractions that sum to 1 (floor(N *
        fraction) each,
    the remainder given out one by one from the first split on). generator: as in
    DataLoader.
    """
    n_samples = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for index, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"Fraction at index {index} is not between 0 and 1")
            counts.append(int(math.floor(n_samples * fraction)))
        for extra in range(n_samples - sum(counts)):
            counts[extra % len(counts)] += 1
        for index, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"Length of split at index {index} is 0. "
                              f"This might result in an empty dataset.")
        lengths = counts
    if sum(lengths) != n_samples:
        raise ValueError("Sum of input lengths does not equal the length of the input "
                         "dataset!")
    order = _random(_as_generator(generator)).permutation(n_samples).tolist()
    return [Subset(dataset, order[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]
