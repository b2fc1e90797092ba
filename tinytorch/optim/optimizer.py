# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.optimizer: Optimizer, the base class of every optimizer (as
torch.optim.optimizer)."""
import copy
import warnings
from collections import defaultdict
from itertools import chain

import numpy as np

from tinytorch.core.grad_mode import set_grad_enabled
from tinytorch.core.tensor import Tensor


class Optimizer:
    """Base class of every optimizer: parameter groups, per-parameter state,
    zero_grad, checkpoints.

    Args:
        params: an iterable of Tensors (model.parameters()), of (name, Tensor) pairs
            (model.named_parameters()), or of dicts, the parameter groups: each has a
            "params" entry and may override any option of `defaults` for its own
            parameters.
        defaults: {option: default value}, e.g. {"lr": 0.01, "momentum": 0.9}.

    Attributes:
        param_groups: [{"params": [Tensor, ...], "lr": ..., ...}, ...], one dict
            per group.
        state: {Tensor: {name: value}}, what the optimizer remembers about each
            parameter (momentum buffers, moment estimates, step counts); step()
            fills it.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an "
                            "iterable of Tensors or dicts, but got "
                            f"{type(params).__name__}")
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add {"params": tensors, option: value, ...}; the options it leaves out take
        the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError("param_group must be a dict, but got "
                            f"{type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will "
                            "change between runs. Please use a list instead.")
        else:
            params = list(params)
        if any(isinstance(p, tuple) for p in params):  # from named_parameters()
            if not all(isinstance(p, tuple) for p in params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the "
                                f"params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        if len(set(params)) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate "
                          "parameters; they are updated more than once per step",
                          stacklevel=3)
        taken = set()
        for group in self.param_groups:
            taken.update(group["params"])
        if not taken.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        named = "param_names" in param_group
        if any(("param_names" in group) != named for group in self.param_groups):
            raise ValueError("all optimizer param groups should be with/without names. "
                             "cannot add param group "
                             f"{'with' if named else 'without'} names to the optimizer")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient: set it to None, or fill it with zeros
        in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.data[...] = 0

    def step(self, closure=None):
        """Update the parameters from their gradients (each optimizer's own rule)."""
        raise NotImplementedError

    def _loss_from(self, closure):
        """closure() run with gradient recording on (it recomputes the loss), or
        None without one."""
        if closure is None:
            return None
        previous = set_grad_enabled(True)
        try:
            return closure()
        finally:
            set_grad_enabled(previous)

    def _params_with_grad(self):
        """(parameter, its group's options) for every parameter whose grad is set."""
        for group in self.param_groups:
            options = {name: group[name] for name in self.defaults}
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.shape != p.shape:
                    raise RuntimeError(f"{type(self).__name__}: a parameter of shape "
                                       f"{p.shape} has a gradient of shape "
                                       f"{p.grad.shape}")
                yield p, options

    def state_dict(self):
        """{"state": {index: {name: copy}},
        "param_groups": [{option: value, "params": [index, ...]}]}.

        The parameters are numbered 0, 1, 2, ... in the order the groups list them,
        so the dict can be loaded into an optimizer built the same way over other
        parameters (a fresh model).
        """
        number = {}
        params = chain.from_iterable(group["params"] for group in self.param_groups)
        for i, p in enumerate(params):
            number.setdefault(id(p), i)
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [number[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {number[id(p)]: copy.deepcopy(values)
                 for p, values in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take the groups' options and the state from a state_dict() onto this
        optimizer's parameters.

        Raises ValueError, changing nothing, when the number of groups, the size of a
        group or the shape of a state array does not match. State arrays are copied
        (as the parameter's dtype).
        """
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter "
                             f"groups ({len(saved_groups)}) than the optimizer "
                             f"({len(self.param_groups)})")
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError("loaded state dict contains a parameter group that "
                                 "doesn't match the size of optimizer's group: group "
                                 f"{i} has {len(saved['params'])} parameters in the "
                                 f"state dict and {len(group['params'])} in the "
                                 "optimizer")
        numbers = chain.from_iterable(saved["params"] for saved in saved_groups)
        params = chain.from_iterable(group["params"] for group in self.param_groups)
        param_of = dict(zip(numbers, params))
        loaded = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if key not in param_of:
                raise ValueError(f"loaded state dict has state for parameter {key!r}, "
                                 "which none of its parameter groups lists")
            param = param_of[key]
            for name, value in values.items():
                is_array = isinstance(value, np.ndarray)
                if is_array and value.ndim > 0 and value.shape != param.shape:
                    raise ValueError(f"loaded state dict has {name!r} of shape "
                                     f"{value.shape} for parameter {key}, whose shape "
                                     f"is {param.shape}")
                if is_array and value.dtype.kind == "f":
                    loaded[param][name] = value.astype(param.dtype)
                else:
                    loaded[param][name] = copy.deepcopy(value)
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group:
                saved.setdefault("param_names", group["param_names"])
            for name, default in self.defaults.items():
                saved.setdefault(name, default)
        self.param_groups = saved_groups
        self.state = loaded

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group)
                      if key != "params"]
        return "\n".join(lines) + "\n)"
