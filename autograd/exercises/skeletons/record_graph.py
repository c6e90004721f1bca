"""Exercise record_graph: link a Function into the graph when it is called.

``Function.__call__`` runs forward on raw arrays and wraps the results in new
output Tensors.  When grad mode is on and some input requires grad, it then
calls ``record_graph(function, inputs, outputs)``, and that call is all the
graph there is: backward later walks from each tensor's ``creator`` to the
Function's ``edges``, and from there to the Functions before it.

What the engine reads (set these):

    function.inputs            the input Tensors, a tuple
    function.edges             one (creator, output_index) per input, a tuple:
                               which Function made that input, and which of
                               its outputs it was (creator None for a leaf)
    function.needs_input_grad  one bool per input, a tuple: does it require grad?
    function.outputs           a list, one entry per output, from which
                               ``function.outputs[k]()`` gives output k back
    output.creator, output.output_index   on each output

The questions.  An input may be changed in place after this call (``x.mul_(2)``
gives x a new creator): which creator must this Function lead back to, the one
that made the value it used or whatever x's creator is at backward time?  And an
output holds its creator through ``creator``: what must the Function hold its
outputs by, so that a graph nobody uses any more can be freed at once, without
waiting for the garbage collector to find a cycle?

Your task: write ``record_graph``.  ``check`` plugs it into the engine and runs
the engine's tests (backward, in-place ops, views) with it.
"""
import weakref  # noqa: F401


def record_graph(function, inputs, outputs):
    raise NotImplementedError("write record_graph")
