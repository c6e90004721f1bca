"""Checking a state dict against the one a module has, before anything is copied.

``Module.load_state_dict`` is all or nothing: every key, every value's type, shape
and dtype is checked first, and one error lists every problem found.  Only then is
any parameter or buffer written.
"""
import numpy

from .. import backend
from ..tensor import Tensor


def state_dict_problems(expected, loaded):
    """Compare ``loaded`` (name -> value) with a module's own state dict (name -> Tensor).

    Returns ``(missing, unexpected, wrong)``: names the module has but ``loaded``
    lacks, names ``loaded`` has but the module lacks, and ``(name, problem)`` for
    names in both whose value cannot be copied (not an array, another shape, a dtype
    that does not convert: a float into an integer buffer, say).
    """
    missing = [name for name in expected if name not in loaded]
    unexpected = [name for name in loaded if name not in expected]
    wrong = []
    for name, target in expected.items():
        if name in loaded:
            problem = _value_problem(target, loaded[name])
            if problem:
                wrong.append((name, problem))
    return missing, unexpected, wrong


def _value_problem(target, value):
    """Why ``value`` cannot be copied into tensor ``target`` ('' if it can)."""
    array = value.array if isinstance(value, Tensor) else value
    if not (isinstance(array, numpy.ndarray) or backend.is_cupy_array(array)):
        return f"expected a Tensor or array, got {type(value).__name__}"
    if array.dtype.kind not in "biuf":
        return f"expected numbers, got an array of dtype {array.dtype}"
    if tuple(array.shape) != tuple(target.shape):
        return f"the model has shape {tuple(target.shape)}, the state_dict has {tuple(array.shape)}"
    if target.dtype.kind in "iub" and array.dtype.kind == "f":
        return f"the model holds {target.dtype}, the state_dict has {array.dtype}"
    return ""


def format_state_dict_problems(owner, missing, unexpected, wrong, max_listed=20):
    """A readable message naming every problem, one per line; '' when there is none.

    ``owner`` names what was being loaded (the model's class name).  At most
    ``max_listed`` lines of each kind are shown, then '... and N more'.
    """
    groups = [
        [f"missing key: {name!r}" for name in missing],
        [f"unexpected key: {name!r}" for name in unexpected],
        [f"{name!r}: {problem}" for name, problem in wrong],
    ]
    lines = []
    for group in groups:
        lines += group[:max_listed]
        if len(group) > max_listed:
            lines.append(f"... and {len(group) - max_listed} more")
    if not lines:
        return ""
    counts = f"{len(missing)} missing, {len(unexpected)} unexpected, {len(wrong)} that cannot be copied"
    return (f"Error(s) in loading state_dict for {owner} ({counts}):\n"
            + "\n".join("  " + line for line in lines))
