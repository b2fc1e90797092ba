# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.optimizers: SGD, Adam, AdamW and RMSprop with PyTorch's update rules."""
import copy
import warnings
from collections import defaultdict
from itertools import chain

import numpy as np

from tinytorch.core.tensor import Tensor, set_grad_enabled


class Optimizer:
    """Base class of every optimizer: parameter groups, per-parameter state, zero_grad, checkpoints.

    Args:
        params: an iterable of Tensors (model.parameters()), of (name, Tensor) pairs
            (model.named_parameters()), or of dicts, the parameter groups: each has a "params"
            entry and may override any option of `defaults` for its own parameters.
        defaults: {option: default value}, e.g. {"lr": 0.01, "momentum": 0.9}.

    Attributes:
        param_groups: [{"params": [Tensor, ...], "lr": ..., ...}, ...], one dict per group.
        state: {Tensor: {name: value}}, what the optimizer remembers about each parameter
            (momentum buffers, moment estimates, step counts); step() fills it.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got {type(params).__name__}")
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
        """Add {"params": tensors, option: value, ...}; the options it leaves out take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        if any(isinstance(p, tuple) for p in params):  # (name, tensor) pairs from named_parameters()
            if not all(isinstance(p, tuple) for p in params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        if len(set(params)) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "they are updated more than once per step", stacklevel=3)
        taken = set()
        for group in self.param_groups:
            taken.update(group["params"])
        if not taken.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        if any(("param_names" in group) != ("param_names" in param_group) for group in self.param_groups):
            raise ValueError("all optimizer param groups should be with/without names. cannot add param group "
                             f"{'with' if 'param_names' in param_group else 'without'} names to the optimizer")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient: set it to None, or fill it with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.data[...] = 0

    def step(self, closure=None):
        """Update the parameters from their gradients; every optimizer defines its own rule."""
        raise NotImplementedError

    def _loss_from(self, closure):
        """closure() run with gradient recording on (it recomputes the loss), or None without one."""
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
                    raise RuntimeError(f"{type(self).__name__}: a parameter of shape {p.shape} has a "
                                       f"gradient of shape {p.grad.shape}")
                yield p, options

    def state_dict(self):
        """{"state": {index: {name: copy}}, "param_groups": [{option: value, "params": [index, ...]}]}.

        The parameters are numbered 0, 1, 2, ... in the order the groups list them, so the dict can
        be loaded into an optimizer built the same way over other parameters (a fresh model).
        """
        number = {}
        for i, p in enumerate(chain.from_iterable(group["params"] for group in self.param_groups)):
            number.setdefault(id(p), i)
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [number[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {number[id(p)]: copy.deepcopy(values) for p, values in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take the groups' options and the state from a state_dict() onto this optimizer's parameters.

        Raises ValueError, changing nothing, when the number of groups, the size of a group or the
        shape of a state array does not match. State arrays are copied (as the parameter's dtype).
        """
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(self.param_groups)})")
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict contains a parameter group that doesn't match the size "
                                 f"of optimizer's group: group {i} has {len(saved['params'])} parameters in "
                                 f"the state dict and {len(group['params'])} in the optimizer")
        param_of = dict(zip(chain.from_iterable(saved["params"] for saved in saved_groups),
                            chain.from_iterable(group["params"] for group in self.param_groups)))
        loaded = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if key not in param_of:
                raise ValueError(f"loaded state dict has state for parameter {key!r}, which none of its "
                                 f"parameter groups lists")
            param = param_of[key]
            for name, value in values.items():
                if isinstance(value, np.ndarray) and value.ndim > 0 and value.shape != param.shape:
                    raise ValueError(f"loaded state dict has {name!r} of shape {value.shape} for parameter "
                                     f"{key}, whose shape is {param.shape}")
                is_float_array = isinstance(value, np.ndarray) and value.dtype.kind == "f"
                loaded[param][name] = value.astype(param.dtype) if is_float_array else copy.deepcopy(value)
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
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def sgd_update(param, grad, state, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step on one parameter, in place, by PyTorch's rule.

    With θ the parameter, g its gradient, γ = lr, μ = momentum, τ = dampening, λ = weight_decay
    and b = state["momentum_buffer"]:

        g ← −g                                       if maximize
        g ← g + λθ                                   if λ ≠ 0
        b ← g on the first step, else b ← μb + (1 − τ)g   } if μ ≠ 0
        g ← g + μb if nesterov, else g ← b             }
        θ ← θ − γg

    Args:
        param, grad: NumPy arrays of the same shape; param is updated in place.
        state: the parameter's state dict; it receives "momentum_buffer" when μ ≠ 0.
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
        else:
            buf *= momentum
            buf += (1 - dampening) * grad
        grad = grad + momentum * buf if nesterov else buf
    param -= lr * grad


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and weight decay.

    Args:
        params: Tensors or parameter groups (see Optimizer).
        lr: learning rate γ. momentum: μ ≥ 0. dampening: τ, scales down new gradients in the buffer.
        weight_decay: λ, adds λθ to the gradient (an L2 penalty). nesterov: look ahead along the
            buffer (needs μ > 0 and τ = 0). maximize: climb the objective instead.
    The update rule is written out in sgd_update.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize})

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss, or None."""
        loss = self._loss_from(closure)
        for p, options in self._params_with_grad():
            state = self.state[p] if options["momentum"] != 0 else {}  # plain SGD remembers nothing
            sgd_update(p.data, p.grad.data, state, **options)
        return loss


def adam_update(param, grad, state, *, lr, betas, eps, weight_decay, amsgrad, maximize,
                decoupled_weight_decay):
    """One Adam step (AdamW's when decoupled_weight_decay) on one parameter, in place.

    With θ the parameter, g its gradient, γ = lr, (β₁, β₂) = betas, λ = weight_decay, and the
    state m = "exp_avg", v = "exp_avg_sq", v_max = "max_exp_avg_sq", t = "step":

        g ← −g                                  if maximize
        θ ← θ(1 − γλ)   if decoupled (AdamW),   else g ← g + λθ   (when λ ≠ 0)
        t ← t + 1
        m ← β₁m + (1 − β₁)g                     running mean of the gradient
        v ← β₂v + (1 − β₂)g²                    running mean of its square
        v_max ← max(v_max, v), used instead of v   if amsgrad
        θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    Args:
        param, grad: NumPy arrays of the same shape; param is updated in place.
        state: the parameter's state dict, filled with zeros (and t = 0) on the first call.
    """
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    beta1, beta2 = betas
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    scratch = np.empty_like(m)  # one temporary array, reused for every intermediate result
    np.subtract(grad, m, out=scratch)
    scratch *= 1 - beta1
    m += scratch  # m ← β₁m + (1 − β₁)g, written as m + (1 − β₁)(g − m)
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - beta2
    v *= beta2
    v += scratch  # v ← β₂v + (1 − β₂)g²
    if amsgrad:
        v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
    np.sqrt(v, out=scratch)
    scratch /= (1 - beta2 ** t) ** 0.5
    scratch += eps  # the denominator √v / √(1 − β₂ᵗ) + ε
    np.divide(m, scratch, out=scratch)
    scratch *= lr / (1 - beta1 ** t)
    param -= scratch


class Adam(Optimizer):
    """Adam: per-coordinate steps scaled by running estimates of the gradient's mean and variance.

    Args:
        params: Tensors or parameter groups (see Optimizer).
        lr: γ. betas: (β₁, β₂), the decay rates of the two running means. eps: ε, added to the
            denominator. weight_decay: λ, an L2 penalty added to the gradient (decoupled, as in
            AdamW, when decoupled_weight_decay=True). amsgrad: divide by the largest second
            moment so far. maximize: climb the objective instead.
    The update rule is written out in adam_update.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "maximize": maximize,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss, or None."""
        loss = self._loss_from(closure)
        for p, options in self._params_with_grad():
            adam_update(p.data, p.grad.data, self.state[p], **options)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ(1 − γλ) apart from the adaptive step (Loshchilov & Hutter).

    Args: as Adam, but weight_decay defaults to 1e-2 and is always decoupled.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)


def rmsprop_update(param, grad, state, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """One RMSprop step on one parameter, in place, by PyTorch's rule.

    With θ the parameter, g its gradient, γ = lr, α = alpha, λ = weight_decay, μ = momentum and
    the state v = "square_avg", ḡ = "grad_avg", b = "momentum_buffer", t = "step":

        g ← −g                      if maximize
        t ← t + 1
        g ← g + λθ                  if λ ≠ 0
        v ← αv + (1 − α)g²
        ḡ ← αḡ + (1 − α)g           if centered, and then d = √(v − ḡ²) + ε
        d = √v + ε                  otherwise
        b ← μb + g/d,  θ ← θ − γb   if μ > 0
        θ ← θ − γ g/d               otherwise

    Args:
        param, grad: NumPy arrays of the same shape; param is updated in place.
        state: the parameter's state dict, filled with zeros (and t = 0) on the first call.
    """
    if not state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    if maximize:
        grad = -grad
    state["step"] += 1
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg = state["square_avg"]
    scratch = np.empty_like(square_avg)  # one temporary array, reused for every intermediate result
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - alpha
    square_avg *= alpha
    square_avg += scratch  # v ← αv + (1 − α)g²
    if centered:
        grad_avg = state["grad_avg"]
        np.subtract(grad, grad_avg, out=scratch)
        scratch *= 1 - alpha
        grad_avg += scratch  # ḡ ← αḡ + (1 − α)g
        np.multiply(grad_avg, grad_avg, out=scratch)
        np.subtract(square_avg, scratch, out=scratch)
        np.sqrt(scratch, out=scratch)
    else:
        np.sqrt(square_avg, out=scratch)
    scratch += eps  # the denominator d
    np.divide(grad, scratch, out=scratch)  # g / d
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += scratch
        np.multiply(buf, lr, out=scratch)
    else:
        scratch *= lr
    param -= scratch


class RMSprop(Optimizer):
    """RMSprop: divide each coordinate's step by a running root-mean-square of its gradients.

    Args:
        params: Tensors or parameter groups (see Optimizer).
        lr: γ. alpha: α, the decay rate of the running mean of g². eps: ε, added to the denominator.
        weight_decay: λ (L2 penalty). momentum: μ ≥ 0. centered: divide by an estimate of the
            gradient's variance instead of its mean square. maximize: climb the objective instead.
    The update rule is written out in rmsprop_update.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                                  "momentum": momentum, "centered": centered, "maximize": maximize})

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss, or None."""
        loss = self._loss_from(closure)
        for p, options in self._params_with_grad():
            rmsprop_update(p.data, p.grad.data, self.state[p], **options)
        return loss
