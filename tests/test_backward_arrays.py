"""``Function.backward_arrays``: the engine uses it only when no graph of the backward is
built, and every op that offers it gives the same numbers as its differentiable
``backward`` (the definition), for several shapes and dtypes."""
import numpy
import pytest

import autograd as torch
from autograd import Function, Tensor
from autograd.ops.activation import SiLU
from autograd.ops.norm import Normalize
from autograd.ops.recurrent import LSTMLayer, LSTMUpdate


class Doubling(Function):
    """2x, whose two backwards are told apart by what they return."""
    calls = []

    def forward(self, x):
        return 2 * x

    def backward(self, gy):
        Doubling.calls.append("backward")
        return gy * 2

    def backward_arrays(self, gy):
        Doubling.calls.append("arrays")
        return gy * 2


def test_the_engine_uses_the_array_backward_only_without_create_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    Doubling.calls.clear()
    g, = torch.autograd.grad(Doubling()(x).sum(), x)
    assert Doubling.calls == ["arrays"] and not g.requires_grad and g.tolist() == [2.0, 2.0]
    g, = torch.autograd.grad(Doubling()(x).sum(), x, create_graph=True)
    assert Doubling.calls == ["arrays", "backward"]
    Doubling()(x).sum().backward()
    assert Doubling.calls[-1] == "arrays" and x.grad.tolist() == [2.0, 2.0]


def cases():
    rng = numpy.random.default_rng(0)
    for dtype in (numpy.float64, numpy.float32):
        yield "silu", lambda: SiLU(), [rng.standard_normal((3, 4)).astype(dtype)]
        yield "normalize over (0, 2, 3)", lambda: Normalize((0, 2, 3), 1e-5), \
            [rng.standard_normal((4, 3, 2, 2)).astype(dtype)]
        yield "normalize over (1,)", lambda: Normalize((1,), 1e-5), [rng.standard_normal((5, 6)).astype(dtype)]
        yield "lstm update", lambda: LSTMUpdate(1), [rng.standard_normal((2, 8, 3)).astype(dtype),
                                                    rng.standard_normal((2, 2, 3)).astype(dtype)]
        for reverse in (False, True):
            yield f"lstm layer reverse={reverse}", lambda reverse=reverse: LSTMLayer(reverse), [
                rng.standard_normal(shape).astype(dtype) for shape in ((3, 2, 8), (2, 2), (2, 2), (8, 2))]


@pytest.mark.parametrize("name, make, arrays", list(cases()),
                         ids=[f"{c[0]}-{c[2][0].dtype}" for c in cases()])
def test_every_array_backward_gives_its_backwards_numbers(name, make, arrays):
    op = make()
    outputs = op(*[Tensor(a, requires_grad=True) for a in arrays])
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    rng = numpy.random.default_rng(1)
    grads = [rng.standard_normal(y.shape).astype(y.dtype) for y in outputs]
    with torch.no_grad():
        expected = op.backward(*[Tensor(g) for g in grads])
    got = op.backward_arrays(*grads)
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    tolerance = 1e-12 if arrays[0].dtype == numpy.float64 else 1e-5
    for e, a in zip(expected, got):
        assert a.dtype == e.dtype
        numpy.testing.assert_allclose(a, e.detach().numpy(), rtol=tolerance, atol=tolerance)
