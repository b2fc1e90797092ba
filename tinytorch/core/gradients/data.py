# Generated from notebooks/masters/06_autograd.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.gradients.data: the gradient rule of module 05's stack (how a
DataLoader batches)."""
import numpy as np

from tinytorch.core.autograd import gradient


@gradient("stack")
def _stack_grad(grad, out, inputs, saved):
    """stack along `dim` (tinytorch.stack, DataLoader's default_collate): tensor i
    receives slice i."""
    dim = saved["dim"]
    if len(inputs) != grad.shape[dim]:
        raise RuntimeError("stack: a gradient flows back only when every stacked "
                           "sample is a Tensor")
    return tuple(np.take(grad, i, axis=dim) for i in range(len(inputs)))
