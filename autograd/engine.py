"""The backward pass: walk the graph from the outputs to the leaves.

The graph is made of Functions: ``t.creator`` is the Function that made ``t``,
``f.inputs`` are the Tensors it consumed, and ``f.edges`` says, for each input,
which Function (and which of its outputs) made it at the time: the graph's
links.  (They are kept apart from the tensors because an in-place op such as
``x.add_(y)`` gives x a new creator while the ops that used x before still
lead to the old one.)  Before a Function's backward runs, the engine checks
that the tensors it reads have not been changed in place since.  Backward

1. collects every Function reachable from the outputs and counts, for each, how
   many edges come into it from other reachable Functions (its consumers);
2. orders them so that a Function comes after all its consumers (Kahn's
   algorithm with an explicit list: no recursion, so a chain of 10,000 ops is
   fine);
3. visits them in that order, summing the gradients that arrive for each output,
   calling ``backward`` once, and passing the results on to the inputs' creators.

Leaves (tensors made by the user) collect their gradient in ``.grad``; ``grad()``
returns gradients for chosen tensors instead and leaves ``.grad`` alone.
"""
from . import function as function_module
from .grad_mode import STATE, enable_grad, no_grad
from .tensor import Tensor

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to use a graph whose "
    "saved values were freed by an earlier backward). Pass retain_graph=True to the "
    "first backward() or grad() call if you need to backward through it again.")


def _reachable_functions(roots):
    """Every Function reachable from ``roots`` and its count of incoming edges."""
    consumers = {}
    # each creator once: two roots made by one Function (the two outputs of a split)
    # must not count that Function's edges twice
    stack = list(dict.fromkeys([t.creator for t in roots if t.creator is not None]))
    for f in stack:
        consumers.setdefault(f, 0)
    while stack:
        f = stack.pop()
        if f.inputs is None:
            raise RuntimeError(FREED_MESSAGE)
        for creator, _ in f.edges:
            if creator is None:
                continue
            if creator not in consumers:
                consumers[creator] = 0
                stack.append(creator)
            consumers[creator] += 1
    return consumers


def _topological_order(roots):
    """Functions ordered so that each comes after every Function that consumed it."""
    consumers = _reachable_functions(roots)
    ready = [f for f, count in consumers.items() if count == 0]
    order = []
    while ready:
        f = ready.pop()
        order.append(f)
        for creator, _ in f.edges:
            if creator is not None:
                consumers[creator] -= 1
                if consumers[creator] == 0:
                    ready.append(creator)
    return order


def _functions_leading_to(order, targets):
    """The Functions with a path down to one of the target tensors."""
    target_nodes = {(t.creator, t.output_index) for t in targets if t.creator is not None}
    target_leaves = {id(t) for t in targets if t.creator is None}
    needed = set()
    for f in reversed(order):  # inputs before consumers
        for (creator, index), t in zip(f.edges, f.inputs):
            if creator is None:
                reached = id(t) in target_leaves
            else:
                reached = creator in needed or (creator, index) in target_nodes
            if reached:
                needed.add(f)
                break
    return needed


def _graph_position(t):
    """Where tensor t sits in the graph now: (creator, output index), or id(t) for a
    leaf.  An in-place op gives a tensor a new creator, so the same tensor object
    may stand at an older position in the edges of the Functions that used it."""
    return (t.creator, t.output_index) if t.creator is not None else id(t)


class _Pending:
    """Gradients collected so far for one Function's outputs, and the outputs themselves
    (kept alive until that Function's backward has run, as backward may reuse them)."""
    __slots__ = ("grads", "tensors")

    def __init__(self, n_outputs):
        self.grads = [None] * n_outputs
        self.tensors = []


def _add(total, grad):
    return grad if total is None else total + grad


def accumulate_into_leaf(leaf, grad, create_graph):
    """leaf.grad += grad; without create_graph .grad is a fresh array with no graph."""
    if create_graph:
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        return
    array = grad.array
    if leaf.grad is None:
        # a copy, as ``array`` may be shared or read-only; in its own memory order
        # (order "K"), since a gradient that arrives batch-last, as from a convolution,
        # would cost a transposing copy as slow as a layer's im2col to put in C order
        leaf.grad = Tensor(array.copy(order="K"))
    else:
        leaf.grad = Tensor(leaf.grad.array + array)


def run_backward(roots, root_grads, retain_graph, create_graph, targets=None):
    """Backpropagate ``root_grads`` from ``roots``.

    With ``targets=None`` the gradients of leaves that require grad are added to
    their ``.grad``.  Otherwise a dict {id(target): gradient} is returned and no
    ``.grad`` is touched.
    """
    order = _topological_order(roots)
    needed = None if targets is None else _functions_leading_to(order, targets)
    target_at = {} if targets is None else {_graph_position(t): t for t in targets}
    results = {}
    pending = {}

    def deliver(creator, index, t, grad):
        """A gradient arrives at tensor t, which was output ``index`` of ``creator``
        (None for a leaf) when its consumer used it."""
        if target_at:
            target = target_at.get(id(t) if creator is None else (creator, index))
            if target is not None:
                results[id(target)] = _add(results.get(id(target)), grad)
        if creator is None:
            if targets is None and t.requires_grad:
                accumulate_into_leaf(t, grad, create_graph)
            return
        if t.retains_grad and targets is None and t.creator is creator:
            accumulate_into_leaf(t, grad, create_graph)
        if needed is not None and creator not in needed:
            return
        entry = pending.get(creator)
        if entry is None:
            entry = pending[creator] = _Pending(len(creator.outputs))
        entry.grads[index] = _add(entry.grads[index], grad)
        entry.tensors.append(t)

    mode = enable_grad() if create_graph else no_grad()
    with mode:
        for t, grad in zip(roots, root_grads):
            deliver(t.creator, t.output_index, t, grad)
        for f in order:
            entry = pending.pop(f, None)
            if entry is not None:
                _call_backward(f, entry.grads, needed, target_at, deliver)
            if not retain_graph:
                f.release()
    return results


def _call_backward(f, grad_outputs, needed, target_at, deliver):
    if f.inputs is None:
        raise RuntimeError(FREED_MESSAGE)
    f.check_saved_versions()
    mask = recorded = f.needs_input_grad
    if needed is not None:  # grad(): only edges that lead to a target
        mask = tuple(m and (creator in needed or
                            (id(t) if creator is None else (creator, index)) in target_at)
                     for m, (creator, index), t in zip(mask, f.edges, f.inputs))
        f.needs_input_grad = mask
    anomaly = STATE.anomaly_enabled
    STATE.anomaly_enabled = False  # blame f.backward below, not the ops it calls
    try:
        grads = f.backward(*grad_outputs)
    finally:
        STATE.anomaly_enabled = anomaly
        f.needs_input_grad = recorded  # a retained graph may be used by backward() later
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(f.inputs):
        raise RuntimeError(f"{f.name}.backward returned {len(grads)} gradients for "
                           f"{len(f.inputs)} inputs")
    for index, (t, grad, wanted) in enumerate(zip(f.inputs, grads, mask)):
        if not wanted or grad is None:
            continue
        grad = _checked_gradient(f, index, t, grad)
        if anomaly:
            function_module.anomaly_check_backward(f, index, grad)
        creator, output_index = f.edges[index]
        deliver(creator, output_index, t, grad)


def _checked_gradient(f, index, t, grad):
    """A gradient must be a Tensor of its input's shape; a float gradient takes its input's dtype."""
    if not isinstance(grad, Tensor):
        # a raw array would give a right first derivative and silently no second one
        raise TypeError(f"{f.name}.backward returned a {type(grad).__module__}.{type(grad).__name__} "
                        f"for input {index}, not a Tensor: backward must return Tensors (or None), "
                        f"computed with Tensor ops so that create_graph=True can differentiate them")
    if grad.shape != t.shape:
        raise RuntimeError(f"{f.name}.backward returned a gradient of shape {grad.shape} "
                           f"for input {index} of shape {t.shape}")
    if grad.dtype != t.dtype and t.dtype.kind == "f":
        grad = grad.to(dtype=t.dtype)
    return grad
