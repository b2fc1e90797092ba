# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.scheduler: LRScheduler, the base class of the learning-rate
schedulers (torch.optim.lr_scheduler.LRScheduler; the schedulers themselves are in
tinytorch.optim.lr_scheduler)."""
import copy
import warnings


class LRScheduler:
    """Base class of the schedulers: every step() writes a new "lr" into each parameter
    group.

    Args:
        optimizer: the optimizer whose learning rates it sets.
        last_epoch: the index of the last step taken; -1 (the default) starts afresh.

    Constructing a scheduler performs step 0: it stores each group's starting "lr" as
    "initial_lr" (the scheduler's base_lrs) and sets the learning rates of step 0.
    Subclasses define get_lr(), the next learning rates computed from the current ones
    (so that two schedulers on one optimizer compose), and, where one exists,
    _get_closed_form_lr(), the learning rates at last_epoch computed from base_lrs
    alone.
    """

    _is_initial = False  # True only during the step that the constructor performs

    def __init__(self, optimizer, last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError("param 'initial_lr' is not specified in "
                                   f"param_groups[{i}] when resuming a scheduler with "
                                   f"last_epoch={last_epoch}: load the optimizer's "
                                   "state_dict first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The learning rates for step last_epoch, one per parameter group."""
        raise NotImplementedError

    def _get_closed_form_lr(self):
        """The learning rates at last_epoch from base_lrs alone; get_lr() where no
        formula exists."""
        return self.get_lr()

    def step(self, epoch=None):
        """Advance one step and set each group's "lr"; call it after optimizer.step().

        epoch (deprecated, as in PyTorch): jump to that step, using the closed form.
        """
        if epoch is not None:
            warnings.warn("The epoch parameter in `scheduler.step()` is deprecated; "
                          "call `scheduler.step()` without it", UserWarning,
                          stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._get_closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates the last step set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self):
        """Every attribute except the optimizer, copied."""
        return ({key: copy.deepcopy(value) for key,
                 value in self.__dict__.items() if key != "optimizer"})

    def load_state_dict(self, state_dict):
        """Restore the attributes saved by state_dict()."""
        self.__dict__.update(copy.deepcopy(state_dict))
