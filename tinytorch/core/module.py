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


class RemovableHandle:
    """What register_forward_hook / register_forward_pre_hook return: remove() takes the
    hook out again; `with handle:` removes it at the end of the block."""

    next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


# PyTorch's global module hooks: run on every module's call, before the module's own
_global_forward_pre_hooks, _global_forward_hooks = OrderedDict(), OrderedDict()


def register_module_forward_pre_hook(hook):
    """hook(module, args) before every module's forward, as register_forward_pre_hook
    on each; returns a RemovableHandle."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook):
    """hook(module, args, output) after every module's forward, as register_forward_hook
    on each; returns a RemovableHandle."""
    handle = RemovableHandle(_global_forward_hooks)
    _global_forward_hooks[handle.id] = hook
    return handle


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _is_module(obj):
    """True for a Module instance, recognised by the two registries every
    Module.__init__ creates, so that a Module built from another copy of the class
    (tinytorch's, while a notebook defines its own) counts as one too."""
    return (isinstance(obj, Module)
            or (hasattr(obj, "_parameters") and hasattr(obj, "_modules")))


class Module:
    """Base class of every layer and model: registers Parameters and sub-Modules, calls
    forward().

    Subclasses call super().__init__() first, assign their parameters and children as
    attributes, and define forward(). Calling the module, module(x), runs forward(x).
    """

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_hooks_with_kwargs", set())

    # --- registration -----------------------------------------------------------------
    def __setattr__(self, name, value):
        """`self.name = value`: a Parameter or a Module is registered, a Tensor assigned
        to a buffer's name replaces the buffer, anything else is stored plainly."""
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Parameter) or (params is not None and name in params):
            if params is None:
                raise AttributeError("cannot assign parameters before "
                                     "Module.__init__() call")
            self.__dict__.pop(name, None)
            modules.pop(name, None)
            buffers.pop(name, None)
            self.register_parameter(name, value)
            return
        if _is_module(value) or (modules is not None and name in modules):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() "
                                     "call")
            if value is not None and not _is_module(value):
                raise TypeError(f"cannot assign '{type(value).__name__}' as child "
                                f"module '{name}' (Module or None expected)")
            self.__dict__.pop(name, None)
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer "
                                f"'{name}' (Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        """Called only when normal lookup fails: look in the registries."""
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry, {})
            if name in entries:
                return entries[name]
        raise AttributeError(
            f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def _check_name(self, kind, name, registry):
        if not isinstance(name, str):
            raise TypeError(
                f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name:
            raise KeyError(f"{kind} name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError(f"{kind} name can't be empty string \"\"")
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Register `param` under `name`; None marks an absent parameter (e.g.
        bias=False)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                "cannot assign parameter before Module.__init__() call")
        self._check_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to "
                            f"parameter '{name}' (Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register `tensor` (or None) as state that is not learned: not in
        parameters(), saved by state_dict() unless persistent=False."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer "
                            f"'{name}' (Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Register `module` (or None) as the child called `name`."""
        if module is not None and not _is_module(module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        self._check_name("module", name, self._modules)
        self._modules[name] = module

    # --- computing --------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the '
                                  'required "forward" function')

    def __call__(self, *args, **kwargs):
        """module(*args): the forward pre-hooks (global ones first), forward(*args,
        **kwargs), then the forward hooks (global ones first)."""
        if not (self._forward_pre_hooks or self._forward_hooks
                or _global_forward_pre_hooks or _global_forward_hooks):
            return self.forward(*args, **kwargs)
        for key, hook in [*_global_forward_pre_hooks.items(),
                          *self._forward_pre_hooks.items()]:
            if key in self._hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a "
                                           "tuple of (new_args, new_kwargs), but got "
                                           f"{result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for key, hook in [*_global_forward_hooks.items(), *self._forward_hooks.items()]:
            if key in self._hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def _add_hook(self, hooks, hook, prepend, with_kwargs):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call hook(module, args) before each forward; a result other than None
        replaces args (a non-tuple becomes a 1-tuple). with_kwargs: hook(module, args,
        kwargs) -> None or (args, kwargs). prepend: run before the hooks already
        registered. Returns a handle."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call hook(module, args, output) after each forward; a result other than None
        replaces the output. with_kwargs: hook(module, args, kwargs, output)."""
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    # --- walking the tree -------------------------------------------------------------
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
        """("", self), then every descendant with its dotted path, parents before
        children."""
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

    def _named_members(self, registry, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, tensor) for the entries of `registry` ("_parameters" or
        "_buffers") of this module and, with recurse, of its descendants."""
        if recurse:
            tree = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            tree = [(prefix, self)]
        seen = set()
        for module_prefix, module in tree:
            for name, member in getattr(module, registry).items():
                if member is None or (remove_duplicate and id(member) in seen):
                    continue
                seen.add(id(member))
                yield (module_prefix + "." + name if module_prefix else name), member

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) for this module's parameters and, with recurse, its
        descendants'."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Tensor) for this module's buffers and, with recurse, its
        descendants'."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn):
        """Call fn on every child (recursively), then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ----------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) here and in every
        descendant."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (set them to None, or to zeros in
        place)."""
        for param in self.parameters():
            if param.grad is not None:
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.data[...] = 0

    # --- saving and loading -----------------------------------------------------------
    def _named_state(self):
        """(dotted name, Tensor) for everything state_dict() saves: each module's
        parameters, then its persistent buffers, shared ones under every name, modules
        in named_modules order."""
        for prefix, module in self.named_modules(remove_duplicate=False):
            dot = prefix + "." if prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    yield dot + name, param
            for name, buffer in module._buffers.items():
                if (buffer is not None
                    and name not in module._non_persistent_buffers_set):
                    yield dot + name, buffer

    def state_dict(self):
        """OrderedDict {dotted name: NumPy copy of the values} of _named_state()."""
        return (OrderedDict((name, tensor.data.copy()) for name,
                            tensor in self._named_state()))

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into the parameters and buffers, in place. Shapes must match;
        with strict=True the keys too. On any problem raise RuntimeError listing them
        all and change nothing. Returns IncompatibleKeys(missing_keys,
        unexpected_keys)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError("Expected state_dict to be dict-like, got "
                            f"{type(state_dict).__name__}.")
        own = OrderedDict(self._named_state())
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        values = {key: np.asarray(value) for key,
                  value in state_dict.items() if key in own}
        errors = []
        if strict and missing:
            errors.append(
                "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        if strict and unexpected:
            errors.append(
                "Unexpected key(s) in state_dict: " + ", ".join(
                    f'"{k}"' for k in unexpected) + ".")
        errors += [f"size mismatch for {key}: copying a param with shape {value.shape} "
                   f"from checkpoint, the shape in current model is {own[key].shape}."
                   for key, value in values.items() if value.shape != own[key].shape]
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for "
                               f"{type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for key, value in values.items():
            own[key].data[...] = value
        return IncompatibleKeys(missing, unexpected)

    # --- printing ---------------------------------------------------------------------
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
