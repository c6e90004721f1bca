"""Helpers that run one piece of code under both ``autograd`` and ``torch``.

autograd copies PyTorch's names, so code written against a module namespace
``m`` runs on either library::

    check_parity(lambda m, x, y: m.maximum(x, y), [x_array, y_array])

calls the lambda once with ``m = autograd`` and once with ``m = torch`` (on the
same float64 inputs), then checks that the two agree: forward values, shapes
and dtypes, and, after backpropagating the same random upstream gradient
through both, the gradient of every input.

A few functions that autograd has at top level live only in
``torch.nn.functional`` in PyTorch; ``TORCH`` below is ``torch`` with those
names added, so the lambdas can say ``m.softplus(x)`` for both.
"""
import numpy
import pytest
from numpy.testing import assert_allclose, assert_array_equal

torch = pytest.importorskip("torch")

import autograd  # noqa: E402

RTOL = 1e-6
ATOL = 1e-12  # only matters for values that are (almost) zero


class TorchWithFunctional:
    """``torch``, plus the names autograd has at top level but PyTorch keeps in
    ``torch.nn.functional`` (``autograd.pad(x, ...)`` is ``F.pad(x, ...)``)."""

    FROM_FUNCTIONAL = ("pad", "leaky_relu", "softplus", "silu", "elu")

    def __getattr__(self, name):
        if name in self.FROM_FUNCTIONAL:
            return getattr(torch.nn.functional, name)
        return getattr(torch, name)


TORCH = TorchWithFunctional()
MODULES = {"autograd": autograd, "torch": TORCH}


# ----------------------------------------------------------------------------
# Random inputs
# ----------------------------------------------------------------------------
def _real(rng, shape):
    return rng.standard_normal(shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _nonzero(rng, shape):
    """|x| >= 0.1: keeps abs, relu, ... away from their kink at 0."""
    return rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def _above_minus_one(rng, shape):
    """The domain of log1p, kept away from its pole at -1."""
    return rng.uniform(-0.9, 3.0, shape)


def _distinct(rng, shape):
    """All values different (at least 0.09 apart), so max/min/argmax have no ties."""
    size = int(numpy.prod(shape, dtype=int))
    spaced = (rng.permutation(size) - size / 2) * 0.1
    return (spaced + rng.uniform(0.0, 0.01, size)).reshape(shape)


def _large(rng, shape):
    """Magnitudes up to 500: exp(500) overflows nothing in float64, but exp(800) would;
    stable formulas for sigmoid, softplus, logsumexp, ... must give finite results."""
    values = rng.uniform(-500.0, 500.0, shape)
    values.flat[:2] = [500.0, -500.0][:values.size]
    return values


DOMAINS = {
    "real": _real,
    "positive": _positive,
    "nonzero": _nonzero,
    "above_minus_one": _above_minus_one,
    "distinct": _distinct,
    "large": _large,
}


def random_inputs(shapes, domain="real", seed=0):
    """One float64 NumPy array per shape, drawn from ``DOMAINS[domain]``."""
    rng = numpy.random.default_rng(seed)
    return [numpy.asarray(DOMAINS[domain](rng, shape), dtype=numpy.float64) for shape in shapes]


# ----------------------------------------------------------------------------
# Running a function under both libraries
# ----------------------------------------------------------------------------
def _as_list(outputs):
    """An op may return one tensor or several (split, max(dim) -> values, indices)."""
    return list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]


def _dtype_name(dtype):
    """'float64' for numpy.float64 and for torch.float64 alike."""
    return str(dtype).removeprefix("torch.")


def _run(module_name, fn, arrays):
    """Call ``fn(module, *leaves)``; return the leaves and the list of outputs."""
    m = MODULES[module_name]
    leaves = [m.tensor(a, requires_grad=True) for a in arrays]
    return leaves, _as_list(fn(m, *leaves))


def check_parity(fn, arrays, rtol=RTOL, atol=ATOL, seed=1):
    """Check that ``fn(autograd, ...)`` and ``fn(torch, ...)`` agree, forward and backward.

    ``fn`` takes the module and one tensor per array in ``arrays`` (float64
    NumPy arrays); it returns a tensor or a tuple/list of tensors.  Outputs that
    are integer (indices) are compared exactly and get no gradient.
    """
    ours_in, ours_out = _run("autograd", fn, arrays)
    theirs_in, theirs_out = _run("torch", fn, arrays)

    # forward: same number of outputs, same shapes, dtypes and values
    assert len(ours_out) == len(theirs_out), \
        f"autograd returned {len(ours_out)} outputs, torch {len(theirs_out)}"
    for i, (ours, theirs) in enumerate(zip(ours_out, theirs_out)):
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"output {i}: shape {tuple(ours.shape)} (autograd) vs {tuple(theirs.shape)} (torch)"
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), \
            f"output {i}: dtype {ours.dtype} (autograd) vs {theirs.dtype} (torch)"
        if theirs.dtype.is_floating_point:
            assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol,
                            err_msg=f"forward value of output {i}")
        else:
            assert_array_equal(ours.detach().numpy(), theirs.detach().numpy(),
                               err_msg=f"forward value of output {i} (integer)")

    # backward: the same random upstream gradient for every differentiable output
    rng = numpy.random.default_rng(seed)
    differentiable = [i for i, t in enumerate(theirs_out) if t.requires_grad]
    upstream = [rng.standard_normal(tuple(theirs_out[i].shape)) for i in differentiable]
    if not differentiable:
        return
    for m, outputs in ((autograd, ours_out), (torch, theirs_out)):
        m.autograd.backward([outputs[i] for i in differentiable],
                            [m.tensor(g) for g in upstream])

    for i, (ours, theirs) in enumerate(zip(ours_in, theirs_in)):
        if theirs.grad is None:
            assert ours.grad is None, f"input {i}: torch gives no gradient, autograd does"
            continue
        assert ours.grad is not None, f"input {i}: autograd gives no gradient, torch does"
        assert tuple(ours.grad.shape) == tuple(theirs.grad.shape), \
            f"gradient of input {i}: shape {tuple(ours.grad.shape)} vs {tuple(theirs.grad.shape)}"
        assert _dtype_name(ours.grad.dtype) == _dtype_name(theirs.grad.dtype), \
            f"gradient of input {i}: dtype {ours.grad.dtype} vs {theirs.grad.dtype}"
        assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=rtol, atol=atol,
                        err_msg=f"gradient of input {i}")


def check_both_raise(fn, arrays, op, shapes):
    """Check that ``fn`` raises under both libraries, and that autograd's message
    names the op and every shape in ``shapes``.

    The exception classes may differ (PyTorch raises RuntimeError where
    autograd raises a ValueError subclass); only the fact of raising is shared.
    """
    with pytest.raises(Exception):
        _run("torch", fn, arrays)
    with pytest.raises(Exception) as info:
        _run("autograd", fn, arrays)
    message = str(info.value)
    assert op.lower() in message.lower(), f"the message does not name {op!r}: {message}"
    for shape in shapes:
        assert str(tuple(shape)) in message, f"the message does not name shape {tuple(shape)}: {message}"
