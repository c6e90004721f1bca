"""The ``torch.autograd`` namespace: ``backward`` and ``grad``, the two ways to ask for gradients.

``backward(tensors)`` adds the gradients into the leaves' ``.grad`` (``tensor.backward()``
calls it); ``grad(outputs, inputs)`` returns them instead.  Both are defined here, on
top of the engine (engine.py).  The module also offers, under PyTorch's names,
``Function``, the grad-mode switches (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``detect_anomaly``), the deprecated ``Variable`` and ``functional`` (Jacobians and
Hessians: autograd_functional.py), so that code written as ``torch.autograd.grad(...)``
runs unchanged after ``import autograd as torch``.
"""
from __future__ import annotations

from typing import Optional, Tuple

from . import creation
from .engine import accumulate_into_leaf, run_backward
from .function import Function, refresh_view  # noqa: F401  (torch.autograd.Function)
from .grad_mode import detect_anomaly, enable_grad, no_grad, set_grad_enabled  # noqa: F401
from .tensor import Tensor
from .typing_aliases import TensorOrTensors


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _root_gradients(outputs, grad_outputs, op):
    """One gradient per output; a scalar output may omit its gradient (it is 1)."""
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise ValueError(f"{op}: got {len(grads)} grad_outputs for {len(outputs)} outputs")
    result = []
    for out, g in zip(outputs, grads):
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}: outputs must be Tensors, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(f"{op}: an output of shape {out.shape} does not require grad and "
                               "has no creator: nothing it depends on requires grad")
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(
                    f"{op}: a gradient can be created implicitly only for a scalar output, but "
                    f"this output has shape {out.shape}; pass a gradient of that shape, "
                    f"e.g. y.backward(autograd.ones_like(y))")
            g = creation.ones_like(out)
        elif not isinstance(g, Tensor):
            g = creation.tensor(g, dtype=out.dtype, device=out.device)
        if g.shape != out.shape:
            raise RuntimeError(f"{op}: gradient of shape {g.shape} given for an output of shape {out.shape}")
        result.append(g)
    return tuple(result)


def Variable(tensor: Tensor, requires_grad: bool = False,  # noqa: N802 - torch.autograd.Variable
             volatile: bool = False) -> Tensor:
    """PyTorch's deprecated wrapper: returns the tensor itself (with requires_grad set
    when asked), as ``torch.autograd.Variable`` has done since PyTorch 0.4."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Variable: expected a Tensor, got {type(tensor).__name__}")
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _fresh(tensors):
    """Tensors whose base was changed in place through the graph get their node rebuilt."""
    for t in tensors:
        if isinstance(t, Tensor) and t._view is not None:
            refresh_view(t)
    return tensors


def backward(tensors: TensorOrTensors, grad_tensors: Optional[TensorOrTensors] = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             inputs: Optional[TensorOrTensors] = None) -> None:
    """Add d(tensors)/d(leaf) to the ``.grad`` of every leaf that requires grad.

    With ``inputs`` given, only those tensors' ``.grad`` are updated.
    """
    roots = _fresh(_as_tuple(tensors))
    grads = _root_gradients(roots, grad_tensors, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward(roots, grads, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    found = run_backward(roots, grads, retain_graph, create_graph, targets=inputs)
    for t in inputs:
        if id(t) in found:
            accumulate_into_leaf(t, found[id(t)], create_graph)


def grad(outputs: TensorOrTensors, inputs: TensorOrTensors,
         grad_outputs: Optional[TensorOrTensors] = None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, only_inputs: bool = True,
         allow_unused: bool = False) -> Tuple[Optional[Tensor], ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple.

    ``.grad`` is not touched.  With ``create_graph=True`` the gradients are
    themselves part of the graph, so they can be differentiated again
    (WGAN-GP's gradient penalty does this).  ``only_inputs`` is accepted for old
    PyTorch code; PyTorch ignores it too.
    """
    outputs = _fresh(_as_tuple(outputs))
    inputs = _fresh(_as_tuple(inputs))
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so it has no gradient")
    grads = _root_gradients(outputs, grad_outputs, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    found = run_backward(outputs, grads, retain_graph, create_graph, targets=inputs)
    result = []
    for i, t in enumerate(inputs):
        g = found.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used to compute the "
                               "outputs; pass allow_unused=True to get None for it")
        result.append(g)
    return tuple(result)


def __getattr__(name):
    """``torch.autograd.functional`` (autograd_functional.py), imported on first use: it
    is built on ``grad`` above, so this module cannot import it first."""
    if name == "functional":
        from . import autograd_functional
        return autograd_functional
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
