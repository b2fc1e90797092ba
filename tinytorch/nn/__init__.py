"""tinytorch.nn: layers, activations and losses with PyTorch's names."""
from tinytorch.core.module import Module, Parameter
from tinytorch.nn import functional
