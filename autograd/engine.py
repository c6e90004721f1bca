"""The backward pass: walk the graph from the outputs to the leaves.

The graph is made of Functions: ``t.creator`` is the Function that made ``t``,
``f.inputs`` are the Tensors it consumed, and ``f.edges`` says, for each input,
which Function (and which of its outputs) made it at the time: the graph's
links.  (They are kept apart from the tensors because an in-place op such as
``x.add_(y)`` gives x a new creator while the ops that used x before still
lead to the old one.)  Before a Function's backward runs, the engine checks
that the tensors it reads have not been changed in place since.  Backward

1. orders every Function reachable from the outputs so that each comes after
   all the Functions that consumed its outputs (``topological_order``: Kahn's
   algorithm with an explicit list, no recursion, so a chain of 10,000 ops is
   fine);
2. visits them in that order, summing the gradients that arrive for each output,
   calling ``backward`` once, and passing the results on to the inputs' creators
   (``backward_pass``).  What else a pass must do (checks around each backward,
   ``grad()``'s targets, ``retain_grad``, freeing saved values) is the engine's
   side, ``_PassDuties``, handed to ``backward_pass`` as two callables.

``run_backward`` looks ``topological_order`` and ``backward_pass`` up in this
module at each call: the engine track's exercises replace them by rebinding
these two names (``autograd/exercises/engine_pieces.py``).

Leaves (tensors made by the user) collect their gradient in ``.grad``; ``grad()``
returns gradients for chosen tensors instead and leaves ``.grad`` alone.
"""
from . import function as function_module
from .grad_mode import STATE, enable_grad, no_grad
from .tensor import Tensor
from .tensor_hooks import gradients_after_hooks

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to use a graph whose "
    "saved values were freed by an earlier backward). Pass retain_graph=True to the "
    "first backward() or grad() call if you need to backward through it again.")


def _count_consumers(roots):
    """Every Function reachable from ``roots``, with its count of incoming edges
    from other reachable Functions (how many times its outputs were consumed)."""
    consumers = {}
    # each creator once: two roots made by one Function (the two outputs of a split)
    # must not count that Function's edges twice
    stack = list(dict.fromkeys([t.creator for t in roots if t.creator is not None]))
    for f in stack:
        consumers.setdefault(f, 0)
    while stack:
        f = stack.pop()
        for creator, _ in f.edges:
            if creator is None:
                continue
            if creator not in consumers:
                consumers[creator] = 0
                stack.append(creator)
            consumers[creator] += 1
    return consumers


def topological_order(roots):
    """Every Function reachable from ``roots`` (the tensors backward starts from),
    each listed once, and each after every reachable Function that consumed one of
    its outputs: so when backward reaches a Function, all the gradients for its
    outputs have arrived.  ``f.edges`` holds, for each input of f, the Function
    that made it (None for a leaf) and which of its outputs it was.

    Kahn's algorithm with an explicit list, no recursion: a chain of 10,000 ops is
    deeper than Python's recursion limit.  The engine track's exercise
    ``topological_order`` replaces it.
    """
    consumers = _count_consumers(roots)
    ready = [f for f, count in consumers.items() if count == 0]
    order = []
    while ready:
        f = ready.pop()
        order.append(f)
        for creator, _ in f.edges:
            if creator is not None:
                consumers[creator] -= 1
                if consumers[creator] == 0:   # its last consumer is listed: it may come now
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


def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
    """Send ``root_grads`` back from ``roots`` through the graph to the leaves.

    roots, root_grads    the tensors backward starts from, and one gradient for each
    order                every Function reachable from the roots, each after every
                         Function that consumed one of its outputs (topological_order)
    call_backward(f, grad_outputs)
                         runs f's backward on one gradient per output of f (None for an
                         output no gradient reached) and returns where its results go: a
                         list of (creator, output_index, input, grad), one for each input
                         of f that gets a gradient, with creator None for a leaf
    add_to_leaf(t, grad) a gradient has reached leaf t (a tensor no Function made): the
                         engine adds it into t.grad, or keeps it for ``grad()``

    A tensor made by Function c as its output k may be used by several Functions:
    its gradient is the sum of what each sends back, and c's backward runs once,
    when all of them have (its turn in ``order``).  A root is handled the same way:
    its gradient goes to (root.creator, root.output_index), or to add_to_leaf.
    The engine track's exercise ``backward_pass`` replaces this function.
    """
    pending = {}   # Function -> the sum of the gradients arrived so far at each of its outputs

    def send(creator, index, tensor, grad):
        if creator is None:
            add_to_leaf(tensor, grad)
            return
        sums = pending.get(creator)
        if sums is None:
            sums = pending[creator] = [None] * len(creator.outputs)
        sums[index] = grad if sums[index] is None else sums[index] + grad

    for root, grad in zip(roots, root_grads):
        send(root.creator, root.output_index, root, grad)
    for f in order:
        grad_outputs = pending.pop(f, None)
        if grad_outputs is None:
            continue   # no gradient reached f
        for creator, index, tensor, grad in call_backward(f, grad_outputs):
            send(creator, index, tensor, grad)


def run_backward(roots, root_grads, retain_graph, create_graph, targets=None):
    """Backpropagate ``root_grads`` from ``roots``.

    With ``targets=None`` the gradients of leaves that require grad are added to
    their ``.grad``.  Otherwise a dict {id(target): gradient} is returned and no
    ``.grad`` is touched.
    """
    order = list(topological_order(roots))
    for f in order:
        if f.inputs is None:
            raise RuntimeError(FREED_MESSAGE)
    duties = _PassDuties(order, retain_graph, create_graph, targets)
    with enable_grad() if create_graph else no_grad():
        duties.arrived([(r.creator, r.output_index, r, g) for r, g in zip(roots, root_grads)])
        backward_pass(roots, root_grads, order, duties.call_backward, duties.add_to_leaf)
    if not retain_graph:
        for f in order:
            if f.inputs is not None:   # no gradient reached it, so call_backward did not free it
                f.release()
    return duties.results


class _PassDuties:
    """The engine's side of one backward pass, handed to ``backward_pass`` as its two
    callables: the checks around each backward, ``grad()``'s targets, ``retain_grad``,
    freeing saved values (unless ``retain_graph``), and leaves' ``.grad``."""

    def __init__(self, order, retain_graph, create_graph, targets):
        self.retain_graph, self.create_graph, self.targets = retain_graph, create_graph, targets
        self.needed = None if targets is None else _functions_leading_to(order, targets)
        self.target_at = {} if targets is None else {_graph_position(t): t for t in targets}
        self.results = {}   # id(target) -> its gradient, for grad()
        # Function -> tensors it made, kept alive until its backward has run: the
        # Functions that used them are freed first, and backward may reuse an output
        self.kept = {}

    def add_to_leaf(self, t, grad):
        if self.targets is not None:
            self._collect(id(t), grad)
        elif t.requires_grad:
            accumulate_into_leaf(t, grad, self.create_graph)

    def call_backward(self, f, grad_outputs):
        """f's backward on the summed gradients of its outputs; where its results go."""
        deliveries = []
        if self.needed is None or f in self.needed:   # grad(): only what leads to a target
            deliveries = _call_backward(f, grad_outputs, self.wanted(f), self.create_graph)
            self.arrived(deliveries)
        self.kept.pop(f, None)
        if not self.retain_graph:
            f.release()
        return deliveries

    def wanted(self, f):
        """Which of f's inputs this pass wants a gradient for: those that require grad
        and, for grad(), lie on a path to one of its targets."""
        if self.needed is None:
            return f.needs_input_grad
        return tuple([needs and (creator in self.needed or
                                 (id(t) if creator is None else (creator, index)) in self.target_at)
                      for needs, (creator, index), t in zip(f.needs_input_grad, f.edges, f.inputs)])

    def arrived(self, deliveries):
        """Gradients (creator, output_index, tensor, grad) arrive at tensors some Function
        made: give them to grad()'s targets and to tensors that retain_grad(), and keep
        the tensors alive until their creator's backward has run."""
        kept = None if self.retain_graph else self.kept
        for creator, index, t, grad in deliveries:
            if creator is None:
                continue   # a leaf: add_to_leaf's job
            if self.targets is not None:
                self._collect((creator, index), grad)
            elif t.retains_grad and t.creator is creator:
                accumulate_into_leaf(t, grad, self.create_graph)
            if kept is not None:
                if creator in kept:
                    kept[creator].append(t)
                else:
                    kept[creator] = [t]

    def _collect(self, position, grad):
        target = self.target_at.get(position)
        if target is not None:
            self.results[id(target)] = _add(self.results.get(id(target)), grad)


def _call_backward(f, grad_outputs, wanted, create_graph):
    """f's backward with the engine's checks, for the inputs marked in ``wanted``;
    returns (creator, output_index, input, gradient) for each of them that gets one."""
    if f.inputs is None:
        raise RuntimeError(FREED_MESSAGE)
    f.check_saved_versions()
    if f.tensor_hooks:
        grad_outputs = gradients_after_hooks(f, grad_outputs)
    anomaly = STATE.anomaly_enabled
    STATE.anomaly_enabled = False  # blame f.backward below, not the ops it calls
    try:
        grads = _gradients_of(f, grad_outputs, wanted, create_graph)
    finally:
        STATE.anomaly_enabled = anomaly
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(f.inputs):
        raise RuntimeError(f"{f.name}.backward returned {len(grads)} gradients for "
                           f"{len(f.inputs)} inputs")
    deliveries = []
    for index, (t, grad, is_wanted) in enumerate(zip(f.inputs, grads, wanted)):
        if not is_wanted or grad is None:
            continue
        grad = _checked_gradient(f, index, t, grad)
        if anomaly:
            function_module.anomaly_check_backward(f, index, grad)
        creator, output_index = f.edges[index]
        deliveries.append((creator, output_index, t, grad))
    return deliveries


def _gradients_of(f, grad_outputs, wanted, create_graph):
    """f's gradients in Tensor ops (``backward_for`` gets the wanted inputs as an argument);
    or, where f offers backward_arrays and no graph of this pass is wanted, the same numbers
    computed on raw arrays for the inputs recorded as needing them (see function.py)."""
    if not create_graph and f.backward_arrays is not None:
        grads = f.backward_arrays(*[None if g is None else g.array for g in grad_outputs])
        if not isinstance(grads, tuple):
            grads = (grads,)
        return tuple([None if g is None else Tensor(g) for g in grads])
    if f.backward_for is not None:
        return f.backward_for(wanted, *grad_outputs)
    return f.backward(*grad_outputs)


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
