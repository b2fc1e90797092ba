# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.autograd: the backward engine. The gradient rules live in
tinytorch/core/gradients/."""
import functools

import numpy as np

from tinytorch.core.dtypes import _data
from tinytorch.core.grad_mode import set_grad_enabled
from tinytorch.core.tensor import Tensor

# op name -> rule(grad, out, inputs, saved) returning one gradient per input
GRADIENTS = {}


def gradient(op):
    """Decorator that registers a gradient rule for the op named `op` in GRADIENTS.

    The rule is called as rule(grad, out, inputs, saved), where grad is dL/d(out) (a
    NumPy array of out's shape) and inputs, saved are what the op gave Tensor.from_op.
    It returns one NumPy array (or None) per input, of the input's shape or of a shape
    the input broadcast to, and never modifies grad in place (the same array may be
    handed to several rules).
    """
    def register(rule):
        GRADIENTS[op] = rule
        return rule
    return register


def topological_order(tensor, constants=False):
    """Every tensor that `tensor` was computed from and that requires grad (every one,
    when
    `constants`), `tensor` included, each listed before all the tensors it was computed
    from (so `tensor` comes first). Iterative depth-first search: graphs of any depth
    work."""
    order, visited, stack = [], set(), [(tensor, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            if node._ctx is not None:
                for t in node._ctx[1]:
                    if (t.requires_grad or constants) and t not in visited:
                        stack.append((t, False))
    order.reverse()
    return order


def _check_versions(node):
    """Raise RuntimeError, in PyTorch's words, if `node` (a tensor an op made) or one of
    the op's inputs was changed in place (t += x ...) after the op recorded it: its rule
    would compute a wrong gradient from the new values."""
    op, inputs = node._ctx[0], node._ctx[1]
    for t, expected in zip((node,) + tuple(inputs), node._versions):
        if t._version != expected:
            role = "the output" if t is node else "an input"
            raise RuntimeError(
                "one of the variables needed for gradient computation has been "
                f"modified by an inplace operation: [{t.data.dtype} tensor of shape "
                f"{t.data.shape}], {role} of '{op}', is at version {t._version}; "
                f"expected version {expected} instead. Hint: change it out of place (t "
                "= t + x), or after backward()")


def backward(tensor, gradient=None):
    """Add d(tensor)/d(leaf), times `gradient`, to leaf.grad for every leaf that
    requires grad.

    gradient: dL/d(tensor), with tensor's shape (a Tensor, array or number); it may be
        left out
    only for a one-element tensor, where it is 1. Leaves' .grad are float Tensors of the
    leaf's dtype; gradients accumulate across calls.
    """
    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not "
                           "have a grad_fn (create the leaves with requires_grad=True, "
                           "outside no_grad())")
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar "
                               f"outputs, not for a tensor of shape {tensor.shape}: "
                               "pass backward(gradient) with that shape")
        gradient = np.ones_like(tensor.data)
    else:
        gradient = np.asarray(_data(gradient), dtype=tensor.data.dtype)
        if gradient.shape != tensor.data.shape:
            raise RuntimeError("Mismatch in shape: gradient has a shape of "
                               f"{gradient.shape} and the tensor has a shape of "
                               f"{tensor.shape}")
    grads = {tensor: gradient}
    for node in topological_order(tensor):
        grad = grads.pop(node, None)
        if grad is None:  # no path from the root gave it a gradient
            continue
        if node._ctx is None:  # a leaf
            if node.grad is None:
                # a copy: grad may be shared
                node.grad = Tensor(grad, dtype=node.data.dtype)
            else:
                node.grad.data += grad
            continue
        op, inputs, saved = node._ctx
        _check_versions(node)
        if op not in GRADIENTS:
            raise RuntimeError(f"no gradient rule for op '{op}' (registered with "
                               "@gradient)")
        for t, g in zip(inputs, GRADIENTS[op](grad, node, inputs, saved)):
            if g is None or not t.requires_grad:
                continue
            if g.shape != t.data.shape:
                g = unbroadcast(g, t.data.shape)
            if g.dtype != t.data.dtype:
                g = g.astype(t.data.dtype)
            if t in grads:
                # t feeds more than one op: the chain rule sums the paths
                grads[t] = grads[t] + g
            else:
                grads[t] = g


class _GradMode:
    """Context manager and decorator: sets grad mode to the subclass's `enabled`,
    restores it after."""

    def __new__(cls, func=None):
        if func is None:                   # no_grad(): a context manager or a decorator
            return super().__new__(cls)
        return cls()(func)                 # @no_grad without parentheses

    def __enter__(self):
        self._previous = set_grad_enabled(self.enabled)
        return self

    def __exit__(self, *exc_info):
        set_grad_enabled(self._previous)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """`with no_grad():` (or `@no_grad()`) runs a block without recording operations."""

    enabled = False


class enable_grad(_GradMode):
    """`with enable_grad():` records operations again, e.g. inside a no_grad block."""

    enabled = True


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`, undoing broadcasting: the leading dims that
    broadcasting added and the dims where `shape` has size 1. E.g. (N, D) -> (D,), (N,
    D) -> (N, 1), (2, 3) -> ()."""
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape)
                                       if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=axes).reshape(shape) if axes else grad.reshape(shape)
