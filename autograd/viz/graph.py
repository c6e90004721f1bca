"""Draw the computation graph behind a tensor, with matplotlib only (no graphviz).

The graph is read from the engine's own links: a tensor's ``creator`` is the
Function that made it, and that Function's ``inputs`` are the tensors it
consumed.  Leaves (tensors with no creator) are the inputs and constants.

Layout: each node goes in a layer equal to the length of the longest path from
a leaf up to it, so every arrow points to a later layer; leaves are on the
left, the result on the right.  Nodes in one layer are stacked vertically.
"""
import dataclasses
import pathlib


@dataclasses.dataclass
class Node:
    key: int          # id() of the Function or leaf Tensor
    label: str        # op name or input name, and shape
    kind: str         # "op", "input" (requires grad) or "constant"
    layer: int = 0


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _leaf_label(tensor, names):
    if id(tensor) in names:
        return f"{names[id(tensor)]}\n{_shape_text(tensor.shape)}"
    if tensor.array.size == 1:
        return f"{tensor.array.reshape(()).item():.3g}"
    return f"const\n{_shape_text(tensor.shape)}"


def _op_label(function):
    output = function.outputs[0]() if function.outputs else None
    return function.name + (f"\n{_shape_text(output.shape)}" if output is not None else "")


def graph_layers(tensor, names=None):
    """The nodes and edges of the graph that made ``tensor``: (nodes by key, edges
    as (from key, to key)), each node with its layer.  ``names`` maps input tensors
    to the names shown for them."""
    names = {id(t): n for n, t in (names or {}).items()}
    nodes, edges = {}, []
    if tensor.creator is None:
        kind = "input" if tensor.requires_grad else "constant"
        nodes[id(tensor)] = Node(id(tensor), _leaf_label(tensor, names), kind)
        return nodes, edges
    stack = [tensor.creator]
    nodes[id(tensor.creator)] = Node(id(tensor.creator), _op_label(tensor.creator), "op")
    while stack:  # an explicit stack: deep graphs do not overflow Python's recursion limit
        function = stack.pop()
        if function.inputs is None:
            raise RuntimeError("draw_graph: the graph was freed by backward(); draw it before "
                               "backward, or pass retain_graph=True")
        for t in function.inputs:
            source = t.creator if t.creator is not None else t
            if id(source) not in nodes:
                if t.creator is not None:
                    nodes[id(source)] = Node(id(source), _op_label(source), "op")
                    stack.append(source)
                else:
                    kind = "input" if t.requires_grad else "constant"
                    nodes[id(source)] = Node(id(source), _leaf_label(t, names), kind)
            edges.append((id(source), id(function)))
    _assign_layers(nodes, edges)
    return nodes, edges


def _assign_layers(nodes, edges):
    """layer = longest path from a leaf (Kahn's algorithm: a node is placed once all
    of its inputs are)."""
    incoming = {key: 0 for key in nodes}
    consumers = {key: [] for key in nodes}
    for source, target in edges:
        incoming[target] += 1
        consumers[source].append(target)
    ready = [key for key, count in incoming.items() if count == 0]
    while ready:
        key = ready.pop()
        for target in consumers[key]:
            nodes[target].layer = max(nodes[target].layer, nodes[key].layer + 1)
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    for source, target in edges:  # a constant sits just before the op that uses it
        if nodes[source].kind == "constant":
            nodes[source].layer = max(0, nodes[target].layer - 1)


def _positions(layers, edges):
    """(x, y) of each node: x its layer; within a layer, nodes ordered by the mean
    height of their inputs (fewer crossing arrows), centred on y = 0."""
    sources = {}
    for source, target in edges:
        sources.setdefault(target, []).append(source)
    position = {}
    for layer in sorted(layers):
        def height(node):
            ys = [position[s][1] for s in sources.get(node.key, []) if s in position]
            return -sum(ys) / len(ys) if ys else 0.0
        column = sorted(layers[layer], key=lambda n: (height(n), n.label))
        for row, node in enumerate(column):
            position[node.key] = (layer, (len(column) - 1) / 2 - row)
    return position


COLOURS = {"op": "#dbe9f6", "input": "#fde0c5", "constant": "#eeeeee"}


def draw_graph(tensor, path, names=None, title=None):
    """Save a picture of the graph that made ``tensor`` to ``path``; ``names`` maps
    names to input tensors, e.g. {"a": a, "b": b}.  Returns the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    nodes, edges = graph_layers(tensor, names)
    layers = {}
    for node in nodes.values():
        layers.setdefault(node.layer, []).append(node)
    height = max(len(column) for column in layers.values())
    figure = Figure(figsize=(2.2 * len(layers) + 1, 1.2 * height + 1))
    FigureCanvasAgg(figure)
    axis = figure.add_subplot()
    position = _positions(layers, edges)
    for source, target in edges:
        axis.annotate("", xy=position[target], xytext=position[source],
                      arrowprops=dict(arrowstyle="->", color="#555555", shrinkA=22, shrinkB=22))
    for node in nodes.values():
        axis.text(*position[node.key], node.label, ha="center", va="center", fontsize=9,
                  bbox=dict(boxstyle="round,pad=0.4", facecolor=COLOURS[node.kind], edgecolor="#333333"))
    axis.set_xlim(-0.6, len(layers) - 0.4)
    axis.set_ylim(-height / 2 - 0.1, height / 2 + 0.1)
    axis.axis("off")
    axis.set_title(title or "computation graph (inputs left, result right)", fontsize=10)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90, bbox_inches="tight")
    return path
