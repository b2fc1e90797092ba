"""Milestone 1998, the full runs: LeNet-5 on MNIST and a BatchNorm CNN on CIFAR-10.

    python -m tinytorch.milestones.cnn1998 --part lenet --data DIR --checkpoint lenet.npz \\
        --out notebooks/milestones/results/1998_lenet.json
    python -m tinytorch.milestones.cnn1998 --part cifar --data DIR --checkpoint cifar.npz \\
        --provenance "JPEG copy" --out notebooks/milestones/results/1998_cifar.json

DIR holds mnist/ (the four IDX .gz files) or cifar10/cifar-10-batches-py/ (CIFAR-10's python
version), as tinytorch.datasets reads them; nothing is downloaded. The run prints a progress line
at least every 10 s, checkpoints after every epoch, and picks up where it stopped when run again
with the same --checkpoint (the same settings are required). The final JSON holds the test
accuracy, the training time, the epochs, the machine, the date and the data's provenance and
digests. The notebook notebooks/milestones/1998_cnn.ipynb shows the recorded results.
"""
import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np

from tinytorch import nn, optim
from tinytorch.core.tensor import Tensor
from tinytorch.data.transforms import Compose, Normalize, RandomCrop, RandomHorizontalFlip
from tinytorch.datasets import CIFAR10, MNIST
from tinytorch.milestones.runner import Part, train

MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def lenet5():
    """LeNet-5 (LeCun, Bottou, Bengio, Haffner 1998) with today's ReLU and max-pooling:
    (N, 1, 28, 28) -> (N, 10). The 28×28 digit is padded by 2, as the paper's 32×32 input was."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),     # C1, S2: 6 × 14×14
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),               # C3, S4: 16 × 5×5
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),                  # C5
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))              # F6, output


def cifar_net(widths=(32, 64, 128)):
    """Three blocks conv 3×3 → BatchNorm → ReLU → 2×2 max-pool, then one linear layer:
    (N, 3, 32, 32) -> (N, 10). The convolutions have no bias: BatchNorm's shift replaces it."""
    layers, channels = [], 3
    for width in widths:
        layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                   nn.MaxPool2d(2)]
        channels = width
    side = 32 >> len(widths)
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * side * side, 10))


def _scaled(images):
    """uint8 images (N, C, H, W) as float32 in [0, 1]."""
    return images.astype(np.float32) / np.float32(255)


def prepare_mnist(images, rng):
    """uint8 (N, 1, 28, 28) -> float32 Tensor: shifted by up to 2 pixels (a random crop of the
    2-padded image, drawn from `rng`; none when rng is None), then normalised."""
    steps = [Normalize(MNIST_MEAN, MNIST_STD, inplace=True)]
    if rng is not None:
        steps = [RandomCrop(28, padding=2, generator=rng)] + steps
    return Compose(steps)(Tensor(_scaled(images)))


def prepare_cifar(images, rng):
    """uint8 (N, 3, 32, 32) -> float32 Tensor: random crop of the 4-padded image and random flip
    (both drawn from `rng`; none when rng is None), then per-channel normalisation."""
    steps = [Normalize(CIFAR_MEAN, CIFAR_STD, inplace=True)]
    if rng is not None:
        steps = [RandomCrop(32, padding=4, generator=rng), RandomHorizontalFlip(generator=rng)] + steps
    return Compose(steps)(Tensor(_scaled(images)))


def load_mnist(root):
    train, test = MNIST(root, train=True, download=False), MNIST(root, train=False, download=False)
    files = sorted(str(p) for p in (Path(train.root) / "mnist").glob("*-ubyte*"))
    return train.data[:, None], train.targets, test.data[:, None], test.targets, files


def load_cifar(root):
    train, test = CIFAR10(root, train=True, download=False), CIFAR10(root, train=False, download=False)
    folder = Path(train.root) / "cifar10" / CIFAR10.base_folder
    files = [str(folder / name) for name in CIFAR10.train_list + CIFAR10.test_list]
    chw = lambda data: np.ascontiguousarray(data.transpose(0, 3, 1, 2))  # noqa: E731  (N, H, W, C) -> (N, C, H, W)
    return chw(train.data), train.targets, chw(test.data), test.targets, files


PARTS = {
    "lenet": Part(
        name="lenet", title="LeNet-5 on MNIST", model=lenet5,
        optimizer=lambda model: optim.Adam(model.parameters(), lr=1e-3),
        recipe="Adam (betas 0.9, 0.999), batch 64, 12 epochs; RandomCrop(28, padding=2), Normalize",
        load=load_mnist, prepare=prepare_mnist, epochs=12, batch_size=64, peak_lr=2e-3, warmup=0.1,
        target=99.0, provenance="MNIST, the canonical IDX files (decompressed sha256 as published)"),
    "cifar": Part(
        name="cifar", title="BatchNorm CNN on CIFAR-10", model=cifar_net,
        # SGD with momentum at a peak of 0.05 or more blew this network up within its first steps
        # (in PyTorch too: the 2048-wide linear head); Adam at 2e-3 trained steadily
        optimizer=lambda model: optim.Adam(model.parameters(), lr=2e-3),
        recipe=("Adam (betas 0.9, 0.999), batch 128, 15 epochs; "
                "RandomCrop(32, padding=4), RandomHorizontalFlip, Normalize"),
        load=load_cifar, prepare=prepare_cifar, epochs=15, batch_size=128, peak_lr=2e-3, warmup=0.15,
        target=75.0, provenance="CIFAR-10, the official python version"),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tinytorch.milestones.cnn1998", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=sorted(PARTS), required=True, help="which network and data set")
    parser.add_argument("--data", type=Path, required=True, help="folder holding mnist/ or cifar10/")
    parser.add_argument("--checkpoint", type=Path, help="written after every epoch; resumed from if present")
    parser.add_argument("--out", type=Path, help="where to write the results JSON (default: print it)")
    parser.add_argument("--epochs", type=int, help="override the part's epochs (a shorter schedule)")
    parser.add_argument("--subset", type=int, help="train and test on the first N images of each split")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stop-after", type=int, help="stop after this many epochs (resume later)")
    parser.add_argument("--provenance", help='where the data came from, e.g. "JPEG copy"')
    args = parser.parse_args(argv)
    for name in ("epochs", "subset", "stop_after"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = train(PARTS[args.part], args.data, args.checkpoint, epochs=args.epochs, subset=args.subset,
                       seed=args.seed, stop_after=args.stop_after, provenance=args.provenance)
    except (RuntimeError, ValueError, FileNotFoundError) as e:
        print(f"cnn1998: {e}", file=sys.stderr)
        return 2
    if result is None:
        return 0
    result["command"] = "python -m tinytorch.milestones.cnn1998 " + shlex.join(
        str(a) for a in (sys.argv[1:] if argv is None else argv))
    text = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    if args.out is None:
        print(text, end="")
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
