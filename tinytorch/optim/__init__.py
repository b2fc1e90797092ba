"""tinytorch.optim: optimizers, and learning-rate schedulers in tinytorch.optim.lr_scheduler, with PyTorch's names."""
from tinytorch.optim.optimizer import Optimizer
from tinytorch.optim.optimizers import SGD, Adam, AdamW, RMSprop
from tinytorch.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
