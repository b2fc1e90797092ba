# Generated from notebooks/masters/09_spatial.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.batchnorm: batch normalisation (F.batch_norm, its gradient rule, and
nn.BatchNorm2d with running statistics as buffers)."""
import numpy as np

from tinytorch.core.autograd import gradient
from tinytorch.core.module import Module, Parameter
from tinytorch.core.spatial import _as_tensor
from tinytorch.core.tensor import Tensor
from tinytorch.kernels import kernel


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) to mean 0 and variance 1, then scale by weight and
    shift by bias (torch.nn.functional.batch_norm).

    Shapes: input (N, C, *); running_mean, running_var, weight, bias (C,) or None.
    training: use the batch's statistics and, when running_mean / running_var are
    given, update them in place: r = (1 - momentum) * r + momentum * batch statistic,
    with the unbiased variance. Otherwise use the running statistics.
    """
    x = _as_tensor(input, "input", "batch_norm").data
    if x.ndim < 2:
        raise ValueError("batch_norm: expected an input (N, C, *) of at least 2 dims, "
                         f"got size {list(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm: {name} should have shape ({c},) for an "
                               f"input with {c} channels, got {tuple(t.shape)}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)                 # a (C,) vector along dim 1
    if training:
        count = x.size // c
        if count <= 1:
            raise ValueError("Expected more than 1 value per channel when training, "
                             f"got input size {list(x.shape)}")
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        if running_mean is not None:
            running_mean.data[...] = ((1 - momentum) * running_mean.data
                                      + momentum * mean)
        if running_var is not None:
            running_var.data[...] = ((1 - momentum) * running_var.data
                                     + momentum * var * count / (count - 1))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be given "
                               "when training=False")
        mean, var = running_mean.data, running_var.data
    invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
    x_hat = (x - mean.reshape(shape).astype(x.dtype)) * invstd.reshape(shape)
    out = x_hat
    if weight is not None:
        out = out * weight.data.reshape(shape)
    if bias is not None:
        out = out + bias.data.reshape(shape)
    inputs = [input] + [t for t in (weight, bias) if t is not None]
    saved = {"x_hat": x_hat, "invstd": invstd, "training": training, "axes": axes,
             "shape": shape, "has_weight": weight is not None,
             "has_bias": bias is not None}
    return Tensor.from_op(out.astype(x.dtype), "batch_norm", inputs, saved)


@gradient("batch_norm")
def _batch_norm_grad(grad, out, inputs, saved):
    """batch_norm: d/dbias = sum(grad), d/dweight = sum(grad * x_hat); d/dinput =
    g * invstd in eval mode, and with batch statistics (means over the batch)
    invstd * (g - mean(g) - x_hat * mean(g * x_hat)), where g = grad * weight."""
    axes, shape, x_hat = saved["axes"], saved["shape"], saved["x_hat"]
    g = grad * inputs[1].data.reshape(shape) if saved["has_weight"] else grad
    invstd = saved["invstd"].reshape(shape)
    if saved["training"]:
        d_x = invstd * (g - g.mean(axis=axes, keepdims=True)
                        - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))
    else:
        d_x = g * invstd
    grads = [d_x]
    if saved["has_weight"]:
        grads.append((grad * x_hat).sum(axis=axes))
    if saved["has_bias"]:
        grads.append(grad.sum(axis=axes))
    return grads


class BatchNorm2d(Module):
    """Normalises each channel of (N, C, H, W) inputs (torch.nn.BatchNorm2d).

    Args: num_features (C); eps; momentum (None: a cumulative average); affine: learn
        weight (ones) and, unless bias=False, bias (zeros); track_running_stats: keep
        running_mean (zeros), running_var (ones) and num_batches_tracked as buffers,
        used in eval mode.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=np.float32))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(np.zeros(num_features, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features)))
            self.register_buffer("running_var", Tensor(np.ones(num_features)))
            self.register_buffer("num_batches_tracked", Tensor(0, dtype=np.int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def forward(self, input):
        """(N, C, H, W) -> (N, C, H, W)."""
        if input.ndim != 4:
            raise ValueError(
                f"BatchNorm2d: expected 4D input (got {input.ndim}D input)")
        if input.shape[1] != self.num_features:
            raise RuntimeError(f"BatchNorm2d: expected {self.num_features} channels, "
                               f"got input of size {list(input.shape)}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # a cumulative average of every batch so far
                momentum = 1.0 / float(self.num_batches_tracked.data)
        use_batch = self.training or self.running_mean is None
        return kernel(batch_norm)(input, self.running_mean, self.running_var,
                                  self.weight, self.bias, use_batch, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")
