# Generated from notebooks/masters/08_training.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.training.loop: one training step, evaluation and accuracy, and fit(), a
loop that reads top to bottom."""
import time

import numpy as np

from tinytorch.core.autograd import no_grad
from tinytorch.training.clip import clip_grad_norm_
from tinytorch.training.progress import make_progress


def train_step(model, loss_fn, optimizer, inputs, targets, max_grad_norm=None):
    """One optimisation step on one batch: forward, loss, zero_grad, backward, (clip),
    step.

    Args:
        model: a Module; loss_fn: loss_fn(outputs, targets) -> a one-element Tensor;
        optimizer: updates the model's parameters; inputs, targets: one batch.
        max_grad_norm: if given, clip the gradients' total 2-norm to it before the step.
    Returns (loss, outputs): the batch loss before the update, a Python float, and the
        model's
    outputs, detached from the graph.
    """
    outputs = model(inputs)
    loss = loss_fn(outputs, targets)
    optimizer.zero_grad()
    loss.backward()
    if max_grad_norm is not None:
        clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    return loss.item(), outputs.detach()


def accuracy(logits, targets):
    """Fraction of samples whose highest score is at the target class, as a Python
    float.

    Shapes: logits (N, C): scores, logits or probabilities; targets (N,): class indices.
    Raises ValueError for other shapes or an empty batch.
    """
    scores, labels = np.asarray(logits), np.asarray(targets)
    if scores.ndim != 2 or labels.shape != scores.shape[:1]:
        raise ValueError(f"accuracy: logits {scores.shape} and targets {labels.shape} "
                         "do not fit; expected logits (N, C) and targets (N,)")
    if len(labels) == 0:
        raise ValueError("accuracy: an empty batch (N = 0) has no accuracy")
    return float(np.mean(scores.argmax(axis=1) == labels))


def evaluate(model, loader, loss_fn, metric=None):
    """Mean loss, and mean metric, over every sample of `loader`: in eval mode, without
    a graph.

    Each batch counts with its number of samples, so a smaller last batch is weighted
    correctly. The model's mode (train or eval) is restored afterwards, also when an
    error interrupts. Returns (loss, metric value or None), Python floats.
    """
    was_training = model.training
    model.eval()
    loss_sum = metric_sum = 0.0
    count = 0
    try:
        with no_grad():
            for inputs, targets in loader:
                outputs = model(inputs)
                n = len(targets)
                loss_sum += loss_fn(outputs, targets).item() * n
                if metric is not None:
                    metric_sum += metric(outputs, targets) * n
                count += n
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    return loss_sum / count, (metric_sum / count if metric is not None else None)


def fit(model, train_loader, loss_fn, optimizer, epochs, *, val_loader=None,
        scheduler=None, early_stopping=None, metric=None, max_grad_norm=None,
        progress=True):
    """Train `model` for up to `epochs` passes over `train_loader`; return the history.

    Each epoch: train mode and train_step on every batch (clipping gradients to
        max_grad_norm if
    given); the mean training loss (and metric, e.g. accuracy) over the epoch's samples;
    then, with val_loader, the same measured by evaluate(); then scheduler.step(); then
    early_stopping.step(validation loss, or training loss without val_loader), which may
    end training. progress=True shows a progress bar and a live plot in a notebook and
    one text line per epoch elsewhere; False shows nothing. Returns {"epoch": [1, 2,
    ...], "train_loss": [...], "lr": [...], "time": [seconds], and "train_<metric>",
    "val_loss", "val_<metric>" when measured}: one entry per epoch run.
    """
    name = getattr(metric, "__name__", "metric")
    display = make_progress(epochs, len(train_loader)) if progress else None
    history, message = {}, None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        loss_sum = metric_sum = 0.0
        seen = 0
        for step, (inputs, targets) in enumerate(train_loader, start=1):
            loss, outputs = train_step(model, loss_fn, optimizer, inputs, targets,
                                       max_grad_norm)
            n = len(targets)
            seen += n
            loss_sum += loss * n
            if metric is not None:
                metric_sum += metric(outputs, targets) * n
            if display is not None:
                display.step(epoch, step, loss)
        if seen == 0:
            raise ValueError("fit: train_loader yielded no samples")

        record = {"epoch": epoch, "train_loss": loss_sum / seen}
        if metric is not None:
            record[f"train_{name}"] = metric_sum / seen
        if val_loader is not None:
            val_loss, val_metric = evaluate(model, val_loader, loss_fn, metric)
            record["val_loss"] = val_loss
            if metric is not None:
                record[f"val_{name}"] = val_metric
        record["lr"] = optimizer.param_groups[0]["lr"]
        record["time"] = time.perf_counter() - start
        for key, value in record.items():
            history.setdefault(key, []).append(value)
        if display is not None:
            display.epoch_end(record)

        if scheduler is not None:
            scheduler.step()
        monitored = record["val_loss"] if val_loader is not None else record[
            "train_loss"]
        if early_stopping is not None and early_stopping.step(monitored):
            message = (f"early stopping after epoch {epoch}: no improvement for "
                       f"{early_stopping.num_bad_epochs} epochs; best "
                       f"{early_stopping.best:.4g} at epoch "
                       f"{early_stopping.best_epoch}")
            break
    if display is not None:
        display.close(message)
    return history
