"""tinytorch.nn.utils: helpers with torch.nn.utils's names; clip_grad_norm_ is built in module 08."""
from tinytorch.training.clip import clip_grad_norm_

__all__ = ["clip_grad_norm_"]
