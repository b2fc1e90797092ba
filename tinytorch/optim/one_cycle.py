# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.one_cycle: OneCycleLR (found, as in PyTorch, in
tinytorch.optim.lr_scheduler)."""
import math

from tinytorch.optim.scheduler import LRScheduler


def _per_group(name, optimizer, value):
    """One value per parameter group: a list or tuple of that length, or one value
    repeated."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as "
                             f"optimizer.param_groups. {name} has {len(value)} values, "
                             f"param_groups has {len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


class OneCycleLR(LRScheduler):
    """The one-cycle policy: warm up from max_lr/div_factor to max_lr over pct_start of
    the steps, then anneal to max_lr/(div_factor·final_div_factor); step it after every
    batch, total_steps times.

    Args: optimizer; max_lr (one, or one per group); total_steps, or epochs and
        steps_per_epoch;
    pct_start; anneal_strategy ("cos" or "linear"); cycle_momentum (move momentum, or
    Adam's beta1, between max_momentum and base_momentum, opposite to the rate);
    base_momentum; max_momentum; div_factor; final_div_factor; three_phase (go back to
    the starting rate before the final descent); last_epoch.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None,
                 steps_per_epoch=None, pct_start=0.3, anneal_strategy="cos",
                 cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError("Expected positive integer total_steps, but got "
                                 f"{total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError("Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError("Expected float between 0 and 1 pct_start, but got "
                             f"{pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self.anneal_strategy = anneal_strategy
        # (the step a phase ends at, the group keys it goes from and to, for the rate
        # and the momentum)
        warm_up = (float(pct_start * self.total_steps) - 1, "initial_lr", "max_lr",
                   "max_momentum", "base_momentum")
        if three_phase:
            self.phases = [warm_up,
                           (float(2 * pct_start * self.total_steps) - 2, "max_lr",
                            "initial_lr", "base_momentum", "max_momentum"),
                           (self.total_steps - 1, "initial_lr", "min_lr",
                            "max_momentum", "max_momentum")]
        else:
            self.phases = [warm_up,
                           (self.total_steps - 1, "max_lr", "min_lr", "base_momentum",
                            "max_momentum")]
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups,
                                  _per_group("max_lr", optimizer, max_lr)):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if ("momentum" not in optimizer.defaults
                and "betas" not in optimizer.defaults):
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                for group, high, low in zip(optimizer.param_groups,
                                            _per_group("max_momentum", optimizer,
                                                       max_momentum),
                                            _per_group("base_momentum", optimizer,
                                                       base_momentum)):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of "
                             f"total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, (end_step, lr_from, lr_to, momentum_from,
                        momentum_to) in enumerate(self.phases):
                if step <= end_step or index == len(self.phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group,
                                           self._anneal(group[momentum_from],
                                                        group[momentum_to], pct))
                    break
                start_step = end_step
        return lrs
