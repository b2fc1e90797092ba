# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
import functools
import math

import numpy as np

from tinytorch.core.activations import _erfc
from tinytorch.core.tensor import Tensor, set_grad_enabled

GRADIENTS = {}  # op name -> rule(grad, out, inputs, saved) returning one gradient per input


def gradient(op):
    """Decorator that registers a gradient rule for the op named `op` in GRADIENTS.

    The rule is called as rule(grad, out, inputs, saved), where grad is dL/d(out) (a NumPy array
    of out's shape) and inputs, saved are what the op gave Tensor.from_op. It returns one NumPy
    array (or None) per input, of the input's shape or of a shape the input broadcast to: a new
    array or a view of grad (a leaf may keep it as its .grad), never an input's data or a saved value.
    """
    def register(rule):
        GRADIENTS[op] = rule
        return rule
    return register


def _data(x):
    """The NumPy values of a Tensor; a plain number or array unchanged."""
    return x.data if isinstance(x, Tensor) else x


def _memory(array):
    """The array that owns `array`'s memory: itself, or the base of a view (NumPy keeps a view's
    base pointing at the owner, never at another view)."""
    return array if array.base is None else array.base


@gradient("add")
def _add_grad(grad, out, inputs, saved):
    """a + b: both operands receive grad unchanged."""
    return (grad,) * len(inputs)


@gradient("mul")
def _mul_grad(grad, out, inputs, saved):
    """a * b: d/da = b, d/db = a."""
    a, b = saved["a"], saved["b"]
    if not isinstance(b, Tensor):  # a Tensor times a number
        return (grad * b,)
    if not isinstance(a, Tensor):  # a number times a Tensor
        return (grad * a,)
    return grad * b.data, grad * a.data


def topological_order(tensor):
    """Every tensor that `tensor` was computed from and that requires grad, `tensor` included,
    each listed before all the tensors it was computed from (so `tensor` comes first).
    Iterative depth-first search: graphs of any depth work."""
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
                    if t.requires_grad and t not in visited:
                        stack.append((t, False))
    order.reverse()
    return order


def backward(tensor, gradient=None):
    """Add d(tensor)/d(leaf), times `gradient`, to leaf.grad for every leaf that requires grad.

    gradient: dL/d(tensor), with tensor's shape (a Tensor, array or number); it may be left out
    only for a one-element tensor, where it is 1. Leaves' .grad are float Tensors of the
    leaf's dtype; gradients accumulate across calls.
    """
    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn "
                           "(create the leaves with requires_grad=True, outside no_grad())")
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs, not for a tensor "
                               f"of shape {tensor.shape}: pass backward(gradient) with that shape")
        gradient, given = np.ones_like(tensor.data), False
    else:
        gradient, given = np.asarray(_data(gradient), dtype=tensor.data.dtype), True
        if gradient.shape != tensor.data.shape:
            raise RuntimeError(f"Mismatch in shape: gradient has a shape of {gradient.shape} and the "
                               f"tensor has a shape of {tensor.shape}")
    grads = {tensor: gradient}
    kept = {id(_memory(gradient))} if given else set()  # memory that a leaf's .grad may not take over
    for node in topological_order(tensor):
        grad = grads.pop(node, None)
        if grad is None:  # no path from the root gave it a gradient
            continue
        ctx = node._ctx
        if ctx is None:  # a leaf
            if node.grad is not None:
                node.grad.data += grad
            elif grad.flags.writeable and id(_memory(grad)) not in kept:  # the leaf takes it over
                kept.add(id(_memory(grad)))
                node.grad = Tensor.from_op(grad, "grad", ())
            else:  # read-only, the caller's, or already another leaf's: a copy
                node.grad = Tensor(grad, dtype=node.data.dtype)
            continue
        op, inputs, saved = ctx
        try:
            rule = GRADIENTS[op]
        except KeyError:
            raise RuntimeError(f"no gradient rule for op '{op}' (registered with @gradient)") from None
        for t, g in zip(inputs, rule(grad, node, inputs, saved)):
            if g is None or not t.requires_grad:
                continue
            data = t.data
            if g.shape != data.shape:
                g = unbroadcast(g, data.shape)
            if g.dtype is not data.dtype:  # NumPy's dtypes are shared objects: `is` is the quick test
                g = g.astype(data.dtype, copy=False)
            if t in grads:
                grads[t] = grads[t] + g  # t feeds more than one op: the chain rule sums the paths
            else:
                grads[t] = g


class _GradMode:
    """Context manager and decorator: sets grad mode to the subclass's `enabled`, restores it after."""

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
    """Sum `grad` down to `shape`, undoing broadcasting: the leading dims that broadcasting added
    and the dims where `shape` has size 1. E.g. (N, D) -> (D,), (N, D) -> (N, 1), (2, 3) -> ()."""
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape)
                                       if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=axes).reshape(shape) if axes else grad.reshape(shape)


@gradient("sub")
def _sub_grad(grad, out, inputs, saved):
    """a - b: d/da = 1, d/db = -1."""
    grads = []
    if isinstance(saved["a"], Tensor):
        grads.append(grad)
    if isinstance(saved["b"], Tensor):
        grads.append(-grad)
    return grads


@gradient("div")
def _div_grad(grad, out, inputs, saved):
    """a / b: d/da = 1/b, d/db = -a/b**2 = -out/b."""
    a, b = saved["a"], saved["b"]
    grads = []
    if isinstance(a, Tensor):
        grads.append(grad / _data(b))
    if isinstance(b, Tensor):
        grads.append(-grad * out.data / _data(b))
    return grads


@gradient("pow")
def _pow_grad(grad, out, inputs, saved):
    """a ** b: d/da = b * a**(b-1) (0 where b == 0), d/db = out * log(a) (0 where a == 0, b >= 0)."""
    a, b = saved["a"], saved["b"]
    x, y = _data(a), _data(b)
    grads = []
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(a, Tensor):
            grads.append(grad * np.where(y == 0, 0, y * x ** (y - 1)))
        if isinstance(b, Tensor):
            grads.append(grad * np.where((x == 0) & (y >= 0), 0, out.data * np.log(x)))
    return grads


@gradient("neg")
def _neg_grad(grad, out, inputs, saved):
    """-a: d/da = -1."""
    return (-grad,)


@gradient("exp")
def _exp_grad(grad, out, inputs, saved):
    """exp(a): d/da = exp(a) = out."""
    return (grad * out.data,)


@gradient("log")
def _log_grad(grad, out, inputs, saved):
    """log(a): d/da = 1/a."""
    return (grad / inputs[0].data,)


@gradient("abs")
def _abs_grad(grad, out, inputs, saved):
    """|a|: d/da = sign(a), 0 at 0."""
    return (grad * np.sign(inputs[0].data),)


@gradient("matmul")
def _matmul_grad(grad, out, inputs, saved):
    """a @ b: d/da = grad @ b^T, d/db = a^T @ grad, for 1-D operands and broadcast batch dims too."""
    a, b = saved["a"], saved["b"]
    x, y = np.asarray(_data(a)), np.asarray(_data(b))
    x_vector, y_vector = x.ndim == 1, y.ndim == 1
    if y_vector:
        grad, y = grad[..., None], y[:, None]
    if x_vector:
        grad, x = grad[..., None, :], x[None, :]
    grads = []
    if isinstance(a, Tensor):
        grad_a = None
        if a.requires_grad:
            grad_a = grad @ np.swapaxes(y, -1, -2)
            if x_vector:
                grad_a = grad_a[..., 0, :]
        grads.append(grad_a)
    if isinstance(b, Tensor):
        grad_b = None
        if b.requires_grad:
            if y.ndim == 2 and (x.ndim > 2 or not y.flags.c_contiguous):
                # One matrix for the whole batch: fold the batch into one product. When b is a
                # transposed view (a weight used as x @ W.T), build its gradient in that same layout,
                # so the weight's own gradient comes out row-major like the weight (a fast update).
                x2 = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
                g2 = grad.reshape(math.prod(grad.shape[:-1]), grad.shape[-1])
                grad_b = (g2.T @ x2).T if y.flags.f_contiguous else x2.T @ g2
            else:
                grad_b = np.swapaxes(x, -1, -2) @ grad
            if y_vector:
                grad_b = grad_b[..., 0]
        grads.append(grad_b)
    return grads


def _expand(grad, saved, shape):
    """The gradient of a reduction over saved['axis'] (keepdims saved['keepdims']), broadcast
    back to the input's `shape` (a read-only view)."""
    axis = saved["axis"]
    if axis is not None and not saved["keepdims"]:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


@gradient("sum")
def _sum_grad(grad, out, inputs, saved):
    """sum: every input element receives the gradient of the output element it went into."""
    return (_expand(grad, saved, inputs[0].data.shape),)


@gradient("mean")
def _mean_grad(grad, out, inputs, saved):
    """mean: like sum, divided by the number of elements averaged into each output."""
    shape, axis = inputs[0].data.shape, saved["axis"]
    count = math.prod(shape) if axis is None else math.prod(shape[d] for d in axis)
    return (_expand(grad, saved, shape) / count,)


@gradient("max")
@gradient("min")
def _extremum_grad(grad, out, inputs, saved):
    """max/min: the gradient goes to the winning elements, split evenly among ties (torch.amax)."""
    x = inputs[0].data
    winners = x == _expand(out.data, saved, x.shape)
    count = winners.sum(axis=saved["axis"], keepdims=True)
    return (_expand(grad, saved, x.shape) * winners / count,)


@gradient("reshape")
def _reshape_grad(grad, out, inputs, saved):
    """reshape: the same elements in the same order, so reshape the gradient back."""
    return (grad.reshape(inputs[0].data.shape),)


@gradient("transpose")
def _transpose_grad(grad, out, inputs, saved):
    """transpose(dim0, dim1) is its own inverse."""
    return (np.swapaxes(grad, saved["dim0"], saved["dim1"]) if grad.ndim else grad,)


@gradient("permute")
def _permute_grad(grad, out, inputs, saved):
    """permute(dims) is undone by the inverse permutation: inverse[dims[i]] = i."""
    inverse = [0] * len(saved["dims"])
    for position, d in enumerate(saved["dims"]):
        inverse[d] = position
    return (np.transpose(grad, inverse),)


def _is_basic_index(index):
    """True for ints, slices, None and Ellipsis only: each element is picked at most once."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, slice)
               or (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))
               for i in items)


@gradient("getitem")
def _getitem_grad(grad, out, inputs, saved):
    """a[index]: gradients go back to the picked positions; repeated picks add up."""
    full = np.zeros(inputs[0].data.shape, dtype=grad.dtype)
    if _is_basic_index(saved["index"]):
        full[saved["index"]] = grad
    else:
        np.add.at(full, saved["index"], grad)
    return (full,)


@gradient("linear")
def _linear_grad(grad, out, inputs, saved):
    """linear (module 03): out = x W^T + b, so d/dx = grad W, d/dW = grad^T x and d/db = grad,
    each summed over the leading (batch) dimensions."""
    x, w = inputs[0].data, inputs[1].data
    g2 = grad.reshape(math.prod(grad.shape[:-1]), grad.shape[-1])  # (rows, out_features)
    grads = [(g2 @ w).reshape(x.shape) if inputs[0].requires_grad else None,
             g2.T @ x.reshape(len(g2), x.shape[-1]) if inputs[1].requires_grad else None]
    if len(inputs) == 3:
        grads.append(g2.sum(axis=0) if inputs[2].requires_grad else None)
    return grads


@gradient("stack")
def _stack_grad(grad, out, inputs, saved):
    """stack (DataLoader's default_collate) along `dim`: sample i receives slice i of the gradient."""
    dim = saved["dim"]
    if len(inputs) != grad.shape[dim]:
        raise RuntimeError("stack: a gradient flows back only when every stacked sample is a Tensor")
    return tuple(np.take(grad, i, axis=dim) for i in range(len(inputs)))


@gradient("relu")
def _relu_grad(grad, out, inputs, saved):
    """relu: 1 where the output is positive, else 0."""
    return (grad * (saved["out"] > 0),)


@gradient("sigmoid")
def _sigmoid_grad(grad, out, inputs, saved):
    """sigmoid: s * (1 - s) with s the saved output."""
    s = saved["out"]
    return (grad * s * (1 - s),)


@gradient("tanh")
def _tanh_grad(grad, out, inputs, saved):
    """tanh: 1 - t**2 with t the saved output."""
    t = saved["out"]
    return (grad * (1 - t * t),)


@gradient("erf")
def _erf_grad(grad, out, inputs, saved):
    """erf: 2 / sqrt(pi) * exp(-x**2)."""
    x = inputs[0].data
    return (grad * (2 / math.sqrt(math.pi)) * np.exp(-x * x),)


@gradient("gelu")
def _gelu_grad(grad, out, inputs, saved):
    """gelu: Phi(x) + x * phi(x), or the derivative of the tanh approximation."""
    x = inputs[0].data
    if saved["approximate"] == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x * x * x))
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    else:
        z = x.astype(np.float64)
        slope = 0.5 * _erfc(-z / math.sqrt(2)) + z * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return (grad * slope,)


@gradient("softmax")
def _softmax_grad(grad, out, inputs, saved):
    """softmax: s * (grad - sum(grad * s, dim)) with s the saved output."""
    s, g = np.atleast_1d(saved["out"]), np.atleast_1d(grad)
    return ((s * (g - (g * s).sum(axis=saved["dim"], keepdims=True))).reshape(grad.shape),)


@gradient("log_softmax")
def _log_softmax_grad(grad, out, inputs, saved):
    """log_softmax: grad - exp(out) * sum(grad, dim)."""
    log_s, g = np.atleast_1d(saved["out"]), np.atleast_1d(grad)
    return ((g - np.exp(log_s) * g.sum(axis=saved["dim"], keepdims=True)).reshape(grad.shape),)


def _per_element(grad, reduction, count):
    """dL/d(loss_i) for the reduction: grad itself for 'none' and 'sum', grad / count for 'mean'."""
    return grad / count if reduction == "mean" else grad


@gradient("mse_loss")
def _mse_loss_grad(grad, out, inputs, saved):
    """mse_loss: 2 * w * (x - y), per element."""
    x, y, w = inputs[0].data, saved["target"], saved["weight"]
    slope = 2 * (x - y)
    if w is not None:
        slope = slope * w
    count = slope.size if w is None else w.sum()
    return (_per_element(grad, saved["reduction"], count) * slope,)


@gradient("binary_cross_entropy")
def _binary_cross_entropy_grad(grad, out, inputs, saved):
    """binary_cross_entropy: w * (x - y) / max(x * (1 - x), 1e-12), per element."""
    x, y, w = inputs[0].data, saved["target"], saved["weight"]
    slope = (x - y) / np.maximum((1 - x) * x, 1e-12)
    if w is not None:
        slope = slope * w
    return (_per_element(grad, saved["reduction"], x.size) * slope,)


@gradient("binary_cross_entropy_with_logits")
def _binary_cross_entropy_with_logits_grad(grad, out, inputs, saved):
    """binary_cross_entropy_with_logits: w * ((1 - y) - (1 + (pos_weight - 1) * y) * sigmoid(-x))."""
    x, y, w, pos_weight = inputs[0].data, saved["target"], saved["weight"], saved["pos_weight"]
    e = np.exp(-np.abs(x))
    sigmoid_neg = np.where(x >= 0, e, 1) / (1 + e)  # sigmoid(-x), without overflow
    if pos_weight is None:
        slope = (1 - y) - sigmoid_neg
    else:
        slope = (1 - y) - (1 + (pos_weight - 1) * y) * sigmoid_neg
    if w is not None:
        slope = slope * w
    return (_per_element(grad, saved["reduction"], x.size) * slope,)


@gradient("cross_entropy")
def _cross_entropy_grad(grad, out, inputs, saved):
    """cross_entropy: per sample, softmax * q.sum() - q, with q the target's class coefficients;
    scaled by the reduction. Logits (C,), (N, C) or (N, C, d1, ...)."""
    log_probs, target, weight = saved["log_probs"], saved["target"], saved["weight"]
    smoothing, reduction = saved["label_smoothing"], saved["reduction"]
    axis = 0 if log_probs.ndim == 1 else 1
    n_classes = log_probs.shape[axis]
    class_shape = (-1,) + (1,) * (log_probs.ndim - axis - 1)  # a (C,) vector along the class axis
    if target.shape == log_probs.shape:  # class probabilities
        q = target * (1 - smoothing) + smoothing / n_classes
        if weight is not None:
            q = q * weight.reshape(class_shape)
        count = math.prod(target.shape[:axis] + target.shape[axis + 1:])
    else:  # class indices, some possibly equal to ignore_index
        keep = target != saved["ignore_index"]
        if log_probs.ndim == 2 and weight is None and not smoothing and keep.all():
            # The usual case: q is one-hot and sums to 1, so the gradient is softmax - one_hot,
            # made without building q.
            d = np.exp(log_probs)
            d[np.arange(len(target)), target] -= 1
            scale = grad[:, None] if reduction == "none" else grad / len(target) if reduction == "mean" else grad
            return (d * scale,)
        q = (np.arange(n_classes).reshape(class_shape) == np.expand_dims(target, axis)).astype(log_probs.dtype)
        if smoothing:
            q = q * (1 - smoothing) + smoothing / n_classes
        if weight is not None:
            q = q * weight.reshape(class_shape)
        q = q * np.expand_dims(keep, axis)
        used = keep if weight is None else np.where(keep, weight[np.where(keep, target, 0)], 0)
        count = float(used.sum())  # a Python number, so float32 gradients stay float32
    if reduction == "none":
        grad = np.expand_dims(grad, axis)
    elif reduction == "mean":
        grad = grad / count
    return (grad * (np.exp(log_probs) * q.sum(axis=axis, keepdims=True) - q),)
