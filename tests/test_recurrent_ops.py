"""The fused LSTM cell update against its op-by-op oracle: values, gradients of both
outputs, second derivatives, and the array backward against the differentiable one."""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as torch
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.ops.recurrent import LSTMUpdate, lstm_update, lstm_update_reference

SHAPES = st.sampled_from([((2, 12), (2, 3)), ((1, 8), (1, 2)), ((2, 8, 3), (2, 2, 3))])


def inputs(shapes, seed):
    rng = numpy.random.default_rng(seed)
    gates_shape, c_shape = shapes
    return (Tensor(rng.standard_normal(gates_shape), requires_grad=True),
            Tensor(rng.standard_normal(c_shape), requires_grad=True))


@settings(max_examples=20, deadline=None)
@given(shapes=SHAPES, seed=st.integers(0, 1000))
def test_values_and_gradients_are_the_op_by_op_composition(shapes, seed):
    gates, c = inputs(shapes, seed)
    rng = numpy.random.default_rng(seed + 1)
    v_h, v_c = (Tensor(rng.standard_normal(c.shape)) for _ in range(2))
    results = []
    for fn in (lstm_update, lstm_update_reference):
        h, c_next = fn(gates, c)
        g_gates, g_c = torch.autograd.grad((h * v_h).sum() + (c_next * v_c).sum(), [gates, c])
        results.append([t.detach().numpy() for t in (h, c_next, g_gates, g_c)])
    for fused, reference in zip(*results):
        numpy.testing.assert_allclose(fused, reference, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shapes", [((2, 12), (2, 3)), ((2, 8, 3), (2, 2, 3))])
def test_first_and_second_derivatives_agree_with_finite_differences(shapes):
    gates, c = inputs(shapes, 0)
    assert gradcheck(lambda a, b: lstm_update(a, b), (gates, c)).passed
    assert gradgradcheck(lambda a, b: lstm_update(a, b), (gates, c)).passed


@pytest.mark.parametrize("reached", ["h", "c", "both"])
def test_the_array_backward_gives_the_differentiable_backwards_numbers(reached):
    gates, c = inputs(((2, 12), (2, 3)), 1)
    op = LSTMUpdate()
    op(gates, c)
    rng = numpy.random.default_rng(2)
    gh = None if reached == "c" else rng.standard_normal((2, 3))
    gc = None if reached == "h" else rng.standard_normal((2, 3))
    from_arrays = op.backward_arrays(gh, gc)
    with torch.no_grad():
        from_tensors = op.backward(*(None if g is None else Tensor(g) for g in (gh, gc)))
    for a, t in zip(from_arrays, from_tensors):
        numpy.testing.assert_allclose(a, t.numpy(), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------
# A whole layer as one op
# ----------------------------------------------------------------------------
from autograd.ops.recurrent import LSTMLayer, lstm_layer, lstm_layer_reference  # noqa: E402


def layer_inputs(length, n, hidden, seed):
    rng = numpy.random.default_rng(seed)
    return tuple(Tensor(rng.standard_normal(shape) * scale, requires_grad=True) for shape, scale in
                 (((length, n, 4 * hidden), 1.0), ((n, hidden), 0.5), ((n, hidden), 0.5),
                  ((4 * hidden, hidden), 0.4)))


@settings(max_examples=20, deadline=None)
@given(length=st.integers(1, 5), n=st.integers(1, 3), hidden=st.integers(1, 3), reverse=st.booleans(),
       seed=st.integers(0, 1000))
def test_the_layer_is_its_loop_in_values_and_gradients(length, n, hidden, reverse, seed):
    """Outputs and every input's gradient (through the array backward) equal the loop's."""
    inputs = layer_inputs(length, n, hidden, seed)
    rng = numpy.random.default_rng(seed + 1)
    weights = [Tensor(rng.standard_normal(shape)) for shape in ((length, n, hidden), (n, hidden), (n, hidden))]
    results = []
    for fn in (lstm_layer, lstm_layer_reference):
        outputs = fn(*inputs, reverse=reverse)
        loss = sum((y * w).sum() for y, w in zip(outputs, weights))
        grads = torch.autograd.grad(loss, inputs)
        results.append([t.detach().numpy() for t in (*outputs, *grads)])
    for fused, reference in zip(*results):
        numpy.testing.assert_allclose(fused, reference, rtol=1e-11, atol=1e-13)


def test_the_layers_second_derivatives_agree_with_finite_differences():
    """create_graph goes through backward, the reference loop differentiated again."""
    inputs = layer_inputs(3, 2, 2, 0)
    for reverse in (False, True):
        assert gradcheck(lambda *t: lstm_layer(*t, reverse=reverse), inputs).passed
        assert gradgradcheck(lambda *t: lstm_layer(*t, reverse=reverse), inputs).passed


def test_only_the_final_state_reaching_the_loss_is_enough():
    """Outputs no gradient reached arrive as None, in both backwards."""
    inputs = layer_inputs(4, 2, 3, 5)
    for create_graph in (False, True):
        _, h, _ = lstm_layer(*inputs)
        fused = torch.autograd.grad(h.sum(), inputs, create_graph=create_graph)
        _, h, _ = lstm_layer_reference(*inputs)
        reference = torch.autograd.grad(h.sum(), inputs)
        for a, b in zip(fused, reference):
            numpy.testing.assert_allclose(a.detach().numpy(), b.numpy(), rtol=1e-11, atol=1e-13)
    assert LSTMLayer.backward_arrays is not None
