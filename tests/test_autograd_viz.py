"""autograd.viz and gradcheck(plot=): Jacobian heatmaps, computation graphs, and the checks
that a gradient is a Tensor."""
import subprocess
import sys

import numpy
import pytest

import autograd as torch
from autograd import Function
from autograd.viz import draw_graph, graph_layers
from autograd.viz import __main__ as viz_cli


class MatMulMissingTranspose(Function):
    """A @ B whose backward multiplies by B reshaped, not transposed."""

    def forward(self, a, b):
        return a @ b

    def backward(self, gc):
        a, b = self.inputs
        return gc @ b.reshape(b.shape[1], b.shape[0]), a.T @ gc


def _inputs():
    a = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, 4, dtype=torch.float64, requires_grad=True)
    return a, b


def test_gradcheck_plot_saves_the_jacobians_and_still_raises(tmp_path):
    path = tmp_path / "jac.png"
    with pytest.raises(torch.GradcheckError) as caught:
        torch.gradcheck(lambda a, b: MatMulMissingTranspose()(a, b), _inputs(), plot=path)
    assert path.stat().st_size > 10_000
    assert caught.value.result.figure == str(path) and str(path) in str(caught.value)
    assert {m.input_index for m in caught.value.result.mismatches} == {0}


def test_gradgradcheck_plot_draws_a_passing_check_too(tmp_path):
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    result = torch.gradgradcheck(lambda t: t.sigmoid(), x, plot=tmp_path / "second.png")
    assert result.passed and result.order == 2 and (tmp_path / "second.png").stat().st_size > 0


def test_importing_the_engine_does_not_import_matplotlib_or_hypothesis():
    code = ("import sys, autograd, autograd.viz, autograd.exercises, autograd.gradcheck; "
            "print('matplotlib' in sys.modules, 'hypothesis' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


# ----------------------------------------------------------------------------
# Graphs
# ----------------------------------------------------------------------------
def _expression():
    a = torch.randn(2, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    return (a * b).sum() + a.exp().mean(), {"a": a, "b": b}


def test_graph_layers_follow_the_creator_links():
    y, names = _expression()
    nodes, edges = graph_layers(y, names)
    labels = sorted(n.label.split("\n")[0] for n in nodes.values())
    # mean is sum then a division by the constant 6
    assert labels == ["6", "Add", "Div", "Exp", "Mul", "Sum", "Sum", "a", "b"]
    assert all(nodes[source].layer < nodes[target].layer for source, target in edges)
    assert nodes[id(y.creator)].layer == max(n.layer for n in nodes.values())
    assert nodes[id(names["a"])].layer == nodes[id(names["b"])].layer == 0
    assert nodes[id(names["a"])].label == "a\n(2, 3)" and nodes[id(y.creator)].label == "Add\n()"
    assert len(edges) == 9  # a, b -> Mul -> Sum -> Add; a -> Exp -> Sum -> Div -> Add; 6 -> Div


def test_draw_graph_writes_a_picture(tmp_path):
    y, names = _expression()
    path = draw_graph(y, tmp_path / "graph.png", names)
    assert path.stat().st_size > 5_000


def test_a_leaf_alone_and_a_deep_chain():
    x = torch.randn(2, requires_grad=True)
    nodes, edges = graph_layers(x, {"x": x})
    assert [n.kind for n in nodes.values()] == ["input"] and edges == []
    y = x
    for _ in range(3000):  # deeper than Python's recursion limit
        y = y * 1.0
    nodes, _ = graph_layers(y)
    assert max(n.layer for n in nodes.values()) == 3000


def test_draw_graph_explains_a_freed_graph(tmp_path):
    y, names = _expression()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        draw_graph(y, tmp_path / "graph.png", names)


def test_command_line_draws_an_expression(tmp_path, capsys):
    out = tmp_path / "g.png"
    assert viz_cli.main(["graph", "F.softmax(a @ w, dim=1).sum()", "--shape", "w=3,4",
                         "--out", str(out)]) == 0
    assert out.stat().st_size > 0 and str(out) in capsys.readouterr().out


def test_command_line_rejects_a_shape_for_an_unknown_name():
    with pytest.raises(ValueError, match="do not appear"):
        viz_cli.tensors_for("a + b", {"c": (2,)})


def test_expression_must_give_a_tensor():
    tensors = viz_cli.tensors_for("a.shape", {})
    with pytest.raises(TypeError, match="not a Tensor"):
        viz_cli.evaluate("a.shape", tensors)


def test_module_runs_as_a_script(tmp_path):
    out = tmp_path / "g.png"
    subprocess.run([sys.executable, "-m", "autograd.viz", "graph", "(a * b).sum()", "--out", str(out)],
                   check=True, capture_output=True)
    assert numpy.frombuffer(out.read_bytes()[:8], numpy.uint8).tolist()[1:4] == list(b"PNG")


class TanhReturningAnArray(Function):
    def forward(self, x):
        return numpy.tanh(x)

    def backward(self, gy):
        return gy.array * (1 - numpy.tanh(self.inputs[0].array) ** 2)


def test_gradcheck_refuses_a_gradient_that_is_not_a_tensor():
    x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    with pytest.raises(TypeError, match="TanhReturningAnArray.backward returned a (numpy|cupy).ndarray for input 0, "
                                        "not a Tensor"):
        torch.gradcheck(lambda t: TanhReturningAnArray()(t), x)
    with pytest.raises(ValueError, match="no floating-point Tensor"):
        torch.gradcheck(lambda t: t.shape, x)
