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

An op whose inputs' gradients are separate pieces of work (a product, a matrix
product, a convolution) writes ``backward_for(self, wanted, *grad_outputs)`` instead
of ``backward``: ``wanted`` holds one bool per input, and the gradients of the
inputs not wanted are None and never computed.  ``backward()`` asks for the inputs
that require grad (``needs_input_grad``, recorded at forward); ``grad()`` asks only
for those on a path to the tensors it was given, so that a gradient penalty's
``grad(critic(x), x)`` does not compute the critic's weight gradients.  The mask is
an argument: the Function is never changed by a backward pass.

An op may also offer ``backward_arrays(self, *grad_arrays)``: the same numbers as
``backward``, computed on raw arrays (None for an output no gradient reached; it may
return None for an input that needs no gradient).  The engine calls it instead of
``backward`` when no graph of the backward pass is being built (``create_graph`` is
False: every ordinary training step), where recording ops that nobody will
differentiate is pure cost.  ``backward`` stays the definition: ``create_graph=True``
runs it, and the tests hold the two to the same numbers (``tests/test_backward_arrays.py``).
Only ops whose backward is many small ops offer it (the fused LSTM cell, SiLU, the
normalisations).

Two class attributes say what backward reads besides the gradients, so that a
tensor changed in place after forward is caught (``inplace.py``):
``saved_inputs`` (indices; None means all) and ``saves_outputs``.  An op whose
needs depend on which inputs want a gradient (a product reads b only for a's
gradient) overrides ``inputs_read_by_backward``.  A view op (its output may share
its input's memory) sets ``is_view`` and says how to make the same view of
another tensor in ``view_maker``; ``refresh_view`` uses it to rebuild a view's node
after its base was changed in place through the graph.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Iterable, Optional, Sequence, Tuple, Union

from . import backend
from .grad_mode import STATE
from .tensor import Tensor, ViewInfo
from .typing_aliases import Array


class Function:
    # Set when the call is recorded; a released Function has inputs = None.
    inputs = None            # tuple of input Tensors (what backward formulas read)
    edges = ()               # each input's (creator, output_index) when recorded: the graph
    outputs = ()             # weak references to the output Tensors
    needs_input_grad = ()    # which inputs want a gradient
    saved_versions = ()      # (version counter, its count, "input" | "output", index)
    trace = None             # where the op was called, under detect_anomaly()
    tensor_hooks = None      # register_hook's hooks, by output index (tensor_hooks.py)

    backward_for = None      # optional: backward for chosen inputs only (see above)
    backward_arrays = None   # optional: backward's numbers on raw arrays (see above)
    saved_inputs = None      # the inputs whose values backward reads; None: all of them
    saves_outputs = True     # whether backward reads the outputs' values
    is_view = False          # whether an output may share the memory of input 0

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name}>"

    # -- to be written by each op ------------------------------------------
    def forward(self, *arrays: Array) -> Union[Array, Tuple[Array, ...]]:
        raise NotImplementedError(f"{self.name}.forward")

    def backward(self, *grad_outputs: Tensor
                 ) -> Union[Optional[Tensor], Tuple[Optional[Tensor], ...]]:
        if self.backward_for is None:
            raise NotImplementedError(f"{self.name}.backward")
        return self.backward_for(self.needs_input_grad, *grad_outputs)

    def explain_error(self, arrays: Sequence[Array], err: Exception) -> str:
        """The message for a ValueError that numpy raised inside forward."""
        shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
        return f"{self.name}: {err} (input shapes: {shapes})"

    def inputs_read_by_backward(self, needs_input_grad: Sequence[bool]) -> Iterable[int]:
        """Indices of the inputs whose values backward will read."""
        if self.saved_inputs is None:
            return range(len(needs_input_grad))
        return self.saved_inputs

    def view_maker(self, output_index: int) -> Callable[[Tensor], Tensor]:
        """For a view op: a function t -> the same view of tensor t, through graph ops."""
        raise NotImplementedError(f"{self.name}.view_maker")

    # -- the machinery -----------------------------------------------------
    def __call__(self, *inputs: Tensor) -> Union[Tensor, Tuple[Tensor, ...]]:
        arrays = [t.array for t in inputs]
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
            for t in inputs:
                if t._view is not None:
                    refresh_view(t)   # its base was changed in place through the graph
            needs_grad = tuple([t.requires_grad for t in inputs])
            record = True in needs_grad
        if type(result) is tuple:  # several outputs (split)
            outputs = tuple([Tensor(r, requires_grad=record) for r in result])
        else:
            outputs = (Tensor(result, requires_grad=record),)
        if self.is_view:
            _link_views(self, inputs[0], outputs)
        if record:
            self._record(inputs, needs_grad, outputs)
        if STATE.anomaly_enabled:
            _anomaly_check_forward(self, outputs)
        return outputs if type(result) is tuple else outputs[0]

    def _record(self, inputs, needs_grad, outputs):
        record_graph(self, inputs, outputs)   # the links (looked up in this module at each call)
        # and the versions of what backward will read, to refuse it if they change
        saved = [(inputs[i].version_counter, inputs[i].version_counter[0], "input", i)
                 for i in self.inputs_read_by_backward(needs_grad)]
        if self.saves_outputs:
            saved += [(t.version_counter, t.version_counter[0], "output", i)
                      for i, t in enumerate(outputs)]
        self.saved_versions = saved

    def saved_output(self, index: int = 0) -> Tensor:
        """Output ``index`` as a graph-connected Tensor, for backward formulas such
        as d exp(x) = exp(x) dx that reuse the result.  The engine keeps it alive."""
        return self.outputs[index]()

    def replace_output(self, old: Tensor, new: Tensor) -> None:
        """An in-place op wrote output ``old``'s values into tensor ``new``'s memory and
        made ``new`` this op's output instead (``inplace.py``)."""
        index = old.output_index
        self.outputs[index] = weakref.ref(new)
        self.saved_versions = [
            (new.version_counter, new.version_counter[0], kind, i)
            if kind == "output" and i == index else (counter, count, kind, i)
            for counter, count, kind, i in self.saved_versions]

    def check_saved_versions(self) -> None:
        """Refuse to run backward if a tensor it reads was changed in place since forward."""
        for counter, count, kind, index in self.saved_versions:
            if counter[0] != count:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: {kind} {index} of {self.name} (shape "
                    f"{self._saved_shape(kind, index)}) is at version {counter[0]}; expected "
                    f"version {count} instead. It was changed in place (add_, x[i] = ..., an "
                    f"optimizer step...) after {self.name} used it and before this backward; "
                    f"change a clone() instead, or do the change after backward.")

    def _saved_shape(self, kind, index):
        tensor = self.inputs[index] if kind == "input" else self.outputs[index]()
        return "unknown" if tensor is None else tuple(tensor.shape)

    @property
    def next_functions(self) -> Tuple[Tuple[Any, int], ...]:
        """PyTorch's view of the graph: for each input, (the node that made it, which
        output) -- an ``AccumulateGrad`` for a leaf that requires grad, None for a constant."""
        result = []
        for (creator, index), t in zip(self.edges, self.inputs or ()):
            if creator is not None:
                result.append((creator, index))
            elif t.requires_grad:
                result.append((AccumulateGrad(t), 0))
            else:
                result.append((None, 0))
        return tuple(result)

    def release(self) -> None:
        """Drop saved arrays and graph edges after backward (unless retain_graph)."""
        self.__dict__.clear()


def record_graph(function: Function, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> None:
    """Link ``function`` into the graph as the maker of ``outputs`` from ``inputs``.

    ``Function.__call__`` calls it after forward, when grad mode is on and some
    input requires grad.  It sets, on the Function:

    * ``inputs``: the input Tensors, a tuple (backward's formulas read them);
    * ``edges``: for each input, ``(input.creator, input.output_index)`` as they are
      now, a tuple: the graph's links, read at every backward.  Taken now because
      an in-place op may later give the input a new creator, while this Function
      must still lead to the node that made the value it used;
    * ``needs_input_grad``: for each input, whether it requires grad, a tuple
      (backward skips the others, and no gradient flows to them);
    * ``outputs``: a list of weak references to the outputs (``weakref.ref(t)``):
      an output holds its creator, so a strong reference back would be a cycle;

    and, on output number k: ``creator = function`` and ``output_index = k``.
    The engine track's exercise ``record_graph`` replaces it.
    """
    function.inputs = tuple(inputs)
    function.edges = tuple([(t.creator, t.output_index) for t in inputs])
    function.needs_input_grad = tuple([t.requires_grad for t in inputs])
    function.outputs = [weakref.ref(t) for t in outputs]
    for index, t in enumerate(outputs):
        t.creator = function
        t.output_index = index


class Bilinear(Function):
    """An op linear in each of its two inputs (a product, a matrix product, a
    convolution): the gradient of one reads only the other, so backward reads
    input 0 only when input 1 wants a gradient, and the reverse, as in PyTorch."""
    saves_outputs = False

    def inputs_read_by_backward(self, needs_input_grad):
        return [i for i, other in ((0, 1), (1, 0)) if needs_input_grad[other]]


class AccumulateGrad:
    """Stands for a leaf in ``next_functions``: backward adds into ``variable.grad``."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions = ()

    name = "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def _link_views(function, source, outputs):
    """Outputs that share ``source``'s memory share its version counter and remember
    how they were made from the tensor that owns the memory."""
    memory = source.array
    for index, out in enumerate(outputs):
        array = out.array
        if array.base is None or not backend.get_array_module(memory).may_share_memory(array, memory):
            continue   # a copy (a reshape of non-contiguous memory, say)
        out.version_counter = source.version_counter
        make = function.view_maker(index)
        outer = source._view
        if outer is None:
            out._view = ViewInfo(source, make, (source.creator, source.output_index))
        else:
            out._view = ViewInfo(outer.base, _compose(outer.make, make), outer.base_node)


def _compose(first, then):
    return lambda t: then(first(t))


def refresh_view(view: Tensor) -> None:
    """If the view's base was changed in place through the graph since the view's
    node was built, rebuild the node from the base (the memory is already right)."""
    info = view._view
    base = info.base
    if (base.creator, base.output_index) == info.base_node:
        return
    if not STATE.grad_enabled:
        return
    fresh = info.make(base)
    view.creator, view.output_index = fresh.creator, fresh.output_index
    view.requires_grad = fresh.requires_grad
    if fresh.creator is not None:
        fresh.creator.replace_output(fresh, view)
    info.base_node = (base.creator, base.output_index)


class ShapeError(ValueError):
    """Inputs whose shapes an op cannot combine; the message names the op and shapes
    (and the layer, once a Module's call has passed it on: ``nn.Module.__call__``)."""


class DtypeError(TypeError):
    """Inputs of dtypes an op will not mix (a float64 input for a float32 layer's
    weight, as PyTorch refuses too); the message names the op and both dtypes."""


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
        if _not_finite(t.array):
            raise FloatingPointError(
                f"detect_anomaly: {function.name} produced NaN or Inf in its output {index} "
                f"(shape {t.shape}) during forward")


def anomaly_check_backward(function: Function, index: int, grad: Optional[Tensor]) -> None:
    """Called by the engine under detect_anomaly() for each gradient a backward returns."""
    if grad is not None and _not_finite(grad.array):
        where = f"\nThe forward call of {function.name} was made at:\n{function.trace}" if function.trace else ""
        raise FloatingPointError(
            f"detect_anomaly: {function.name}.backward returned NaN or Inf in the gradient "
            f"of its input {index}{where}")
