"""Exercise topological_order: in which order backward visits the graph.

A Function's backward may run only once every gradient for its outputs has
arrived, that is after the backward of every Function that used one of its
outputs (its consumers).  Given the tensors backward starts from (``roots``),
list every Function reachable from them, each once, each after all of its
reachable consumers.

What you can read: ``t.creator`` (the Function that made tensor t, None for a
leaf), and for a Function f, ``f.edges``: one ``(creator, output_index)`` per
input of f, creator None where the input is a leaf.  Functions are hashable
(by identity): use them as dict keys or in sets.

The questions.  When is a Function ready to be listed, and how do you know how
many consumers it is still waiting for?  A DDPM's U-Net, or a chain of 10,000
ops, is a graph deeper than Python's recursion limit (about 1,000 calls): what
must your walk use instead of recursion?  And a Function whose output is used
twice is reached twice: how do you list it once?

Your task: write ``topological_order(roots)``, returning a list of Functions.
``check`` plugs it into the engine and runs the engine's backward tests.
"""


def topological_order(roots):
    raise NotImplementedError("write topological_order")
