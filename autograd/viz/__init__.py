"""Pictures of what the engine computes, drawn with matplotlib only (imported lazily).

* ``plot_jacobians(result, path)``: the analytic and numeric Jacobians of a
  gradient check side by side, and their difference (jacobians.py).
  ``autograd.gradcheck(..., plot="file.png")`` calls it.
* ``draw_graph(tensor, path)``: the computation graph that produced a tensor
  (graph.py); ``python -m autograd.viz graph EXPR`` draws one from an expression.
"""
from .graph import draw_graph, graph_layers  # noqa: F401
from .jacobians import plot_jacobians  # noqa: F401
