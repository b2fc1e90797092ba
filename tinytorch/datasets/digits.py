"""The UCI handwritten digits (1,797 images, 8x8 pixels, 10 classes), from scikit-learn's copy.

scikit-learn ships this small dataset inside its package (datasets/data/digits.csv.gz). Reading
that file directly takes milliseconds; `import sklearn` takes over a second.
"""
import importlib.util
from pathlib import Path

import numpy as np


def load_digits():
    """(images, labels): images (1797, 64) float32, pixel counts 0–16; labels (1797,) int64.

    The same arrays as `sklearn.datasets.load_digits()`'s `.data` and `.target`, read without
    importing scikit-learn. Raises ModuleNotFoundError when scikit-learn is not installed
    (JupyterLite, for example)."""
    spec = importlib.util.find_spec("sklearn")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(f, "datasets", "data", "digits.csv.gz") for f in folders
                 if Path(f, "datasets", "data", "digits.csv.gz").is_file()), None)
    if path is None:
        raise ModuleNotFoundError("the digits dataset comes with scikit-learn, which is not installed here: "
                                  "`pip install scikit-learn`", name="sklearn")
    table = np.loadtxt(path, delimiter=",", dtype=np.float32)  # 64 pixel columns, then the label
    return table[:, :-1], table[:, -1].astype(np.int64)
