"""Optimizer: the base class that holds parameters, their groups and their state.

An optimizer owns a list of *parameter groups*.  Each group is a dict with the
tensors to update under ``"params"`` and the hyperparameters that apply to them
(``"lr"``, ``"momentum"``, ...); a hyperparameter missing from a group takes the
optimizer's default.  ``state[p]`` is a dict of whatever the update rule keeps
between steps for parameter ``p`` (a momentum buffer, running averages, a step
count).

``step()`` reads each parameter's ``.grad`` and writes the new values straight
into ``p.array`` with array math (``xp`` is NumPy or CuPy, whichever holds the
parameter).  Working on raw arrays records no graph, which is what ``no_grad()``
achieves in PyTorch; the step counts as an in-place change of each parameter
(its version goes up), so a backward through a graph that read the old weights
refuses to run, as in PyTorch.  Subclasses only write ``_update`` (one parameter, one step)
and ``_check_hyperparameters``.
"""
from __future__ import annotations

import copy
import numbers
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, Optional, Union

import numpy

from .. import backend
from ..grad_mode import enable_grad
from ..tensor import Tensor

# what an optimizer takes: tensors (one group), or dicts, one per param group
ParamsLike = Union[Iterable[Tensor], Iterable[Dict[str, Any]]]


class Optimizer:
    def __init__(self, params: ParamsLike, defaults: Dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors or of param-group dicts, "
                            "got a single Tensor; wrap it in a list: [param]")
        self._check_hyperparameters(defaults)
        self.defaults = defaults
        self.state = defaultdict(dict)   # parameter Tensor -> its state dict
        self.param_groups = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]   # a plain list of tensors is one group
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items())
                      if key != "params"]
        return "\n".join(lines + [")"])

    # -- what subclasses provide -------------------------------------------------
    def _check_hyperparameters(self, group):
        """Raise ValueError for a hyperparameter outside its range."""

    def _update(self, param, grad, state, group):
        """Update array ``param`` in place from array ``grad``; ``state`` persists between steps."""
        raise NotImplementedError

    # -- parameters ------------------------------------------------------------
    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a group of parameters, with hyperparameters that override the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters must be in an ordered collection (a list), "
                            "not a set: a set's order changes between runs, and state_dict "
                            "refers to parameters by position")
        group = dict(param_group, params=list(params))
        self._check_params(group["params"])
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_params(self, params):
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params "
                                f"is a {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one computed from others); "
                                 "optimize the leaves it was computed from")
        # Compare by id: Tensor.__eq__ is elementwise, so ``p in list`` would not work.
        new_ids = [id(p) for p in params]
        if len(set(new_ids)) != len(new_ids):
            raise ValueError("a parameter appears twice in one param group; it would be "
                             "updated twice per step")
        existing_ids = {id(p) for group in self.param_groups for p in group["params"]}
        if existing_ids.intersection(new_ids):
            raise ValueError("some parameters appear in more than one parameter group")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set ``.grad`` to None, or fill it with zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.detach_()   # a create_graph=True gradient must not keep its graph
                    param.grad.zero_()

    # -- the update --------------------------------------------------------------
    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                self._update(param.array, param.grad.array, self.state[param], group)
                param._bump_version()   # a backward that still reads the old value must refuse
        return loss

    # -- checkpoints -------------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """The optimizer's state in PyTorch's layout, with parameters named by position.

        ``{"state": {index: {name: value}}, "param_groups": [{hyperparameters...,
        "params": [indices]}]}``.  Arrays are NumPy copies (also for parameters on
        a GPU), so training on does not change a saved state dict.
        """
        index_of = {}   # id(param) -> its position, counting through all groups in order
        groups = []
        for group in self.param_groups:
            saved = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            saved["params"] = [index_of.setdefault(id(p), len(index_of)) for p in group["params"]]
            groups.append(saved)
        state = {}
        for param, param_state in self.state.items():
            if param_state:
                state[index_of[id(param)]] = {name: _saved_value(value)
                                              for name, value in param_state.items()}
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict()``.

        Everything is checked before anything changes (``check_state_dict``), so a
        state dict that does not fit leaves the optimizer as it was.
        """
        self.param_groups, self.state = self._loaded(state_dict)

    def check_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Raise ValueError if ``load_state_dict(state_dict)`` would fail; change nothing."""
        self._loaded(state_dict)

    def _loaded(self, state_dict):
        """The param groups and state that ``state_dict`` describes, every value checked:
        structure, hyperparameters (types and ranges) and each parameter's state (the keys
        its update reads, counts and arrays of the parameter's shape)."""
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            found = list(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"not an optimizer state dict: expected the keys 'state' and "
                             f"'param_groups', got {found}")
        saved_groups = state_dict["param_groups"]
        self._check_group_sizes(saved_groups)
        new_groups = []
        param_at = {}   # position in the state dict -> (our parameter in the same place, its group)
        for saved, group in zip(saved_groups, self.param_groups):
            hyperparameters = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            self._check_hyperparameter_types(hyperparameters)
            self._check_hyperparameters(dict(self.defaults, **hyperparameters))
            new_group = dict(self.defaults, **hyperparameters, params=group["params"])
            new_groups.append(new_group)
            param_at.update((index, (param, new_group)) for index, param in zip(saved["params"], group["params"]))
        if not isinstance(state_dict["state"], dict):
            raise ValueError(f"an optimizer state dict's 'state' must be a dict, got "
                             f"{type(state_dict['state']).__name__}")
        new_state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            if index not in param_at:
                raise ValueError(f"the state dict has state for parameter {index!r}, which is "
                                 f"in none of its param_groups")
            param, group = param_at[index]
            new_state[param] = self._checked_param_state(saved_state, param, group, index)
        return new_groups, new_state

    def _check_hyperparameter_types(self, hyperparameters):
        """A saved hyperparameter has the kind of its default: a flag is a bool, a rate a number."""
        name = type(self).__name__
        for key, value in hyperparameters.items():
            default = self.defaults.get(key)
            if isinstance(default, bool) and not isinstance(value, bool):
                raise ValueError(f"{name}: hyperparameter {key!r} must be True or False, got {value!r:.40}")
            if isinstance(default, tuple) and not isinstance(value, (tuple, list)):
                raise ValueError(f"{name}: hyperparameter {key!r} must be a tuple, got {value!r:.40}")

    def state_keys(self, group: Dict[str, Any]) -> Dict[str, str]:
        """The state each parameter of ``group`` has once stepped: name -> 'count' (an int
        >= 0), 'number' (a float) or 'param' (an array of the parameter's shape)."""
        return {}

    def _checked_param_state(self, saved_state, param, group, index):
        expected = self.state_keys(group)
        where = f"{type(self).__name__} state of parameter {index}"
        if not isinstance(saved_state, dict):
            raise ValueError(f"{where} must be a dict, got {type(saved_state).__name__}")
        if saved_state and set(saved_state) != set(expected):
            raise ValueError(f"{where} has the keys {sorted(map(str, saved_state))}, but with these "
                             f"hyperparameters its update keeps {sorted(expected)}")
        checked = {}
        for name, value in saved_state.items():
            if expected[name] == "count":
                if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 0:
                    raise ValueError(f"{where}: {name!r} must be a count (an int >= 0), got {value!r:.40}")
                checked[name] = int(value)
            elif expected[name] == "number":
                if isinstance(value, bool) or not isinstance(value, (numbers.Real, numpy.floating)):
                    raise ValueError(f"{where}: {name!r} must be a number, got {value!r:.40}")
                checked[name] = float(value)
            else:
                checked[name] = _loaded_value(value, param, f"{where}, {name!r}")
        return checked

    def _check_group_sizes(self, saved_groups):
        if not isinstance(saved_groups, list) or not all(
                isinstance(g, dict) and isinstance(g.get("params"), list) for g in saved_groups):
            raise ValueError("an optimizer state dict's 'param_groups' must be a list of dicts, "
                             "each with a 'params' list")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"the state dict has {len(saved_groups)} parameter group(s), but "
                             f"this optimizer has {len(self.param_groups)}")
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"parameter group {index} has {len(saved['params'])} "
                                 f"parameter(s) in the state dict, but {len(group['params'])} "
                                 f"in this optimizer")


def _is_array(value):
    return isinstance(value, numpy.ndarray) or backend.is_cupy_array(value)


def _saved_value(value):
    """A state value as it goes into a state dict: arrays become NumPy copies."""
    if _is_array(value):
        return numpy.array(backend.to_numpy(value))
    return copy.deepcopy(value)


def _loaded_value(value, param, where):
    """A state-dict array made ready for ``param``: a copy on its device, in its dtype."""
    if isinstance(value, Tensor):
        value = value.array
    if not _is_array(value) or value.dtype.kind not in "iuf":
        raise ValueError(f"{where} must be an array of numbers, got {type(value).__name__}")
    if value.shape != param.shape:
        raise ValueError(f"{where} has shape {tuple(value.shape)}, but the "
                         f"parameter has shape {tuple(param.shape)}")
    array = backend.to_numpy(value)
    # Floating state follows the parameter's dtype, as in PyTorch; astype always copies.
    return backend.to_device(array.astype(param.dtype), param.device)


# ----------------------------------------------------------------------------
# Argument checks shared by the optimizers
# ----------------------------------------------------------------------------
def regularised_gradient(param, grad, group: dict, decoupled: bool = False):
    """The gradient an update uses: negated under ``maximize``; with weight decay, either
    weight_decay * param added to it (L2), or, ``decoupled`` (AdamW), the parameter itself
    shrunk here by the factor 1 - lr * weight_decay.  A new array where it changes, so
    that p.grad stays as it is."""
    if group["maximize"]:
        grad = -grad
    weight_decay = group["weight_decay"]
    if weight_decay != 0:
        if decoupled:
            param *= 1 - group["lr"] * weight_decay
        else:
            grad = grad + weight_decay * param
    return grad


def check_number(optimizer_name: str, name: str, value: float, low: float = 0.0,
                 high: Optional[float] = None, high_inclusive: bool = False) -> None:
    """Raise unless ``low <= value`` (and ``value < high``, or ``<= high``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{optimizer_name}: {name} must be a real number, "
                        f"got {type(value).__name__} {value!r}")
    below_high = high is None or (value <= high if high_inclusive else value < high)
    if not (low <= value and below_high):   # written so that NaN fails too
        upper = "" if high is None else (f" and <= {high}" if high_inclusive else f" and < {high}")
        raise ValueError(f"{optimizer_name}: invalid {name} {value!r}: it must be >= {low}{upper}")
