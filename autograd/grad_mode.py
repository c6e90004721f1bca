"""Global switches that change how ops record the graph.

``no_grad()`` turns recording off (inference, optimizer updates, and the backward
pass itself unless ``create_graph=True``); ``enable_grad()`` turns it back on inside
a ``no_grad`` block.  ``detect_anomaly()`` makes every op check its outputs and
gradients for NaN and Inf.  Both work as context managers and as decorators.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable

from .backend import is_cupy_array

if TYPE_CHECKING:
    from .typing_aliases import Array


class _State:
    grad_enabled = True
    anomaly_enabled = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


def set_grad_enabled(mode: bool) -> None:
    STATE.grad_enabled = bool(mode)


class _Switch:
    """A context manager and decorator that sets one flag of STATE and restores it."""
    flag = None
    value = None

    def __enter__(self) -> _Switch:
        self._previous = getattr(STATE, self.flag)
        setattr(STATE, self.flag, self.value)
        return self

    def __exit__(self, *exc: Any) -> bool:
        setattr(STATE, self.flag, self._previous)
        return False

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_Switch):
    """Ops run inside record no graph: their outputs never require grad.

    ``with no_grad():`` turns grad mode off and, on leaving (by an exception too),
    puts back the mode it found, so blocks nest; ``@no_grad()`` runs the decorated
    function so, each call with its own saved state (a recursive call nests).
    The engine runs every backward inside it (unless ``create_graph``).  The engine
    track's exercise ``no_grad`` replaces this class: the other modules of
    ``autograd`` import the name, and the exercise rebinds it in each of them.
    """
    flag, value = "grad_enabled", False


class enable_grad(_Switch):
    """Record the graph again, for example inside a ``no_grad`` block."""
    flag, value = "grad_enabled", True


class detect_anomaly(_Switch):
    """Raise as soon as an op's output or gradient contains NaN or Inf, naming the op.

    On a GPU it also turns on the checks of input values (probabilities in [0, 1],
    class labels in range) that are otherwise made on the CPU alone: see
    ``should_check_values``."""
    flag, value = "anomaly_enabled", True


def should_check_values(array: Array) -> bool:
    """Whether to run a check that reads ``array``'s values (not only its shape).

    Always on the CPU, where it costs one pass.  On a GPU only under
    ``detect_anomaly()``: reading a value there makes the host wait for the GPU
    and copy the answer back, once per call, which a training step must not do.
    PyTorch's CUDA kernels skip such checks for the same reason."""
    return STATE.anomaly_enabled or not is_cupy_array(array)


class inference_mode(no_grad):
    """PyTorch's inference_mode: here the same as no_grad (there is no extra speed to
    gain by also skipping the version counters); inference_mode(False) changes nothing."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self):
        if not self.mode:
            self._previous = STATE.grad_enabled
            return self
        return super().__enter__()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(self.mode):
                return fn(*args, **kwargs)
        return wrapper
