"""Exercise backward_pass: send the gradients back through the graph.

You are given:

    roots, root_grads   the tensors backward starts from, and a gradient for each
    order               every reachable Function, each after all the Functions
                        that used one of its outputs (topological_order's answer)
    call_backward(f, grad_outputs)
                        runs f.backward on a list with one gradient per output of
                        f (None for an output no gradient reached) and returns
                        where the results go: a list of (creator, output_index,
                        tensor, grad), one per input of f that gets a gradient;
                        creator is the Function that made that input (None for
                        a leaf) and output_index which of its outputs it was
    add_to_leaf(t, grad)
                        hands a gradient that reached leaf t to the engine

A tensor made by Function c as output k may be used by several Functions, and
may itself be a root.  The engine's side (checks, ``.grad``, ``grad()``,
freeing saved values) is in the two callables: you only route gradients.

The questions.  A tensor used twice receives two gradients: what is its gradient,
and when may its creator's backward run?  What does a root's gradient have to go
through before anything else, and what if a root is a leaf itself?  Which
Functions in ``order`` do not get a backward call at all?

Your task: write ``backward_pass``.  ``len(f.outputs)`` is the number of outputs
of f.  It returns nothing.  ``check`` plugs it into the engine and runs the
engine's backward tests.
"""


def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
    raise NotImplementedError("write backward_pass")
