# Generated from notebooks/masters/05_dataloader.ipynb by tinytorch.export: edit the notebook, not this file.
import gzip
import math
import zlib

import numpy as np

from tinytorch.datasets.download import download_file, manual_download_help
from tinytorch.datasets.vision import VisionDataset


_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(data):
    """The array stored in IDX bytes (one MNIST file, decompressed), in native byte
    order.

    Header: 00 00, a type code (see _IDX_TYPES), the number of dimensions d, d
        big-endian uint32
    sizes; then the values, big-endian, row-major. Raises ValueError for anything else.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError("read_idx: not an IDX file (it must start with two zero "
                         "bytes, a type and a rank)")
    if data[2] not in _IDX_TYPES:
        raise ValueError(f"read_idx: unknown type code 0x{data[2]:02x} (known: 08, 09, "
                         "0B, 0C, 0D, 0E)")
    dtype, ndim = _IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"read_idx: the header of a {ndim}-d array needs {header} "
                         f"bytes, the data has {len(data)}")
    shape = tuple(int(size) for size in np.frombuffer(data, dtype=">u4", count=ndim,
                                                      offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"read_idx: an array of shape {shape} and type {dtype} needs "
                         f"{expected} bytes, the data has {len(data)}")
    values = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey
    pixels, labels 0-9.

    Args:
        root: folder that holds mnist/ (default: $TINYTORCH_DATA, else
            ~/.cache/tinytorch).
        train: the training set (True) or the test set (False).
        transform: applied to each image, a float32 Tensor (1, 28, 28) in [0, 1].
        target_transform: applied to each label, an int.
        download: fetch missing files from the mirrors, checking their sha256.
    Attributes: data uint8 (N, 28, 28); targets int64 (N,); classes.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "https://storage.googleapis.com/cvdf-datasets/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    # sha256 of each file's decompressed content (the mirrors' gzip headers differ, the
    # content does not)
    resources = {
        "train-images-idx3-ubyte.gz": ("ba891046e6505d7aadcbbe25680a0738"
                                       "ad16aec93bde7f9b65e87a2fc25776db"),
        "train-labels-idx1-ubyte.gz": ("65a50cbbf4e906d70832878ad85ccda5"
                                       "333a97f0f4c3dd2ef09a8a9eef7101c5"),
        "t10k-images-idx3-ubyte.gz": ("0fa7898d509279e482958e8ce81c8e77"
                                      "db3f2f8254e26661ceb7762c4d494ce7"),
        "t10k-labels-idx1-ubyte.gz": ("ff7bcfd416de33731a308c3f266cc351"
                                      "222c34898ecbeaf847f06e48f7ec33f2"),
    }
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=True):
        super().__init__(root, train, transform, target_transform)
        split = "train" if train else "t10k"
        self.data = self._read(f"{split}-images-idx3-ubyte.gz", download)
        self.targets = self._read(f"{split}-labels-idx1-ubyte.gz",
                                  download).astype(np.int64)
        if self.data.ndim != 3 or self.targets.shape != self.data.shape[:1]:
            raise RuntimeError(f"MNIST: the images {self.data.shape} and labels "
                               f"{self.targets.shape} in {self.root / 'mnist'} do not "
                               "fit together (expected (N, 28, 28) and (N,))")

    @staticmethod
    def _channels_first(raw):
        return raw[..., None, :, :]  # (..., 28, 28) -> (..., 1, 28, 28)

    def _read(self, name, download):
        """The array in the IDX file `name`: the .gz, or an uncompressed copy;
        downloaded if missing."""
        path = self.root / "mnist" / name
        unpacked = path.with_suffix("")
        if not path.exists() and not unpacked.exists():
            urls = [mirror + name for mirror in self.mirrors]
            if not download:
                raise RuntimeError(f"MNIST: {path} does not exist and download=False. "
                                   f"{manual_download_help(urls, path)}")
            download_file(urls, path, self.resources[name], gunzip=True)
        source = path if path.exists() else unpacked
        try:
            if source is path:
                with gzip.open(path, "rb") as f:
                    return read_idx(f.read())
            return read_idx(unpacked.read_bytes())
        except (OSError, EOFError, zlib.error, ValueError) as e:
            raise RuntimeError(f"MNIST: cannot read {source} ({e}); delete it and load "
                               "the dataset again to download a fresh copy") from None
