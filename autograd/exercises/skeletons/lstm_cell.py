"""Exercise lstm_cell: an LSTM cell's step, backpropagated through two time steps, to second order.

Forward (PyTorch's LSTMCell, gates in the order input, forget, cell, output).  For a
batch of N inputs x (N, I), the previous output h (N, H) and cell c (N, H), with weights
W_ih (4H, I), W_hh (4H, H) and bias b (4H,):

    a  = x @ W_ih^T + h @ W_hh^T + b          (N, 4H): four blocks of H columns
    i  = sigmoid(a[:, 0:H])      f = sigmoid(a[:, H:2H])
    g  = tanh(a[:, 2H:3H])       o = sigmoid(a[:, 3H:4H])
    c' = f * c + i * g
    h' = o * tanh(c')

The check runs the cell twice with the same weights, (h1, c1) = step(x1, h0, c0) and
(h2, c2) = step(x2, h1, c1), and differentiates h2 and c2 with respect to everything:
backpropagation through time is the chain rule through the second step's backward
into the first's.

The question.  Given gh' = dL/dh' and gc' = dL/dc' (either may be None: that output
did not reach the loss; the skeleton turns None into zeros), what are dL/dx, dL/dh,
dL/dc, dL/dW_ih, dL/dW_hh and dL/db?  Note that c' reaches the loss by two roads, that
each gate is a function of a, and that the weights and the bias are used by every
sample of the batch.

Your task: write ``LSTMCell.backward``, returning the six gradients in the order of the
inputs.  Second derivatives are checked too, so compute every value from
``self.inputs`` with Tensor ops (recompute the gates; an array saved by forward is a
constant to the second derivative).
"""
import autograd
from autograd import Function, get_array_module


def sigmoid(a):
    xp = get_array_module(a)
    return 1 / (1 + xp.exp(-a))


class LSTMCell(Function):
    def forward(self, x, h, c, w_ih, w_hh, b):
        xp = get_array_module(x)
        hidden = h.shape[1]
        a = x @ w_ih.T + h @ w_hh.T + b
        i, f = sigmoid(a[:, :hidden]), sigmoid(a[:, hidden:2 * hidden])
        g, o = xp.tanh(a[:, 2 * hidden:3 * hidden]), sigmoid(a[:, 3 * hidden:])
        c_next = f * c + i * g
        return o * xp.tanh(c_next), c_next

    def backward(self, gh, gc):
        x, h, c, w_ih, w_hh, b = self.inputs
        gh = autograd.zeros_like(h) if gh is None else gh      # that output did not reach the loss
        gc = autograd.zeros_like(c) if gc is None else gc
        raise NotImplementedError("write LSTMCell.backward")
