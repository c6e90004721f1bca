"""Recurrent layers without PyTorch: finite-difference gradients (first and second order),
backpropagation through time, errors, dropout between layers.  (Parity with PyTorch is in
tests/parity/test_rnn_parity.py.)"""
import numpy
import pytest

import autograd
from autograd import gradcheck, gradgradcheck, nn
from autograd.function import ShapeError


def double(module):
    return module.double()


def _leaf(rng, shape):
    return autograd.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_agree_with_finite_differences_to_second_order(name):
    """The cell's step function, with its weights as inputs too."""
    cell = double(getattr(nn, name)(2, 3))
    rng = numpy.random.default_rng(0)
    x, h = _leaf(rng, (2, 2)), _leaf(rng, (2, 3))
    params = list(cell.parameters())
    c = _leaf(rng, (2, 3))

    def run(x, h, c, w_ih, w_hh, b_ih, b_hh):
        from autograd.nn import rnn
        mode = {"RNNCell": "RNN_TANH", "LSTMCell": "LSTM", "GRUCell": "GRU"}[name]
        xw = x @ w_ih.T + b_ih
        state = (h, c) if mode == "LSTM" else h
        return rnn._step_function(mode)(xw, state, w_hh, b_hh)

    inputs = (x, h, c) + tuple(autograd.tensor(p.detach().numpy(), requires_grad=True) for p in params)
    gradcheck(run, inputs)
    gradgradcheck(run, inputs)


def test_backpropagation_through_time_reaches_the_first_input():
    lstm = double(nn.LSTM(2, 3, num_layers=2, bidirectional=True))
    x = _leaf(numpy.random.default_rng(1), (4, 1, 2))
    gradcheck(lambda t: lstm(t)[0], (x,))
    output, (h_n, c_n) = lstm(x)
    h_n[0].sum().backward()   # the last layer-0 forward state depends on every time step
    assert numpy.all(numpy.abs(x.grad.numpy()) > 0)


def test_the_reverse_direction_reads_time_backwards():
    gru = double(nn.GRU(1, 2, bidirectional=True))
    x = _leaf(numpy.random.default_rng(2), (5, 1, 1))
    output, _ = gru(x)
    output[0, 0, 2:].sum().backward()   # the reverse half at t = 0 has seen every step
    assert numpy.all(x.grad.numpy() != 0)
    x.grad = None
    output, _ = gru(x)
    output[0, 0, :2].sum().backward()   # the forward half at t = 0 has seen only x_0
    assert x.grad.numpy()[0] != 0 and numpy.all(x.grad.numpy()[1:] == 0)


def test_bad_input_names_the_layer_the_expected_and_the_actual():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ShapeError, match=r"LSTM\(3, 4\): expected input \(L, N, 3\).*got \(5, 2, 2\)"):
        lstm(autograd.randn(5, 2, 2))
    with pytest.raises(ValueError, match=r"expected hidden state of shape \(1, 2, 4\), got \(1, 3, 4\)"):
        lstm(autograd.randn(5, 2, 3), (autograd.zeros(1, 3, 4), autograd.zeros(1, 3, 4)))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\)"):
        lstm(autograd.randn(5, 2, 3), autograd.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"GRUCell\(3, 4\): expected input \(N, 3\)"):
        nn.GRUCell(3, 4)(autograd.randn(2, 5))


def test_dropout_acts_between_layers_in_training_only():
    autograd.manual_seed(0)
    lstm = nn.LSTM(2, 8, num_layers=2, dropout=0.5)
    x = autograd.randn(3, 4, 2)
    lstm.eval()
    first, second = lstm(x)[0], lstm(x)[0]
    assert numpy.array_equal(first.detach().numpy(), second.detach().numpy())
    lstm.train()
    assert not numpy.allclose(lstm(x)[0].detach().numpy(), first.detach().numpy())


def test_a_sequence_task_learns():
    """An LSTM learns to output the running sign of a sum: its loss falls by 5x."""
    autograd.manual_seed(0)
    rng = numpy.random.default_rng(0)
    lstm, head = nn.LSTM(1, 16, batch_first=True), nn.Linear(16, 1)
    optimizer = autograd.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.02)
    x = rng.standard_normal((64, 10, 1)).astype(numpy.float32)
    target = (numpy.cumsum(x, axis=1) > 0).astype(numpy.float32)
    losses = []
    for _ in range(150):
        out, _ = lstm(autograd.tensor(x))
        loss = nn.functional.binary_cross_entropy_with_logits(head(out), autograd.tensor(target))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    assert losses[-1] < losses[0] / 5, (losses[0], losses[-1])
