"""tinytorch.nn: layers, activations and losses with PyTorch's names."""
from tinytorch.core.module import Module, Parameter
from tinytorch.core.module import register_module_forward_hook, register_module_forward_pre_hook
from tinytorch.core.activations import ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, LeakyReLU, SiLU
from tinytorch.core.layers import Linear, Sequential, Flatten, Dropout, ModuleList, ModuleDict, Identity
from tinytorch.core.losses import MSELoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss
from tinytorch.core.more_losses import L1Loss, SmoothL1Loss, NLLLoss
from tinytorch.nn import functional
from tinytorch.nn import utils
from tinytorch.core.spatial import Conv2d
from tinytorch.core.pooling import MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
from tinytorch.core.batchnorm import BatchNorm2d
from tinytorch.core.attention import MultiheadAttention
from tinytorch.core.embedding import Embedding
