# Generated from notebooks/masters/01_tensor.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.grad_mode: the global switch that decides whether ops record their
history."""


_GRAD_ENABLED = True


def is_grad_enabled():
    """True while new results record how they were made (module 06 uses the record)."""
    return _GRAD_ENABLED


def set_grad_enabled(mode):
    """Turn recording on (True) or off (False); returns the previous setting."""
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, bool(mode)
    return previous
