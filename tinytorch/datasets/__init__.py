"""tinytorch.datasets: MNIST and CIFAR-10 from their original files, downloaded once into a cache (module 05),
the small digits dataset that scikit-learn ships, and the Tiny Shakespeare text (module 10)."""
from tinytorch.datasets.download import DownloadError, data_root, download_file
from tinytorch.datasets.vision import VisionDataset
from tinytorch.datasets.mnist import MNIST, read_idx
from tinytorch.datasets.cifar import CIFAR10
from tinytorch.datasets.digits import load_digits
from tinytorch.datasets.shakespeare import load_tiny_shakespeare
