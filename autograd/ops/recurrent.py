"""The LSTM's cell update as one op: gates and the old cell in, the new output and cell out.

An LSTM step is a matrix product (the gates' pre-activations, ``a``) followed by a
dozen small elementwise ops on a's four blocks (PyTorch's order: input, forget, cell,
output):

    i, f, g, o = sigmoid(a_i), sigmoid(a_f), tanh(a_g), sigmoid(a_o)
    c' = f * c + i * g
    h' = o * tanh(c')

Recorded op by op, a 28-step, 2-layer LSTM makes about 1,500 small nodes per forward
and as many backward calls, and their per-call cost is most of its step
(``benchmarks/processes.py lstm``).  ``LSTMUpdate`` does the elementwise part in one
node.  Its ``backward`` is written with Tensor ops, so it is differentiable again
(``create_graph=True``); ``backward_arrays`` computes the same numbers on the arrays
forward saved, which the engine uses when no graph of the backward is being built
(see ``function.py``).  ``lstm_update_reference`` is the op-by-op
composition, the oracle both are tested against (``tests/test_recurrent_ops.py``).
"""
from .. import backend
from ..function import Function
from .activation import _sigmoid
from .shape import cat


def _split4(array, dim):
    xp = backend.get_array_module(array)
    return xp.split(array, 4, axis=dim)


class LSTMUpdate(Function):
    """(gates (N, 4H, ...), c (N, H, ...)) -> (h', c'), the gates' blocks along ``dim``."""

    def __init__(self, dim=1):
        self.dim = dim

    def forward(self, gates, c):
        xp = backend.get_array_module(gates)
        a_i, a_f, a_g, a_o = _split4(gates, self.dim)
        i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), xp.tanh(a_g), _sigmoid(a_o)
        c_next = f * c + i * g
        tanh_c = xp.tanh(c_next)
        self.saved = (i, f, g, o, tanh_c)    # for backward_arrays only
        return o * tanh_c, c_next

    def backward(self, gh, gc):
        """In Tensor ops, recomputing the gates from the inputs: differentiable again."""
        gates, c = self.inputs
        a_i, a_f, a_g, a_o = gates.chunk(4, self.dim)
        i, f, g, o = a_i.sigmoid(), a_f.sigmoid(), a_g.tanh(), a_o.sigmoid()
        tanh_c = (f * c + i * g).tanh()
        through_c = _lstm_cell_gradient(gh, gc, o, tanh_c)
        blocks = [through_c * g * i * (1 - i), through_c * c * f * (1 - f),
                  through_c * i * (1 - g * g)]
        blocks.append(o * 0 if gh is None else gh * tanh_c * o * (1 - o))
        return cat(blocks, self.dim), through_c * f

    def backward_arrays(self, gh, gc):
        """The same numbers as ``backward``, on arrays (gh or gc None: no gradient)."""
        xp = backend.get_array_module(gh if gh is not None else gc)
        i, f, g, o, tanh_c = self.saved
        c = self.inputs[1].array
        through_c = _lstm_cell_gradient(gh, gc, o, tanh_c)
        go = xp.zeros_like(o) if gh is None else gh * tanh_c * o * (1 - o)
        blocks = (through_c * g * i * (1 - i), through_c * c * f * (1 - f),
                  through_c * i * (1 - g * g), go)
        return xp.concatenate(blocks, axis=self.dim), through_c * f


def _lstm_cell_gradient(gh, gc, o, tanh_c):
    """dL/dc': c' reaches the loss directly (gc) and through h' = o tanh(c') (gh)."""
    through_h = None if gh is None else gh * o * (1 - tanh_c * tanh_c)
    if gc is None:
        return through_h
    return gc if through_h is None else gc + through_h


def lstm_update(gates, c, dim=1):
    """The LSTM's new output and cell from the gates' pre-activations and the old cell."""
    return LSTMUpdate(dim)(gates, c)


def lstm_update_reference(gates, c, dim=1):
    """The same, op by op: the oracle for LSTMUpdate."""
    a_i, a_f, a_g, a_o = gates.chunk(4, dim)
    c_next = a_f.sigmoid() * c + a_i.sigmoid() * a_g.tanh()
    return a_o.sigmoid() * c_next.tanh(), c_next
