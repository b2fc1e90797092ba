# Generated from notebooks/masters/03_layers.ipynb by tinytorch.export: edit the notebook, not this file.
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from tinytorch.core.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as learnable; requires_grad=True by default.

    Shape: that of `data` (stored as float32); `Parameter()` is empty, shape (0,).
    """

    def __init__(self, data=None, requires_grad=True):
        super().__init__(np.empty(0, dtype=np.float32) if data is None else data,
                         requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _is_module(obj):
    """True for a Module instance, recognised by the two registries every Module.__init__ creates,
    so that a Module built from another copy of the class (tinytorch's, while a notebook defines
    its own) counts as one too."""
    return isinstance(obj, Module) or (hasattr(obj, "_parameters") and hasattr(obj, "_modules"))


class Module:
    """Base class of every layer and model: registers Parameters and sub-Modules, calls forward().

    Subclasses call super().__init__() first, assign their parameters and children as attributes,
    and define forward(). Calling the module, module(x), runs forward(x).
    """

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    # --- registration --------------------------------------------------------------------------
    def __setattr__(self, name, value):
        """`self.name = value`: a Parameter or a Module is registered, anything else is stored plainly."""
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        if isinstance(value, Parameter) or (params is not None and name in params):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self.__dict__.pop(name, None)
            modules.pop(name, None)
            self.register_parameter(name, value)
            return
        if _is_module(value) or (modules is not None and name in modules):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            if value is not None and not _is_module(value):
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                f"(Module or None expected)")
            self.__dict__.pop(name, None)
            params.pop(name, None)
            modules[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        """Called only when normal lookup fails: look in the registries."""
        for registry in ("_parameters", "_modules"):
            entries = self.__dict__.get(registry, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def _check_name(self, kind, name, registry):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name:
            raise KeyError(f"{kind} name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError(f"{kind} name can't be empty string \"\"")
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Register `param` under `name`; None marks an absent parameter (e.g. bias=False)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            f"(Parameter or None required)")
        self._parameters[name] = param

    def add_module(self, name, module):
        """Register `module` (or None) as the child called `name`."""
        if module is not None and not _is_module(module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        self._check_name("module", name, self._modules)
        self._modules[name] = module

    # --- computing -----------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- walking the tree ----------------------------------------------------------------------
    def named_children(self):
        """(name, child) for each direct child that is not None, each child once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """("", self), then every descendant with its dotted path, parents before children."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = prefix + "." + name if prefix else name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) for this module's parameters and, with recurse, its descendants'."""
        if recurse:
            tree = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            tree = [(prefix, self)]
        seen = set()
        for module_prefix, module in tree:
            for name, param in module._parameters.items():
                if param is None or (remove_duplicate and id(param) in seen):
                    continue
                seen.add(id(param))
                yield (module_prefix + "." + name if module_prefix else name), param

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def apply(self, fn):
        """Call fn on every child (recursively), then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- modes and gradients -------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) here and in every descendant."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (set them to None, or to zeros in place)."""
        for param in self.parameters():
            if param.grad is not None:
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.data[...] = 0

    # --- saving and loading --------------------------------------------------------------------
    def state_dict(self):
        """OrderedDict {dotted name: NumPy copy of the values}; shared parameters under every name."""
        return OrderedDict((name, param.data.copy())
                           for name, param in self.named_parameters(remove_duplicate=False))

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into the parameters, in place. Shapes must match; with strict=True the keys
        too. On any problem raise RuntimeError listing them all and change nothing.
        Returns IncompatibleKeys(missing_keys, unexpected_keys)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = OrderedDict(self.named_parameters(remove_duplicate=False))
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        values = {key: np.asarray(value) for key, value in state_dict.items() if key in own}
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
        errors += [f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, "
                   f"the shape in current model is {own[key].shape}."
                   for key, value in values.items() if value.shape != own[key].shape]
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for key, value in values.items():
            own[key].data[...] = value
        return IncompatibleKeys(missing, unexpected)

    # --- printing ------------------------------------------------------------------------------
    def extra_repr(self):
        """The module's settings, shown inside its repr; subclasses override it."""
        return ""

    def __repr__(self):
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): " + repr(module).replace("\n", "\n  ")
                    for name, module in self._modules.items()]
        if len(extra) == 1 and not children:
            return f"{type(self).__name__}({extra[0]})"
        if not extra and not children:
            return f"{type(self).__name__}()"
        return f"{type(self).__name__}(\n  " + "\n  ".join(extra + children) + "\n)"
