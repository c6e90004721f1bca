"""Exercise no_grad: a switch that turns off recording of the graph.

The engine records a graph only while grad mode is on: ``STATE.grad_enabled``
(``autograd.grad_mode``).  Inference, optimizer steps and the backward pass
itself (unless ``create_graph=True``) run with it off.

    with no_grad():          # recording is off inside
        y = model(x)

    @no_grad()               # and inside every call of f
    def f(x): ...

The question.  What must the switch remember on the way in so that it leaves
things as it found them on the way out, whatever that was: inside another
``no_grad`` block, inside ``enable_grad``, or when the block raises?  And when
the same decorated function is called recursively, where can that memory live
so that the inner call does not overwrite the outer one's?

Your task: write the class ``no_grad``: ``__enter__``, ``__exit__`` and
``__call__`` (the decorator: the function it returns takes the same arguments,
returns the same result, and keeps the decorated function's name).  ``check`` swaps it in for the engine's wherever
``autograd`` imported it, then runs the engine's tests with it.
"""
import functools  # noqa: F401  (you may want functools.wraps)

from autograd.grad_mode import STATE  # noqa: F401  (STATE.grad_enabled: True or False)


class no_grad:
    def __enter__(self):
        raise NotImplementedError("write no_grad.__enter__")

    def __exit__(self, exc_type, exc_value, traceback):
        raise NotImplementedError("write no_grad.__exit__")

    def __call__(self, fn):
        raise NotImplementedError("write no_grad.__call__ (the decorator)")
