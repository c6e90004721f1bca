"""The one protocol every differentiable op follows.

An op is a subclass of ``Function`` with two methods:

* ``forward(self, *arrays)`` computes on raw backend arrays (NumPy or CuPy) and
  keeps on ``self`` whatever backward needs.
* ``backward(self, *grad_outputs)`` receives one Tensor per output and returns one
  gradient per input (a Tensor, or None where ``self.needs_input_grad`` is False).
  It is written with Tensor ops, that is with other Functions, so the backward
  pass is itself differentiable: ``create_graph=True`` gives second derivatives
  without any extra code.

A Function object is used once: ``Exp()(x)`` makes a new node of the graph.
Calling it unwraps the input Tensors, runs forward, wraps the results, and, when
grad mode is on and some input requires grad, records itself as their creator.
"""
import weakref

from . import backend
from .grad_mode import STATE
from .tensor import Tensor


class Function:
    # Set when the call is recorded; a released Function has inputs = None.
    inputs = None            # tuple of input Tensors (the graph's edges)
    outputs = ()             # weak references to the output Tensors
    needs_input_grad = ()    # which inputs want a gradient
    trace = None             # where the op was called, under detect_anomaly()

    @property
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name}>"

    # -- to be written by each op ------------------------------------------
    def forward(self, *arrays):
        raise NotImplementedError(f"{self.name}.forward")

    def backward(self, *grad_outputs):
        raise NotImplementedError(f"{self.name}.backward")

    def explain_error(self, arrays, err):
        """The message for a ValueError that numpy raised inside forward."""
        shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
        return f"{self.name}: {err} (input shapes: {shapes})"

    # -- the machinery -----------------------------------------------------
    def __call__(self, *inputs):
        arrays = [t.data for t in inputs]
        if backend._cupy is not None:
            _check_one_device(self, arrays)
        try:
            result = self.forward(*arrays)
        except ValueError as err:
            if isinstance(err, ShapeError):
                raise
            raise ShapeError(self.explain_error(arrays, err)) from err

        record = False
        if STATE.grad_enabled:
            needs_grad = tuple([t.requires_grad for t in inputs])
            record = True in needs_grad
        if type(result) is tuple:  # several outputs (split)
            outputs = tuple([Tensor(r, record) for r in result])
        else:
            output = Tensor(result, record)
            outputs = (output,)
        if record:
            self.inputs = inputs
            self.needs_input_grad = needs_grad
            self.outputs = tuple([weakref.ref(t) for t in outputs])
            for index, t in enumerate(outputs):
                t.creator = self
                t.output_index = index
        if STATE.anomaly_enabled:
            _anomaly_check_forward(self, outputs)
        return outputs if type(result) is tuple else output

    def saved_output(self, index=0):
        """Output ``index`` as a graph-connected Tensor, for backward formulas such
        as d exp(x) = exp(x) dx that reuse the result.  The engine keeps it alive."""
        return self.outputs[index]()

    def release(self):
        """Drop saved arrays and graph edges after backward (unless retain_graph)."""
        self.__dict__.clear()


class ShapeError(ValueError):
    """Inputs whose shapes an op cannot combine; the message names the op and shapes."""


def _check_one_device(function, arrays):
    kinds = ["CuPy (cuda)" if backend.is_cupy_array(a) else "NumPy (cpu)" for a in arrays]
    if len(set(kinds)) > 1:
        listing = ", ".join(f"input {i} is a {k} array" for i, k in enumerate(kinds))
        raise RuntimeError(f"{function.name}: inputs are on different devices: {listing}; "
                           "move them to one device with .to('cpu') or .to('cuda')")


def _not_finite(array):
    xp = backend.get_array_module(array)
    return array.dtype.kind in "fc" and not bool(xp.isfinite(array).all())


def _anomaly_check_forward(function, outputs):
    import traceback
    function.trace = "".join(traceback.format_stack()[:-3])
    for index, t in enumerate(outputs):
        if _not_finite(t.data):
            raise FloatingPointError(
                f"detect_anomaly: {function.name} produced NaN or Inf in its output {index} "
                f"(shape {t.shape}) during forward")


def anomaly_check_backward(function, index, grad):
    """Called by the engine under detect_anomaly() for each gradient a backward returns."""
    if grad is not None and _not_finite(grad.data):
        where = f"\nThe forward call of {function.name} was made at:\n{function.trace}" if function.trace else ""
        raise FloatingPointError(
            f"detect_anomaly: {function.name}.backward returned NaN or Inf in the gradient "
            f"of its input {index}{where}")
