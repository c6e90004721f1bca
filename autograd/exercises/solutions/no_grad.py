"""A reference no_grad: a stack of the modes found on entry, so that one object
may be entered again inside itself, and a fresh switch for each decorated call."""
import functools

from autograd.grad_mode import STATE


class no_grad:
    def __init__(self):
        self._found = []

    def __enter__(self):
        self._found.append(STATE.grad_enabled)
        STATE.grad_enabled = False
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        STATE.grad_enabled = self._found.pop()   # the mode found, not True
        return False                             # an exception goes on, after the restore

    def __call__(self, fn):
        @functools.wraps(fn)
        def without_graph(*args, **kwargs):
            with no_grad():                      # each call its own switch
                return fn(*args, **kwargs)
        return without_graph
