# Generated from notebooks/masters/03_layers.ipynb by tinytorch.export: edit the notebook, not this file.
import math
import operator
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from tinytorch.core.creation import default_generator

from tinytorch.core.tensor import Tensor
from tinytorch.core.module import Module, Parameter
from tinytorch.kernels import kernel


def linear(input, weight, bias=None):
    """input @ weight.T + bias, or without the bias when it is None
    (torch.nn.functional.linear).

    Shapes: input (*, in_features), weight (out_features, in_features), bias
        (out_features,)
    -> (*, out_features).
    """
    output = input @ weight.T
    if bias is not None:
        output = output + bias
    return output


class Linear(Module):
    """y = x @ weight.T + bias.

    Args: in_features, out_features (ints); bias: learn an additive bias (default True).
    Shape: input (*, in_features) -> output (*, out_features).
    Attributes: weight (out_features, in_features); bias (out_features,) or None.
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=np.float32))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias in place from U(-1/sqrt(in_features),
        1/sqrt(in_features))."""
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        generator = default_generator()
        self.weight.data[...] = generator.uniform(-bound, bound, self.weight.shape)
        if self.bias is not None:
            self.bias.data[...] = generator.uniform(-bound, bound, self.bias.shape)

    def forward(self, input):
        """(*, in_features) -> (*, out_features)."""
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ValueError(f"Linear: input of shape {tuple(input.shape)} does not "
                             f"end in in_features={self.in_features} (weight has shape "
                             f"{self.weight.shape})")
        # kernel(linear) is a registered faster equal version of the package's linear
        # (tinytorch.accel,
        # module 17), or linear itself: the linear written in this notebook always runs
        # as written.
        return kernel(linear)(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Sequential(Module):
    """Runs its modules one after another: Sequential(m0, m1)(x) == m1(m0(x)).

    Sequential(*modules) names the children "0", "1", ...; Sequential(OrderedDict) keeps
    the keys.
    Shape: whatever the chain does.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self:
            input = module(input)
        return input

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"Sequential: index {idx} is out of range for {len(self)} "
                             "modules")
        return list(self._modules.values())[idx]

    def append(self, module):
        """Add `module` at the end, named by its position; returns self."""
        self.add_module(str(len(self)), module)
        return self


def _container_index(idx, length, kind):
    """A valid non-negative position for idx in a container of `length` modules
    (IndexError otherwise)."""
    idx = operator.index(idx)
    if not -length <= idx < length:
        raise IndexError(f"{kind}: index {idx} is out of range for {length} modules")
    return idx % length


class ModuleList(Module):
    """A list of modules registered as children "0", "1", ...; indexing, len, iteration,
    append, extend, insert, pop, +=, + and slicing (a new ModuleList) work as on a list.
    No forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_container_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx, module):
        self.add_module(str(_container_index(idx, len(self), "ModuleList")), module)

    def _renumber(self, modules):
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __delitem__(self, idx):
        modules = list(self._modules.values())
        if isinstance(idx, slice):
            del modules[idx]
        else:
            del modules[_container_index(idx, len(self), "ModuleList")]
        self._renumber(modules)

    def pop(self, idx):
        module = self[idx]
        del self[idx]
        return module

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def __repr__(self):
        """Like Module's, but a run of equal children prints once, as "(0-2): 3 x
        Linear(...)"."""
        runs = []  # [first index, last index, repr]
        for index, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = index
            else:
                runs.append([index, index, text])
        if not runs:
            return "ModuleList()"
        lines = [(f"({first}): " if first == last else f"({first}-{last}): "
                                                       f"{last - first + 1} x ")
                 + text.replace("\n", "\n  ") for first, last, text in runs]
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """An ordered dict of modules registered as children under their keys; [key], in,
    len, iteration over keys, keys/values/items, update, pop and clear work as on a
    dict. No forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def clear(self):
        self._modules.clear()

    def update(self, modules):
        """Add (key, module) pairs from a mapping, in its order, or from an iterable of
        pairs."""
        pairs = modules.items() if isinstance(modules,
                                              (Mapping, ModuleDict)) else modules
        for index, pair in enumerate(pairs):
            if len(pair) != 2:
                raise ValueError(f"ModuleDict update sequence element #{index} has "
                                 f"length {len(pair)}; 2 is required")
            self[pair[0]] = pair[1]


class Identity(Module):
    """Returns its input unchanged (any arguments to the constructor are ignored).

    Shape: any -> the same.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Merges dims start_dim..end_dim (inclusive) into one.

    Shape: (N, *dims) -> (N, prod(dims)) with the defaults start_dim=1, end_dim=-1.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        shape = tuple(input.shape) or (1,)
        ndim = len(shape)
        for dim in (self.start_dim, self.end_dim):
            if not -ndim <= dim < ndim:
                raise IndexError(f"Flatten: dimension {dim} is out of range for an "
                                 f"input of shape {tuple(input.shape)} (expected a dim "
                                 f"in [{-ndim}, {ndim - 1}])")
        start, end = self.start_dim % ndim, self.end_dim % ndim
        if start > end:
            raise RuntimeError(f"Flatten: start_dim={self.start_dim} comes after "
                               f"end_dim={self.end_dim} for an input of shape "
                               f"{tuple(input.shape)}")
        merged = math.prod(shape[start:end + 1])
        return input.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Training: zero each element with probability p, scale the rest by 1/(1-p). Eval:
    identity.

    Args: p (probability of dropping, in [0, 1]); inplace: modify the input's data.
    Shape: any -> the same.
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError("dropout probability has to be between 0 and 1, but got "
                             f"{p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        if not self.training:
            return input
        keep = default_generator().random(input.shape) >= self.p
        scale = 0.0 if self.p == 1 else 1.0 / (1.0 - self.p)
        mask = keep.astype(np.float32) * np.float32(scale)
        if self.inplace:
            if input.requires_grad:
                raise RuntimeError("Dropout(inplace=True) cannot change a tensor that "
                                   "requires grad; use inplace=False")
            input.data *= mask
            return input
        return input * Tensor(mask)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
