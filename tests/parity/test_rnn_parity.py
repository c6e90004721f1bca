"""RNN, LSTM, GRU and their cells against torch 2.13.0, on the same weights, in float64.

Outputs, final states, the input's gradient and every parameter's gradient agree to
rtol 1e-9 / atol 1e-10 over hypothesis-drawn sizes, layer counts, directions,
batch_first, sequence lengths 1 to 7, given or zero initial states, and unbatched
input.  The state_dict keys are PyTorch's, in PyTorch's order, and a state dict moves
both ways.
"""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import autograd  # noqa: E402

RTOL, ATOL = 1e-9, 1e-10
LAYERS = ["RNN", "LSTM", "GRU"]


def twins(name, *args, **kwargs):
    """The same layer in both libraries, with torch's initial weights copied into ours."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(autograd.nn, name)(*args, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: autograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def close(ours, theirs):
    numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=RTOL, atol=ATOL)


def flat(outputs):
    """(output, h_n) or (output, (h_n, c_n)) as a flat list."""
    output, state = outputs
    return [output] + (list(state) if isinstance(state, tuple) else [state])


def weighted_sum(tensors, weights):
    """A loss that gives every output element its own upstream gradient."""
    return sum((t * w).sum() for t, w in zip(tensors, weights))


@st.composite
def layer_configs(draw):
    return {"name": draw(st.sampled_from(LAYERS)), "input_size": draw(st.integers(1, 4)),
            "hidden_size": draw(st.integers(1, 4)), "num_layers": draw(st.integers(1, 3)),
            "bias": draw(st.booleans()), "batch_first": draw(st.booleans()),
            "bidirectional": draw(st.booleans()), "length": draw(st.integers(1, 7)),
            "batch": draw(st.integers(1, 3)), "initial": draw(st.booleans()),
            "unbatched": draw(st.booleans()), "nonlinearity": draw(st.sampled_from(["tanh", "relu"]))}


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(layer_configs())
def test_recurrent_layers_match_torch(c):
    kwargs = dict(num_layers=c["num_layers"], bias=c["bias"], batch_first=c["batch_first"],
                  bidirectional=c["bidirectional"])
    if c["name"] == "RNN":
        kwargs["nonlinearity"] = c["nonlinearity"]
    ours, theirs = twins(c["name"], c["input_size"], c["hidden_size"], **kwargs)
    rng = numpy.random.default_rng(0)
    shape = ((c["length"], c["input_size"]) if c["unbatched"] else
             (c["batch"], c["length"], c["input_size"]) if c["batch_first"] else
             (c["length"], c["batch"], c["input_size"]))
    x = rng.standard_normal(shape)
    states = []
    if c["initial"]:
        count = c["num_layers"] * (2 if c["bidirectional"] else 1)
        state_shape = (count, c["hidden_size"]) if c["unbatched"] else (count, c["batch"], c["hidden_size"])
        states = [rng.standard_normal(state_shape) for _ in range(2 if c["name"] == "LSTM" else 1)]

    def run(lib, layer):
        xs = lib.tensor(x, requires_grad=True)
        hs = [lib.tensor(s, requires_grad=True) for s in states]
        hx = None if not hs else (tuple(hs) if c["name"] == "LSTM" else hs[0])
        outputs = flat(layer(xs, hx))
        weights = [numpy.random.default_rng(k + 1).standard_normal(tuple(o.shape))
                   for k, o in enumerate(outputs)]
        weighted_sum(outputs, [lib.tensor(w) for w in weights]).backward()
        return outputs, [xs] + hs

    our_outputs, our_inputs = run(autograd, ours)
    their_outputs, their_inputs = run(torch, theirs)
    for a, b in zip(our_outputs, their_outputs):
        assert tuple(a.shape) == tuple(b.shape)
        close(a, b)
    for a, b in zip(our_inputs, their_inputs):
        close(a.grad, b.grad)
    for (name, a), (other, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == other
        close(a.grad, b.grad)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(name, batched, bias):
    ours, theirs = twins(name, 3, 5, bias=bias)
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((4, 3) if batched else (3,))
    state_shape = (4, 5) if batched else (5,)
    states = [rng.standard_normal(state_shape) for _ in range(2 if name == "LSTMCell" else 1)]
    results = []
    for lib, cell in ((autograd, ours), (torch, theirs)):
        xs = lib.tensor(x, requires_grad=True)
        hs = [lib.tensor(s, requires_grad=True) for s in states]
        out = cell(xs, tuple(hs) if name == "LSTMCell" else hs[0])
        out = list(out) if isinstance(out, tuple) else [out]
        weighted_sum(out, [lib.tensor(numpy.full(tuple(o.shape), 0.5 + k)) for k, o in enumerate(out)]).backward()
        results.append((out, [t.grad for t in [xs] + hs], [p.grad for p in cell.parameters()]))
    (our_out, our_grads, our_params), (their_out, their_grads, their_params) = results
    for a, b in zip(our_out + our_grads + our_params, their_out + their_grads + their_params):
        close(a, b)


def test_a_cell_without_a_state_starts_from_zeros():
    ours, theirs = twins("LSTMCell", 2, 3)
    x = numpy.random.default_rng(2).standard_normal((5, 2))
    for a, b in zip(ours(autograd.tensor(x)), theirs(torch.tensor(x))):
        close(a, b)


@pytest.mark.parametrize("name", LAYERS)
def test_state_dicts_move_both_ways(name):
    ours, theirs = twins(name, 3, 4, num_layers=2, bidirectional=True)
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(1.0)
    ours.load_state_dict({k: autograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    fresh = getattr(torch.nn, name)(3, 4, num_layers=2, bidirectional=True).double()
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for (k, a), (_, b) in zip(fresh.state_dict().items(), theirs.state_dict().items()):
        assert torch.equal(a, b), k


@pytest.mark.parametrize("name", LAYERS)
def test_initialisation_is_uniform_within_one_over_root_hidden(name):
    layer = getattr(autograd.nn, name)(8, 16, num_layers=2)
    values = numpy.concatenate([p.detach().numpy().ravel() for p in layer.parameters()])
    bound = 1 / 16 ** 0.5
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.8 * bound and values.max() > 0.8 * bound
