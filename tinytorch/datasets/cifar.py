# Generated from notebooks/masters/05_dataloader.ipynb by tinytorch.export: edit the notebook, not this file.
import os
import pickle
import tarfile
import zlib

import numpy as np

from tinytorch.datasets.download import download_file, manual_download_help
from tinytorch.datasets.vision import VisionDataset


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles only what CIFAR batch files hold (dicts, lists, strings, NumPy arrays),
    so a tampered file cannot run code the way an unrestricted pickle.load would let
    it."""

    allowed = {("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
               ("numpy.core.multiarray", "_reconstruct"),
               ("numpy._core.multiarray", "_reconstruct"),
               ("numpy.core.numeric", "_frombuffer"),
               ("numpy._core.numeric", "_frombuffer")}

    def find_class(self, module, name):
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError("CIFAR batch files hold only arrays and "
                                         f"lists; refusing to load {module}.{name}")
        return super().find_class(module, name)


def load_cifar_batch(path):
    """(images uint8 (n, 3, 32, 32), labels int64 (n,)) from one batch file of
    CIFAR-10's python version."""
    try:
        with open(path, "rb") as f:
            entry = _BatchUnpickler(f, encoding="bytes").load()
        data = np.asarray(entry.get(b"data", entry.get("data")))
        labels = np.asarray(entry.get(b"labels", entry.get("labels")), dtype=np.int64)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError,
            ValueError) as e:
        raise RuntimeError(f"CIFAR10: cannot read {path} ({e}); delete it and load the "
                           "dataset again") from None
    if (data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32
        or labels.shape != data.shape[:1]):
        raise RuntimeError(f"CIFAR10: {path} should hold data uint8 (n, 3072) and n "
                           f"labels; it holds data {data.dtype} {data.shape} and "
                           f"labels {labels.shape}")
    return data.reshape(-1, 3, 32, 32), labels


def _extract(archive, folder, names):
    """Extract the batch files `names` of the CIFAR-10 archive into `folder`, each
    written atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"cifar-10-batches-py/{name}": name for name in names}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = wanted.pop(member.name.removeprefix("./"), None)
                if name is not None and member.isfile():
                    part = folder / (name + ".part")
                    part.write_bytes(tar.extractfile(member).read())
                    os.replace(part, folder / name)
    except (OSError, EOFError, tarfile.TarError, zlib.error) as e:
        raise RuntimeError(f"CIFAR10: cannot read {archive} ({e}); delete it and load "
                           "the dataset again to download a fresh copy") from None
    if wanted:
        raise RuntimeError(f"CIFAR10: {archive} lacks {sorted(wanted)}; is it "
                           "cifar-10-python.tar.gz?")


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test colour images of 32x32 pixels in 10
    classes.

    Args: as MNIST (root holds cifar10/). The archive is checked against its published
        md5.
    Attributes: data uint8 (N, 32, 32, 3) (torchvision's layout); targets int64 (N,);
        classes.
    """

    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    # the md5 the dataset's authors publish for the archive; they publish no sha256
    md5 = "c58f30108f718f92721af3b95e74349a"
    base_folder = "cifar-10-batches-py"
    train_list = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                  "data_batch_5"]
    test_list = ["test_batch"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck"]

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=True):
        super().__init__(root, train, transform, target_transform)
        folder = self.root / "cifar10"
        batches = folder / self.base_folder
        names = self.train_list if train else self.test_list
        missing = [name for name in names if not (batches / name).exists()]
        if missing:
            archive = folder / self.filename
            if not archive.exists():
                if not download:
                    raise RuntimeError(f"CIFAR10: neither {batches} nor {archive} "
                                       "exists and download=False. "
                                       f"{manual_download_help([self.url], archive)}")
                download_file([self.url], archive, self.md5, algorithm="md5")
            _extract(archive, batches, missing)
        parts = [load_cifar_batch(batches / name) for name in names]
        self.data = np.concatenate([images for images, _ in parts]).transpose(
            0, 2, 3, 1)  # a view
        self.targets = np.concatenate([labels for _, labels in parts])

    @staticmethod
    def _channels_first(raw):
        return np.moveaxis(raw, -1, -3)  # (..., 32, 32, 3) -> (..., 3, 32, 32)
