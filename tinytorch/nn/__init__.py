"""tinytorch.nn: layers, activations and losses with PyTorch's names."""
from tinytorch.core.module import Module, Parameter
from tinytorch.core.activations import ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax
from tinytorch.core.layers import Linear, Sequential, Flatten, Dropout
from tinytorch.core.losses import MSELoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss
from tinytorch.nn import functional
from tinytorch.nn import utils
