"""Module: the base class of every layer and model, as in PyTorch.

A Module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: Parameters (``self.weight = Parameter(...)``),
* ``_buffers``: state that is saved but not trained (BatchNorm's running mean),
* ``_modules``: sub-modules (``self.conv = Conv2d(...)``).

Everything else (``parameters()``, ``state_dict()``, ``to()``, ``train()``...) walks
those registries recursively, building the dotted names ("features.0.weight")
that PyTorch uses, so state_dict keys match PyTorch's for the same model.
"""
from __future__ import annotations

import collections
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple

import numpy

from .. import backend
from ..function import DtypeError, ShapeError
from ..grad_mode import no_grad
from ..tensor import Tensor
from ..tensor_hooks import RemovableHandle
from ..typing_aliases import DeviceLike, DtypeLike
from .parameter import Parameter
from .state_dict import format_state_dict_problems, state_dict_problems

IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    training = True

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", collections.OrderedDict())
        object.__setattr__(self, "_buffers", collections.OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", collections.OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_pre_hooks", collections.OrderedDict())
        object.__setattr__(self, "_forward_hooks", collections.OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            if self.__dict__.get("_forward_pre_hooks") or self.__dict__.get("_forward_hooks"):
                return self._call_with_hooks(args, kwargs)
            return self.forward(*args, **kwargs)
        except (ShapeError, DtypeError) as err:
            _name_the_layer(err, self)
            raise

    # -- forward hooks ----------------------------------------------------------
    def _call_with_hooks(self, args, kwargs):
        """forward with PyTorch's hooks around it: each pre-hook(module, args) may return
        new args (a tuple, or one value); each hook(module, args, output) may return a
        new output."""
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook: Callable[..., Any], *,
                                  prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; returns a handle with .remove()."""
        return _add_hook(self, "_forward_pre_hooks", hook, prepend)

    def register_forward_hook(self, hook: Callable[..., Any], *,
                              prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; returns a handle with .remove()."""
        return _add_hook(self, "_forward_hooks", hook, prepend)

    # -- registration by attribute -----------------------------------------
    def _registries(self):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before assigning "
                                 "parameters or sub-modules")
        return self._parameters, self._buffers, self._modules

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Module)):
            params, buffers, modules = self._registries()
            for registry in (params, buffers, modules):
                registry.pop(name, None)
            self.__dict__.pop(name, None)
            (params if isinstance(value, Parameter) else modules)[name] = value
        elif "_parameters" in self.__dict__ and name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} to parameter '{name}' "
                                "(use a Parameter or None)")
            self._parameters[name] = None
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer '{name}' (use a Tensor)")
            self._buffers[name] = value
        elif "_modules" in self.__dict__ and name in self._modules and value is None:
            self._modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # only called when normal lookup fails: look in the registries
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: '{name}' must be a Parameter or None")
        self._registries()[0][name] = param

    def register_buffer(self, name: str, tensor: Optional[Tensor], persistent: bool = True) -> None:
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: '{name}' must be a Tensor or None")
        self._registries()[1][name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Optional[Module]) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: '{name}' must be a Module or None")
        self._registries()[2][name] = module

    register_module = add_module

    # -- walking the tree ---------------------------------------------------
    def named_modules(self, prefix: str = "",
                      memo: Optional[Set[int]] = None) -> Iterator[Tuple[str, Module]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[Tuple[str, Module]]:
        return ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def _named_members(self, registry, prefix, recurse):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "",
                         recurse: bool = True) -> Iterator[Tuple[str, Parameter]]:
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[Tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every sub-module (children first) and on self; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- modes and gradients ------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor(p.grad.array * 0)

    # -- state dicts --------------------------------------------------------
    def state_dict(self, destination: Optional[Dict[str, Tensor]] = None, prefix: str = "",
                   keep_vars: bool = False) -> Dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, as detached Tensors
        sharing the module's arrays (PyTorch's keys and order)."""
        state = collections.OrderedDict() if destination is None else destination
        for module_prefix, module in self.named_modules(prefix.rstrip(".")):
            dotted = f"{module_prefix}." if module_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    state[dotted + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    state[dotted + name] = b if keep_vars else b.detach()
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any],
                        strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state_dict`` into this module's parameters and buffers.

        Everything is checked first (``check_state_dict``); on any problem (with
        ``strict``: a missing or unexpected key; always: a value that cannot be copied)
        a RuntimeError names them all and nothing is changed.
        """
        missing, unexpected = self.check_state_dict(state_dict, strict)
        own = self.state_dict(keep_vars=True)
        with no_grad():
            for name, target in own.items():
                if name in state_dict:
                    value = state_dict[name]
                    array = value.array if isinstance(value, Tensor) else value
                    xp = backend.get_array_module(target.array)
                    target.array[...] = xp.asarray(backend.to_device(array, target.device),
                                                  dtype=target.dtype)
                    target._bump_version()
        return IncompatibleKeys(missing, unexpected)

    def check_state_dict(self, state_dict: Mapping[str, Any],
                         strict: bool = True) -> Tuple[List[str], List[str]]:
        """Raise RuntimeError naming every problem that ``load_state_dict(state_dict)``
        would meet; return the (missing, unexpected) keys it would tolerate."""
        if not isinstance(state_dict, dict):
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: expected "
                               f"a dict of name -> Tensor, got {type(state_dict).__name__}")
        missing, unexpected, wrong = state_dict_problems(self.state_dict(keep_vars=True), state_dict)
        if wrong or (strict and (missing or unexpected)):
            raise RuntimeError(format_state_dict_problems(type(self).__name__, missing, unexpected,
                                                          wrong))
        return missing, unexpected

    # -- devices and dtypes -------------------------------------------------
    def _convert(self, convert_array):
        for module in self.modules():
            for registry in (module._parameters, module._buffers):
                for t in registry.values():
                    if t is None:
                        continue
                    t.array = convert_array(t.array)
                    if t.grad is not None:
                        t.grad = Tensor(convert_array(t.grad.array))
        return self

    def to(self, device: Optional[DeviceLike] = None, dtype: Optional[DtypeLike] = None) -> Module:
        """Move every parameter and buffer to ``device`` and/or cast the floating
        ones to ``dtype``, in place (the Parameter objects stay the same)."""
        if isinstance(device, (numpy.dtype, type)) and dtype is None:
            device, dtype = None, device
        if dtype is not None:
            dtype = numpy.dtype(dtype)
            self._convert(lambda a: a.astype(dtype) if a.dtype.kind == "f" else a)
        if device is not None:
            device = backend.normalize_device(device)
            self._convert(lambda a: backend.to_device(a, device))
        return self

    def float(self) -> Module:
        return self.to(dtype=numpy.float32)

    def double(self) -> Module:
        return self.to(dtype=numpy.float64)

    def cuda(self) -> Module:
        return self.to("cuda")

    def cpu(self) -> Module:
        return self.to("cpu")

    # -- printing -----------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) |
                      set(self._modules))


def _name_the_layer(err, module):
    """Prefix the message of a shape or dtype error with the innermost layer it came
    through, once: 'Conv2d(64, 128, kernel_size=(4, 4), ...): conv2d: input ... too small'."""
    if getattr(err, "layer_named", False) or not err.args:
        return
    err.layer_named = True
    if str(err.args[0]).startswith(type(module).__name__ + "("):
        return                                  # the layer's own check has named it already
    err.args = (f"{type(module).__name__}({module.extra_repr()}): {err.args[0]}",) + err.args[1:]


def _add_hook(module, registry_name, hook, prepend):
    if not callable(hook):
        raise TypeError(f"register{registry_name[:-1]}: a hook must be callable, got {type(hook).__name__}")
    registry = module.__dict__.get(registry_name)
    if registry is None:   # a module made before hooks existed (unpickled, say)
        registry = collections.OrderedDict()
        object.__setattr__(module, registry_name, registry)
    handle = RemovableHandle(registry)
    registry[handle.id] = hook
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle
