"""tinytorch.core.gradients: the gradient rules of module 06, one file per module whose ops they
differentiate (tensor: 01, activations: 02, losses: 04, data: 05). Importing this package registers
every rule in tinytorch.core.autograd.GRADIENTS; `import tinytorch` does so. The engine itself is
tinytorch/core/autograd.py."""
from tinytorch.core.gradients import activations, data, losses, tensor  # noqa: F401  (registers the rules)
