"""A milestone's full run: train with a progress bar, checkpoint after every epoch, resume, report JSON.

Everything random in a run comes from one seed: the model's initial weights (tinytorch.manual_seed)
and one NumPy generator for the shuffling and the augmentation, whose state is saved in the
checkpoint with the model, the optimizer and the epoch. An interrupted run resumed from its
checkpoint therefore ends with exactly the weights and accuracy of an uninterrupted one.
"""
import datetime
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

import tinytorch
from tinytorch import nn
from tinytorch.core.autograd import no_grad
from tinytorch.datasets.download import file_digest
from tinytorch.training import load_checkpoint, make_progress, save_checkpoint, train_step


@dataclass
class Part:
    """One milestone run: what it trains, on what, and how."""

    name: str               # "lenet", "cifar"
    title: str              # e.g. "LeNet-5 on MNIST"
    model: Callable         # model() -> Module
    optimizer: Callable     # optimizer(model) -> Optimizer
    recipe: str             # the optimizer, batch, epochs and augmentation, in words
    load: Callable          # load(root) -> (train_x, train_y, test_x, test_y, files), uint8 (N, C, H, W) images
    prepare: Callable       # prepare(uint8 batch, rng or None) -> float32 Tensor (rng None: no augmentation)
    epochs: int
    batch_size: int
    peak_lr: float
    warmup: float           # fraction of the steps spent warming up linearly from peak_lr / 10
    target: float           # the accuracy the milestone promises, in %
    provenance: str         # the default data description, e.g. "MNIST, the canonical IDX files"


def one_cycle(step, total, peak, warmup):
    """The learning rate at `step` of `total`: linear from peak/10 to peak over the first `warmup`
    fraction of the steps, then a cosine down to 0."""
    rise = max(1, round(warmup * total))
    if step < rise:
        return peak * (0.1 + 0.9 * step / rise)
    return peak * 0.5 * (1 + math.cos(math.pi * (step - rise) / max(1, total - rise)))


def machine():
    """The machine a run used: CPU, cores, platform, NumPy, its BLAS thread settings and the load
    (runnable processes, 1, 5 and 15 minutes) when the run ended: other jobs slow a run down."""
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": cpu, "cpus_available": cores, "platform": platform.platform(),
            "python": sys.version.split()[0], "numpy": np.__version__, "tinytorch": tinytorch.__version__,
            "blas_threads": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None}


def evaluate_accuracy(model, part, images, labels, batch_size=500):
    """(correct, total) of the model (in eval mode) on uint8 images."""
    model.eval()
    correct = 0
    with no_grad():
        for start in range(0, len(images), batch_size):
            logits = model(part.prepare(images[start:start + batch_size], None)).data
            correct += int((logits.argmax(axis=1) == labels[start:start + batch_size]).sum())
    model.train()
    return correct, len(images)


def _config(part, epochs, subset, seed):
    return {"part": part.name, "epochs": epochs, "subset": subset, "seed": seed, "batch_size": part.batch_size}


def train(part, root, checkpoint=None, epochs=None, subset=None, seed=0, stop_after=None,
          provenance=None, progress=None):
    """Run `part` on the data under `root`; the result dict (see the module docstring), or None when
    stopped by `stop_after` (epochs in this call) with the checkpoint written.

    checkpoint: a .npz path, written after every epoch and resumed from when it exists (its
    settings must be this run's). subset: train and test on the first N images of each split.
    """
    epochs = part.epochs if epochs is None else epochs
    config = _config(part, epochs, subset, seed)
    train_x, train_y, test_x, test_y, files = part.load(root)
    if subset is not None:
        train_x, train_y, test_x, test_y = train_x[:subset], train_y[:subset], test_x[:subset], test_y[:subset]
    tinytorch.manual_seed(seed)
    model = part.model()
    optimizer = part.optimizer(model)
    rng = np.random.default_rng(seed)
    done, elapsed, history = 0, 0.0, []
    checkpoint = None if checkpoint is None else Path(checkpoint)
    if checkpoint is not None and checkpoint.exists():
        extra = load_checkpoint(checkpoint, model, optimizer)
        if extra.get("config") != config:
            raise ValueError(f"checkpoint {checkpoint} was written by a run with settings {extra.get('config')}, "
                             f"not this run's {config}: use another --checkpoint path or the same settings")
        done, elapsed, history = extra["epoch"], extra["elapsed"], extra["history"]
        rng.bit_generator.state = extra["rng"]
    steps, loss_fn = math.ceil(len(train_x) / part.batch_size), nn.CrossEntropyLoss()
    bar = progress if progress is not None else make_progress(epochs, steps)
    stopped = False
    for epoch in range(done, epochs):
        if stop_after is not None and epoch - done >= stop_after:
            stopped = True
            break
        start, order, total_loss = time.perf_counter(), rng.permutation(len(train_x)), 0.0
        for step in range(steps):
            rows = order[step * part.batch_size:(step + 1) * part.batch_size]
            for group in optimizer.param_groups:
                group["lr"] = one_cycle(epoch * steps + step, epochs * steps, part.peak_lr, part.warmup)
            loss, _ = train_step(model, loss_fn, optimizer, part.prepare(train_x[rows], rng),
                                 tinytorch.tensor(train_y[rows]))
            total_loss += loss
            bar.step(epoch + 1, step + 1, loss)
        seconds = time.perf_counter() - start
        elapsed += seconds
        history.append({"epoch": epoch + 1, "train_loss": total_loss / steps, "time": seconds})
        bar.epoch_end(dict(history[-1]))
        if checkpoint is not None:
            save_checkpoint(checkpoint, model, optimizer, config=config, epoch=epoch + 1, elapsed=elapsed,
                            history=history, rng=rng.bit_generator.state)
    if stopped:
        bar.close(f"stopped after epoch {epoch}; resume with the same command")
        return None
    correct, total = evaluate_accuracy(model, part, test_x, test_y)
    accuracy = 100.0 * correct / total
    bar.close(f"test accuracy {accuracy:.2f}% ({correct:,} of {total:,}) after {epochs} epochs, "
              f"{elapsed:.0f} s of training")
    return {
        "milestone": "1998_cnn", "part": part.name, "title": part.title, "model": repr(model),
        "parameters": sum(p.data.size for p in model.parameters()),
        "test_accuracy": round(accuracy, 2), "correct": correct, "test_images": total,
        "train_images": len(train_x), "target_accuracy": part.target, "epochs": epochs,
        "batch_size": part.batch_size, "recipe": part.recipe,
        "schedule": f"one-cycle: linear warm-up over {part.warmup:.0%} of the steps from "
                    f"{part.peak_lr / 10:g} to {part.peak_lr:g}, then cosine to 0, set every step",
        "train_seconds": round(elapsed, 1), "seconds_per_epoch": round(elapsed / max(1, epochs), 1),
        "history": history, "seed": seed, "subset": subset,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "data": {"root": str(root), "provenance": provenance or part.provenance,
                 "sha256": {Path(f).name: file_digest(f, gunzip=str(f).endswith(".gz")) for f in files}},
    }
