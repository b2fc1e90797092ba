# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.lr_scheduler: schedules that set an optimizer's learning rates, step
by step."""
import copy
import math
import types
from bisect import bisect_right
from collections import Counter

# noqa: F401  (section 6.1, a file of its own)
from tinytorch.optim.one_cycle import OneCycleLR
# noqa: F401  (section 6.1, a file of its own)
from tinytorch.optim.plateau import ReduceLROnPlateau
from tinytorch.optim.scheduler import LRScheduler


class LambdaLR(LRScheduler):
    """lr_t = base_lr · lr_lambda(t), with your own function of the step t (one per
    group, or one for all).

    Args: optimizer; lr_lambda (a function of an int, or a list of them, one per group);
        last_epoch.
    state_dict() saves a callable object's attributes, but not plain functions and
    lambdas.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, "
                                 f"but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return ([base_lr * fn(self.last_epoch) for fn,
                 base_lr in zip(self.lr_lambdas, self.base_lrs)])

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = copy.deepcopy(state_dict)
        saved_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, saved_lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class SequentialLR(LRScheduler):
    """Run schedulers one after another: schedulers[i] from step milestones[i - 1] on.

    Args: optimizer; schedulers (built on this optimizer); milestones (increasing steps,
        one fewer
    than the schedulers); last_epoch. At each milestone the next scheduler restarts from
    its step 0.
    Example: warm up with LinearLR for 5 steps, then CosineAnnealingLR:
        SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5), CosineAnnealingLR(opt,
        95)], [5])
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no "
                             "scheduler.")
        for i, scheduler in enumerate(schedulers):
            if getattr(scheduler, "optimizer", None) is not optimizer:
                raise ValueError("SequentialLR expects all schedulers to belong to "
                                 "the same optimizer, but got scheduler "
                                 f"{type(scheduler).__name__} at index {i} with "
                                 "another one")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers "
                             "provided to be one more than the number of milestone "
                             f"points, but got number of schedulers {len(schedulers)} "
                             "and the number of milestones to be equal to "
                             f"{len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # undo what constructing the schedulers did
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    @staticmethod
    def _undo_initial_steps(scheduler):
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                SequentialLR._undo_initial_steps(inner)
        else:
            scheduler.last_epoch -= 1

    def step(self):
        """Advance one step with the scheduler in charge; at a milestone that one starts
        at its step 0."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [
            scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = copy.deepcopy(state_dict)
        saved_schedulers = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, saved_schedulers):
            scheduler.load_state_dict(saved)


class StepLR(LRScheduler):
    """Multiply the learning rate by gamma every step_size steps:
    lr_t = base_lr · gamma^⌊t / step_size⌋.

    Args: optimizer; step_size (steps between decays, ≥ 1); gamma (decay factor);
    last_epoch.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be at least 1, got {step_size}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        decays = self.last_epoch // self.step_size
        return [base_lr * self.gamma ** decays for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing: lr_t = η_min + (base_lr − η_min)(1 + cos(πt / T_max)) / 2.

    The learning rate falls from base_lr to eta_min over T_max steps and, if training
    goes on, rises back along the same cosine (period 2·T_max), as in PyTorch.
    Args: optimizer; T_max (steps of the descent, > 0); eta_min (the lowest rate);
    last_epoch.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self._is_initial:
            return lrs
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:  # the bottom
            rise = 1 - math.cos(math.pi / self.T_max)
            return [lr + (base_lr - self.eta_min) * rise / 2
                    for lr, base_lr in zip(lrs, self.base_lrs)]
        ratio = ((1 + math.cos(math.pi * self.last_epoch / self.T_max))
                 / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max)))
        return [self.eta_min + ratio * (lr - self.eta_min) for lr in lrs]

    def _get_closed_form_lr(self):
        cosine = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that moves linearly from start_factor to
    end_factor over total_iters steps, then stays:
    lr_t = base_lr · (s + (e − s) · min(t, T) / T).

    With the defaults it is a linear warm-up from base_lr/3 to base_lr over 5 steps.
    Args: optimizer; start_factor s in (0, 1]; end_factor e in [0, 1]; total_iters T;
    last_epoch.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater "
                             "than 0 and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 "
                             "and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        change = self.end_factor - self.start_factor
        previous = self.total_iters * self.start_factor + (self.last_epoch - 1) * change
        ratio = 1.0 + change / previous
        return [lr * ratio for lr in lrs]

    def _get_closed_form_lr(self):
        factor = (self.start_factor + (self.end_factor - self.start_factor)
                  * min(self.total_iters, self.last_epoch) / self.total_iters)
        return [base_lr * factor for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by gamma at every step: lr_t = base_lr · gamma^t.

    Args: optimizer; gamma (decay factor); last_epoch.
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by gamma at each milestone:
    lr_t = base_lr · gamma^(milestones ≤ t).

    Args: optimizer; milestones (steps; one listed k times decays k times); gamma;
    last_epoch.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        decays = bisect_right(milestones, self.last_epoch)
        return [base_lr * self.gamma ** decays for base_lr in self.base_lrs]
