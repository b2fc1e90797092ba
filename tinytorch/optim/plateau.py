# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.plateau: ReduceLROnPlateau, the scheduler driven by a measured metric
(found, as in PyTorch, in tinytorch.optim.lr_scheduler)."""
import math
import warnings

from tinytorch.optim.scheduler import LRScheduler


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rates by factor once a metric has stopped improving for
    patience steps.

    Call step(metric) once per epoch with the value to watch (e.g. the validation loss).
    Args: optimizer; mode ("min": lower is better, "max": higher is better);
    factor (< 1); patience (steps without improvement tolerated); threshold and
    threshold_mode ("rel": beat best·(1 ∓ threshold), "abs": beat best ∓ threshold);
    cooldown (steps ignored after a reduction); min_lr (one, or one per group: the
    floor); eps (smaller changes are skipped).
    An LRScheduler (get_last_lr, state_dict, load_state_dict), but one without a plan:
    its constructor sets up its own state and takes no step.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def is_better(self, value, best):
        """Does `value` improve on `best` by more than the threshold?"""
        if self.threshold_mode == "rel":
            if self.mode == "min":
                return value < best * (1.0 - self.threshold)
            return value > best * (1.0 + self.threshold)
        if self.mode == "min":
            return value < best - self.threshold
        return value > best + self.threshold

    def step(self, metrics, epoch=None):
        """Record this epoch's metric (a number or a one-element Tensor); reduce
        the rates if due."""
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        if epoch is not None:
            warnings.warn("The epoch parameter in `scheduler.step()` is deprecated; "
                          "call `scheduler.step()` without it", UserWarning,
                          stacklevel=2)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError("The number of param groups in the `optimizer` "
                                   f"({len(self.optimizer.param_groups)}) differs from "
                                   "when `ReduceLROnPlateau` was initialized "
                                   f"({len(self.min_lrs)}); set `min_lrs` to one value "
                                   "per group")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0
