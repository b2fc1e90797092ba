# Generated from notebooks/masters/08_training.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.training.clip: clip_grad_norm_, which rescales all gradients so that their
total norm is at most max_norm."""
import numpy as np

from tinytorch.core.tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients of `parameters` in place so that their total norm is at most
    max_norm.

    Args:
        parameters: a Tensor or an iterable of Tensors; those whose grad is None are
            skipped.
        max_norm: the largest total norm allowed.
        norm_type: p of the p-norm (any float, inf or -inf); the total norm is the norm
            of the per-parameter norms, i.e. the norm of all gradients concatenated (for
            p > 0).
        error_if_nonfinite: raise RuntimeError if the total norm is nan or inf.
    Every grad is multiplied by min(1, max_norm / (total_norm + 1e-6)).
    Returns the total norm before clipping, a 0-d Tensor (Tensor(0.0) when no parameter
    has a grad).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad.data for p in parameters if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    norm_type = float(norm_type)
    dtype = np.result_type(*grads)
    norms = np.array([np.linalg.norm(g.ravel(), ord=norm_type) for g in grads],
                     dtype=dtype)
    total = np.asarray(np.linalg.norm(norms, ord=norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To "
                           "disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    factor = np.minimum(dtype.type(max_norm) / (total + dtype.type(1e-6)),
                        dtype.type(1.0))
    for g in grads:
        g *= factor
    return Tensor(total, dtype=dtype)
