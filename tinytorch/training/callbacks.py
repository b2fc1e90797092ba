# Generated from notebooks/masters/08_training.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.training.callbacks: EarlyStopping, which ends training once a monitored
value stops improving."""
import math


class EarlyStopping:
    """Stop training once a monitored value (a validation loss, an accuracy) has stopped
    improving.

    Args:
        patience: how many epochs in a row without improvement end training (an int >=
            1).
        min_delta: an improvement must beat the best value by more than this (>= 0).
        mode: "min" (lower is better: losses) or "max" (higher is better: accuracies).
    Attributes: best (best value so far; inf, or -inf for "max", before any), best_epoch
        (the
    step() call that produced it, counting from 1; 0 before any), epoch (step() calls so
    far), num_bad_epochs (epochs in a row without improvement), should_stop.
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 1:
            raise ValueError("EarlyStopping: patience should be an int >= 1, got "
                             f"{patience!r}")
        if not min_delta >= 0:
            raise ValueError("EarlyStopping: min_delta should be >= 0, got "
                             f"{min_delta!r}")
        if mode not in ("min", "max"):
            raise ValueError("EarlyStopping: mode should be 'min' or 'max', got "
                             f"{mode!r}")
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.epoch = 0
        self.num_bad_epochs = 0
        self.should_stop = False

    def step(self, value):
        """Record one epoch's value; return True once training should stop."""
        value = float(value.item() if hasattr(value, "item") else value)
        self.epoch += 1
        if self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch, self.num_bad_epochs = value, self.epoch, 0
        else:
            self.num_bad_epochs += 1
            if self.num_bad_epochs >= self.patience:
                self.should_stop = True
        return self.should_stop

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"mode='{self.mode}', best={self.best:.6g} at epoch {self.best_epoch}, "
                f"bad epochs={self.num_bad_epochs})")
