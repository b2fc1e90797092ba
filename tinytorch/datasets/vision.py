# Generated from notebooks/masters/05_dataloader.ipynb by tinytorch.export: edit the notebook, not this file.
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.data.loader import Dataset, default_collate
from tinytorch.datasets.download import data_root


class VisionDataset(Dataset):
    """Labelled images kept in memory as uint8: `data` (N, ...) and `targets` (N,)
    int64.

    dataset[i] -> (image, label): a float32 Tensor (C, H, W) in [0, 1] and an int, after
    `transform` and `target_transform`. get_batch(indices) -> [images (B, C, H, W),
    labels (B,)], gathered in one step; a batched transform then runs once on the whole
    batch. Subclasses set data and targets and define _channels_first(raw): (..., stored
    layout) -> (..., C, H, W).
    """

    def __init__(self, root=None, train=True, transform=None, target_transform=None):
        self.root = data_root(root)
        self.train = train
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.data)

    def _to_float(self, raw):
        """uint8 images -> float32 Tensor (..., C, H, W) in [0, 1], in one pass over the
        pixels."""
        values = np.divide(self._channels_first(raw), np.float32(255), dtype=np.float32,
                           order="C")
        return Tensor.from_op(values, "to_tensor", ())

    def __getitem__(self, index):
        image, label = self._to_float(self.data[index]), int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def get_batch(self, indices):
        """The samples `indices` as [images (B, C, H, W), labels (B,) int64]."""
        batched = self.transform is None or getattr(self.transform, "batched", False)
        if self.target_transform is not None or not batched:
            return default_collate([self[i] for i in np.asarray(indices).tolist()])
        images = self._to_float(self.data[indices])
        if self.transform is not None:
            images = self.transform(images)
        return [images, Tensor.from_op(self.targets[indices], "to_tensor", ())]

    def __repr__(self):
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: "
                f"{len(self)}\n    Root location: {self.root}\n    Split: "
                f"{'Train' if self.train else 'Test'}")
