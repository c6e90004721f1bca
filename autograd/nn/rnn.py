"""Recurrent layers: RNN, LSTM, GRU and their cells, with PyTorch's arguments, parameter
names, gate order, initialisation and return values.

A recurrent layer is a cell applied along time: h_t = cell(x_t, h_{t-1}).  Backpropagation
through time needs nothing special here: the loop below records every step's ops, and
``backward`` walks them in reverse like any other graph.  Two things are done for
speed without changing the arithmetic: the input-to-hidden products of all time steps
are one matrix product before the loop (they do not depend on h), and the loop then adds
the hidden-to-hidden product step by step.

Gates, as PyTorch orders the rows of ``weight_ih`` and ``weight_hh`` (Hochreiter and
Schmidhuber 1997; Cho et al. 2014):

    RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)                 (or relu)
    LSTM:  i, f, g, o = chunks of (W_ih x + b_ih + W_hh h + b_hh)
           c' = sigmoid(f) c + sigmoid(i) tanh(g),   h' = sigmoid(o) tanh(c')
    GRU:   r, z, n rows;  r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z likewise,
           n = tanh(W_in x + b_in + r (W_hn h + b_hn)),   h' = (1 - z) n + z h

Every weight and bias starts uniform in (-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
"""
import math

from .. import creation
from ..ops import shape as shape_ops
from ..ops.recurrent import lstm_layer, lstm_update
from . import functional as F
from . import init
from .checks import expect_input
from .module import Module
from .parameter import Parameter

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ----------------------------------------------------------------------------
# One step of each cell, on projected inputs: xw = x W_ih^T + b_ih is given
# ----------------------------------------------------------------------------
def _hidden_product(h, w_hh, b_hh):
    hw = h @ w_hh.T
    return hw if b_hh is None else hw + b_hh


def rnn_step(xw, state, w_hh, b_hh, nonlinearity="tanh"):
    pre = xw + _hidden_product(state, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_step(xw, state, w_hh, b_hh):
    """The gates i, f, g, o from four blocks of the pre-activations; c' = f c + i g and
    h' = o tanh(c') in one op (``lstm_update``; ``lstm_update_reference`` spells it out)."""
    h, c = state
    return lstm_update(xw + _hidden_product(h, w_hh, b_hh), c, dim=1)


def gru_step(xw, state, w_hh, b_hh):
    x_r, x_z, x_n = xw.chunk(3, -1)
    h_r, h_z, h_n = _hidden_product(state, w_hh, b_hh).chunk(3, -1)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * state


def _step_function(mode):
    if mode == "LSTM":
        return lstm_step
    if mode == "GRU":
        return gru_step
    nonlinearity = "tanh" if mode == "RNN_TANH" else "relu"
    return lambda xw, state, w_hh, b_hh: rnn_step(xw, state, w_hh, b_hh, nonlinearity)


def _project(x, w_ih, b_ih):
    xw = x @ w_ih.T
    return xw if b_ih is None else xw + b_ih


# ----------------------------------------------------------------------------
# The layers
# ----------------------------------------------------------------------------
class RNNBase(Module):
    """The stack of layers and directions shared by RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        _check_sizes(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if not 0 <= float(dropout) <= 1:
            raise ValueError(f"{name}: dropout must be in [0, 1], got {dropout}")
        if proj_size:
            raise NotImplementedError(f"{name}: proj_size (LSTM projections) is not implemented")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        directions = 2 if bidirectional else 1
        gate_size = GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = {f"weight_ih_l{layer}{suffix}": (gate_size, layer_input),
                          f"weight_hh_l{layer}{suffix}": (gate_size, hidden_size)}
                if bias:
                    shapes[f"bias_ih_l{layer}{suffix}"] = (gate_size,)
                    shapes[f"bias_hh_l{layer}{suffix}"] = (gate_size,)
                for param_name, shape in shapes.items():
                    setattr(self, param_name, Parameter(creation.empty(*shape, dtype=dtype, device=device)))
                    self._flat_weights_names.append(param_name)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _layer_weights(self, layer, suffix):
        get = lambda kind: getattr(self, f"{kind}_l{layer}{suffix}", None)  # noqa: E731
        return get("weight_ih"), get("bias_ih"), get("weight_hh"), get("bias_hh")

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        for key, default in (("bias", True), ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                text += f", {key}={getattr(self, key)}"
        return text

    # -- forward --------------------------------------------------------------
    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's argument name
        x, batched = self._time_major(input)
        states = self._initial_states(x, hx, batched)
        step = _step_function(self.mode)
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(("", "_reverse")[:2 if self.bidirectional else 1]):
                index = layer * (2 if self.bidirectional else 1) + direction
                out, final = _run_direction(step, x, states[index], self._layer_weights(layer, suffix),
                                            reverse=direction == 1)
                outputs.append(out)
                finals.append(final)
            x = outputs[0] if len(outputs) == 1 else shape_ops.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return self._outputs(x, finals, batched)

    def _time_major(self, input):  # noqa: A002
        name = self._name()
        expect_input(name, input, f"(L, N, {self.input_size}) or (L, {self.input_size})"
                     + (" with batch_first: (N, L, ...)" if self.batch_first else ""),
                     input.ndim in (2, 3) and input.shape[-1] == self.input_size)
        if input.ndim == 2:
            return input.unsqueeze(1), False           # unbatched: (L, 1, H_in)
        return (input.transpose(0, 1) if self.batch_first else input), True

    def _initial_states(self, x, hx, batched):
        """One initial state per (layer, direction): zeros unless hx is given."""
        count = self.num_layers * (2 if self.bidirectional else 1)
        shape = (count, x.shape[1], self.hidden_size)
        if hx is None:
            zeros = creation.zeros(*shape, dtype=x.dtype, device=x.device)
            pairs = (zeros, zeros) if self.mode == "LSTM" else (zeros,)
        else:
            pairs = hx if self.mode == "LSTM" else (hx,)
            if self.mode == "LSTM" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
                raise TypeError(f"{self._name()}: hx must be a tuple (h_0, c_0)")
            pairs = tuple(self._checked_state(s, shape, batched) for s in pairs)
        if self.mode == "LSTM":
            return [(pairs[0][k], pairs[1][k]) for k in range(count)]
        return [pairs[0][k] for k in range(count)]

    def _checked_state(self, state, shape, batched):
        expected = shape if batched else (shape[0], shape[2])
        if tuple(state.shape) != expected:
            raise ValueError(f"{self._name()}: expected hidden state of shape {expected}, "
                             f"got {tuple(state.shape)}")
        return state if batched else state.unsqueeze(1)

    def _outputs(self, x, finals, batched):
        if self.mode == "LSTM":
            h_n = shape_ops.stack([h for h, _ in finals])
            c_n = shape_ops.stack([c for _, c in finals])
        else:
            h_n = shape_ops.stack(finals)
        if not batched:
            x = x.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if self.mode == "LSTM" else None
        elif self.batch_first:
            x = x.transpose(0, 1)
        return (x, (h_n, c_n)) if self.mode == "LSTM" else (x, h_n)

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def flatten_parameters(self):
        """PyTorch compacts cuDNN's weight memory here; there is nothing to compact."""


def _run_direction(step, x, state, weights, reverse=False):
    """Run one layer in one direction over x (L, N, H_in): outputs (L, N, H) and the final
    state.  The reverse direction reads time backwards and writes its outputs in place."""
    w_ih, b_ih, w_hh, b_hh = weights
    projected = _project(x, w_ih, b_ih)            # all time steps at once: (L, N, gates)
    if step is lstm_step:   # the whole layer as one op, the loop below being its definition
        if b_hh is not None:
            projected = projected + b_hh
        hs, h, c = lstm_layer(projected, state[0], state[1], w_hh, reverse)
        return hs, (h, c)
    projected = projected.unbind(0)
    times = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    outputs = [None] * x.shape[0]
    for t in times:
        state = step(projected[t], state, w_hh, b_hh)
        outputs[t] = state[0] if isinstance(state, tuple) else state
    return shape_ops.stack(outputs), state


class RNN(RNNBase):
    """Elman RNN: h' = tanh (or relu) of W_ih x + b_ih + W_hh h + b_hh."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; returns ``output, (h_n, c_n)``."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit."""

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


# ----------------------------------------------------------------------------
# The cells: one time step, parameters without the layer suffix
# ----------------------------------------------------------------------------
class RNNCellBase(Module):
    def __init__(self, mode, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        _check_sizes(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        self.mode, self.input_size, self.hidden_size, self.bias = mode, input_size, hidden_size, bias
        gates = GATES[mode] * hidden_size
        self.weight_ih = Parameter(creation.empty(gates, input_size, dtype=dtype, device=device))
        self.weight_hh = Parameter(creation.empty(gates, hidden_size, dtype=dtype, device=device))
        self.bias_ih = Parameter(creation.empty(gates, dtype=dtype, device=device)) if bias else None
        self.bias_hh = Parameter(creation.empty(gates, dtype=dtype, device=device)) if bias else None
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's argument name
        name = f"{type(self).__name__}({self.extra_repr()})"
        expect_input(name, input, f"(N, {self.input_size}) or ({self.input_size},)",
                     input.ndim in (1, 2) and input.shape[-1] == self.input_size)
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        state = self._state(x, hx, batched, name)
        new = _step_function(self.mode)(_project(x, self.weight_ih, self.bias_ih), state,
                                        self.weight_hh, self.bias_hh)
        if batched:
            return new
        return tuple(s.squeeze(0) for s in new) if isinstance(new, tuple) else new.squeeze(0)

    def _state(self, x, hx, batched, name):
        shape = (x.shape[0], self.hidden_size)
        if hx is None:
            zeros = creation.zeros(*shape, dtype=x.dtype, device=x.device)
            return (zeros, zeros) if self.mode == "LSTM" else zeros
        parts = hx if self.mode == "LSTM" else (hx,)
        checked = []
        for part in parts:
            expected = shape if batched else shape[1:]
            if tuple(part.shape) != expected:
                raise ValueError(f"{name}: expected hidden state of shape {expected}, "
                                 f"got {tuple(part.shape)}")
            checked.append(part if batched else part.unsqueeze(0))
        return tuple(checked) if self.mode == "LSTM" else checked[0]


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)


def _check_sizes(name, **sizes):
    for key, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: {key} must be a positive integer, got {value!r}")
