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
from ..autograd import grad
from ..function import Function
from ..grad_mode import enable_grad
from .activation import _sigmoid
from .shape import cat, stack


def _split4(array, dim):
    xp = backend.get_array_module(array)
    return xp.split(array, 4, axis=dim)


def _blocks(gates):
    """The four gate blocks i, f, g, o along the last axis, as views."""
    hidden = gates.shape[-1] // 4
    return tuple(gates[..., k * hidden:(k + 1) * hidden] for k in range(4))


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


# ----------------------------------------------------------------------------
# A whole LSTM layer, one direction, as one op
# ----------------------------------------------------------------------------
class LSTMLayer(Function):
    """(xw (L, N, 4H), h0 (N, H), c0 (N, H), w_hh (4H, H)) -> (hs (L, N, H), h_L, c_L).

    xw holds every step's input projection with both biases already added, so step t
    (in reverse order when ``reverse``) is  gates = xw[t] + h @ w_hh^T, then the cell
    update.  ``lstm_layer_reference`` is the same loop, op by op: the definition, and
    what ``backward`` differentiates (so create_graph works).  ``backward_arrays`` is
    backpropagation through time written out on arrays: one pass back over the steps,
    and the recurrent weight's gradient as one product over all steps at once,
    sum_t ga_t^T h_{t-1}, instead of one small product per step.
    """

    def __init__(self, reverse=False):
        self.reverse = reverse

    def _times(self, length):
        return range(length - 1, -1, -1) if self.reverse else range(length)

    def _before(self, states, first):
        """The state each step started from: ``first`` for the first step, else the
        previous step's (in the direction the layer runs)."""
        xp = backend.get_array_module(states)
        if self.reverse:
            return xp.concatenate([states[1:], first[None]])
        return xp.concatenate([first[None], states[:-1]])

    def forward(self, xw, h0, c0, w_hh):
        xp = backend.get_array_module(xw)
        hidden = h0.shape[1]
        self.gates = xp.empty_like(xw)           # i, f, g, o after squashing, every step
        hs = xp.empty((xw.shape[0],) + h0.shape, dtype=xw.dtype)
        cs, self.tanh_c = xp.empty_like(hs), xp.empty_like(hs)
        h, c, w_t = h0, c0, w_hh.T
        for t in self._times(xw.shape[0]):
            a = xw[t] + h @ w_t
            gates = self.gates[t]
            gates[...] = _sigmoid(a)               # i, f and o; the cell block is redone:
            xp.tanh(a[:, 2 * hidden:3 * hidden], out=gates[:, 2 * hidden:3 * hidden])
            i, f, g, o = _blocks(gates)
            c = cs[t] = f * c + i * g
            h = hs[t] = o * xp.tanh(c, out=self.tanh_c[t])
        self.hs, self.cs = hs, cs
        return hs, h.copy(), c.copy()

    def backward_for(self, wanted, g_hs, g_h, g_c):
        """The reference loop rebuilt from the inputs and differentiated with create_graph:
        slow, but differentiable again (used only for create_graph=True)."""
        with enable_grad():
            outputs = lstm_layer_reference(*self.inputs, reverse=self.reverse)
        pairs = [(y, g) for y, g in zip(outputs, (g_hs, g_h, g_c)) if g is not None]
        inputs = [t for t, needs in zip(self.inputs, wanted) if needs]
        grads = iter(grad([y for y, _ in pairs], inputs, [g for _, g in pairs],
                          create_graph=True, allow_unused=True))
        return tuple(next(grads) if needs else None for needs in wanted)

    def backward_arrays(self, g_hs, g_h, g_c):
        """Backpropagation through time.  Everything that does not depend on the gradient
        arriving from later steps is computed for all steps at once first; the loop back
        over the steps then does only what must be sequential."""
        xw, h0, c0, w_hh = (t.array for t in self.inputs)
        xp = backend.get_array_module(xw)
        hidden = h0.shape[1]
        i, f, g, o = _blocks(self.gates)                       # each (L, N, H)
        tanh_c = self.tanh_c
        c_before = self._before(self.cs, c0)
        # d gates / d a times what each gate multiplies: the gates' gradient is
        # through_c * (these three) for i, f, g and gh * (the last) for o
        scale = xp.stack([g * i * (1 - i), c_before * f * (1 - f), i * (1 - g * g)], axis=2)
        scale_o = tanh_c * o * (1 - o)
        h_to_c = o * (1 - tanh_c * tanh_c)                   # d c / d h' along h' = o tanh(c')
        gh = xp.zeros_like(h0) if g_h is None else g_h.copy()
        gc = xp.zeros_like(c0) if g_c is None else g_c
        g_gates = xp.empty_like(xw)
        per_gate = g_gates.reshape(xw.shape[0], h0.shape[0], 4, hidden)    # a view
        for t in reversed(self._times(xw.shape[0])):
            if g_hs is not None:
                gh = gh + g_hs[t]
            through_c = gc + gh * h_to_c[t]
            xp.multiply(scale[t], through_c[:, None], out=per_gate[t, :, :3])
            xp.multiply(gh, scale_o[t], out=per_gate[t, :, 3])
            gh, gc = g_gates[t] @ w_hh, through_c * f[t]
        h_before = self._before(self.hs, h0)
        g_w_hh = g_gates.reshape(-1, 4 * hidden).T @ h_before.reshape(-1, hidden)
        return g_gates, gh, gc, g_w_hh


def lstm_layer(xw, h0, c0, w_hh, reverse=False):
    """Every step of one LSTM layer in one op (``LSTMLayer``)."""
    return LSTMLayer(reverse)(xw, h0, c0, w_hh)


def lstm_layer_reference(xw, h0, c0, w_hh, reverse=False):
    """The same, a loop of ops: the oracle for LSTMLayer."""
    steps = xw.unbind(0)
    times = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    h, c, hs = h0, c0, [None] * len(steps)
    for t in times:
        h, c = lstm_update(steps[t] + h @ w_hh.T, c)
        hs[t] = h
    return stack(hs), h, c
