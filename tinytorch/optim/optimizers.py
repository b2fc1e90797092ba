# Generated from notebooks/masters/07_optimizers.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.optim.optimizers: SGD, Adam, AdamW and RMSprop with PyTorch's update
rules."""
import numpy as np

from tinytorch.kernels import kernel
from tinytorch.optim.optimizer import Optimizer


def sgd_update(param, grad, state, *, lr, momentum, dampening, weight_decay, nesterov,
               maximize):
    """One SGD step on one parameter, in place, by PyTorch's rule.

    With θ the parameter, g its gradient, γ = lr, μ = momentum, τ = dampening, λ =
    weight_decay and b = state["momentum_buffer"]:

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
    """Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and
    weight decay.

    Args:
        params: Tensors or parameter groups (see Optimizer).
        lr: learning rate γ. momentum: μ ≥ 0. dampening: τ, scales down new gradients in
            the buffer.
        weight_decay: λ, adds λθ to the gradient (an L2 penalty). nesterov: look ahead
            along the buffer (needs μ > 0 and τ = 0). maximize: climb the objective
            instead.
    The update rule is written out in sgd_update.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params,
                         {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                          "maximize": maximize})

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss, or
        None."""
        loss = self._loss_from(closure)
        for p, options in self._params_with_grad():
            # plain SGD remembers nothing
            state = self.state[p] if options["momentum"] != 0 else {}
            sgd_update(p.data, p.grad.data, state, **options)
        return loss


def adam_update(param, grad, state, *, lr, betas, eps, weight_decay, amsgrad, maximize,
                decoupled_weight_decay):
    """One Adam step (AdamW's when decoupled_weight_decay) on one parameter, in place.

    With θ the parameter, g its gradient, γ = lr, (β₁, β₂) = betas, λ = weight_decay,
    and the state m = "exp_avg", v = "exp_avg_sq", v_max = "max_exp_avg_sq", t = "step":

        g ← −g                                  if maximize
        θ ← θ(1 − γλ)   if decoupled (AdamW),   else g ← g + λθ   (when λ ≠ 0)
        t ← t + 1
        m ← β₁m + (1 − β₁)g                     running mean of the gradient
        v ← β₂v + (1 − β₂)g²                    running mean of its square
        v_max ← max(v_max, v), used instead of v   if amsgrad
        θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    Args:
        param, grad: NumPy arrays of the same shape; param is updated in place.
        state: the parameter's state dict, filled with zeros (and t = 0) on the first
            call.
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
    m *= beta1
    m += (1 - beta1) * grad  # m ← β₁m + (1 − β₁)g
    v *= beta2
    v += (1 - beta2) * grad * grad  # v ← β₂v + (1 − β₂)g²
    if amsgrad:
        v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
    param -= lr / (1 - beta1 ** t) * m / (np.sqrt(v) / (1 - beta2 ** t) ** 0.5 + eps)


class Adam(Optimizer):
    """Adam: per-coordinate steps scaled by running estimates of the gradient's mean and
    variance.

    Args:
        params: Tensors or parameter groups (see Optimizer).
        lr: γ. betas: (β₁, β₂), the decay rates of the two running means. eps: ε, added
            to the
            denominator. weight_decay: λ, an L2 penalty added to the gradient
                (decoupled, as in
            AdamW, when decoupled_weight_decay=True). amsgrad: divide by the largest
            second
            moment so far. maximize: climb the objective instead.
    The update rule is written out in adam_update; step() runs kernel(adam_update), see
    tinytorch.kernels.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
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
        super().__init__(params,
                         {"lr": lr, "betas": tuple(betas), "eps": eps,
                          "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "maximize": maximize,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss, or
        None."""
        loss = self._loss_from(closure)
        for p, options in self._params_with_grad():
            kernel(adam_update)(p.data, p.grad.data, self.state[p], **options)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ(1 − γλ) apart from the adaptive step
    (Loshchilov & Hutter).

    Args: as Adam, but weight_decay defaults to 1e-2 and is always decoupled.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)


def rmsprop_update(param, grad, state, *, lr, alpha, eps, weight_decay, momentum,
                   centered, maximize):
    """One RMSprop step on one parameter, in place, by PyTorch's rule.

    With θ the parameter, g its gradient, γ = lr, α = alpha, λ = weight_decay, μ =
    momentum and the state v = "square_avg", ḡ = "grad_avg", b = "momentum_buffer", t =
    "step":

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
        state: the parameter's state dict, filled with zeros (and t = 0) on the first
            call.
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
    square_avg *= alpha
    square_avg += (1 - alpha) * grad * grad  # v ← αv + (1 − α)g²
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg *= alpha
        grad_avg += (1 - alpha) * grad  # ḡ ← αḡ + (1 − α)g
        denom = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        denom = np.sqrt(square_avg) + eps
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += grad / denom  # b ← μb + g/d
        param -= lr * buf
    else:
        param -= lr * grad / denom


class RMSprop(Optimizer):
    """RMSprop: divide each coordinate's step by a running root-mean-square of its
    gradients.

    Args:
        params: Tensors or parameter groups (see Optimizer).
        lr: γ. alpha: α, the decay rate of the running mean of g². eps: ε, added to the
            denominator.
        weight_decay: λ (L2 penalty). momentum: μ ≥ 0. centered: divide by an estimate
            of the gradient's variance instead of its mean square. maximize: climb the
            objective instead.
    The update rule is written out in rmsprop_update; step() runs
    kernel(rmsprop_update).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
                 momentum=0, centered=False, *, maximize=False):
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
        super().__init__(params,
                         {"lr": lr, "alpha": alpha, "eps": eps,
                          "weight_decay": weight_decay,
                                  "momentum": momentum, "centered": centered,
                          "maximize": maximize})

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss, or
        None."""
        loss = self._loss_from(closure)
        for p, options in self._params_with_grad():
            kernel(rmsprop_update)(p.data, p.grad.data, self.state[p], **options)
        return loss
