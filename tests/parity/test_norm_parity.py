"""batch_norm, instance_norm, group_norm and layer_norm against torch.nn.functional.

Forward values and gradients (``check_parity``), the running statistics after a
few training steps, evaluation mode, and a WGAN-GP style second derivative.
Each case is written once against ``F``, which is ``autograd.ops.norm`` for
autograd and ``torch.nn.functional`` for PyTorch.

The whole module is skipped when torch is not installed.
"""
import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from autograd.ops import norm  # noqa: E402

from .helpers import check_parity, random_inputs  # noqa: E402


def functional(m):
    """The module holding the norm ops: autograd.ops.norm or torch.nn.functional."""
    return norm if m is autograd else torch.nn.functional


def buffers(m, *arrays):
    """Running statistics: fresh copies, not requiring grad (they are buffers)."""
    return [m.tensor(numpy.array(a)) for a in arrays]


def running(c, seed=7):
    rng = numpy.random.default_rng(seed)
    return rng.standard_normal(c), rng.uniform(0.5, 2.0, c)


def case(name, fn, shapes):
    return pytest.param(fn, shapes, id=name)


MEAN3, VAR3 = running(3)

CASES = [
    # batch_norm in training: the batch's statistics (running stats updated on the side)
    case("batch_norm_train_2d",
         lambda m, x: functional(m).batch_norm(x, None, None, training=True), [(5, 3)]),
    case("batch_norm_train_4d_affine",
         lambda m, x, w, b: functional(m).batch_norm(x, None, None, w, b, training=True),
         [(2, 3, 2, 3), (3,), (3,)]),
    case("batch_norm_train_3d_running",
         lambda m, x, w: functional(m).batch_norm(x, *buffers(m, MEAN3, VAR3), w, training=True,
                                                  momentum=0.2, eps=1e-3),
         [(2, 3, 4), (3,)]),
    # batch_norm in evaluation: the running statistics
    case("batch_norm_eval_4d_affine",
         lambda m, x, w, b: functional(m).batch_norm(x, *buffers(m, MEAN3, VAR3), w, b),
         [(2, 3, 2, 2), (3,), (3,)]),
    case("batch_norm_eval_one_sample",
         lambda m, x: functional(m).batch_norm(x, *buffers(m, MEAN3, VAR3)), [(1, 3)]),
    # instance_norm
    case("instance_norm_1d", lambda m, x: functional(m).instance_norm(x), [(2, 3, 5)]),
    case("instance_norm_2d_affine",
         lambda m, x, w, b: functional(m).instance_norm(x, weight=w, bias=b, eps=1e-3),
         [(2, 3, 2, 3), (3,), (3,)]),
    case("instance_norm_running",
         lambda m, x: functional(m).instance_norm(x, *buffers(m, MEAN3, VAR3)), [(2, 3, 4)]),
    case("instance_norm_running_stats_only",
         lambda m, x, w: functional(m).instance_norm(x, *buffers(m, MEAN3, VAR3), w,
                                                     use_input_stats=False),
         [(2, 3, 4), (3,)]),
    # group_norm
    case("group_norm_2d", lambda m, x: functional(m).group_norm(x, 2), [(3, 4)]),
    case("group_norm_4d_affine",
         lambda m, x, w, b: functional(m).group_norm(x, 3, w, b), [(2, 6, 2, 2), (6,), (6,)]),
    case("group_norm_one_group", lambda m, x, w: functional(m).group_norm(x, 1, w),
         [(2, 4, 3), (4,)]),
    case("group_norm_per_channel", lambda m, x: functional(m).group_norm(x, 4, eps=1e-3),
         [(2, 4, 3)]),
    # layer_norm
    case("layer_norm_last_dim", lambda m, x: functional(m).layer_norm(x, (4,)), [(3, 4)]),
    case("layer_norm_list_affine",
         lambda m, x, w, b: functional(m).layer_norm(x, [3, 4], w, b),
         [(2, 3, 4), (3, 4), (3, 4)]),
    case("layer_norm_whole_tensor",
         lambda m, x, b: functional(m).layer_norm(x, (2, 3, 2), bias=b, eps=1e-3),
         [(2, 3, 2), (2, 3, 2)]),
]


@pytest.mark.parametrize("fn, shapes", CASES)
def test_norm_parity(fn, shapes):
    check_parity(fn, random_inputs(shapes))


# ----------------------------------------------------------------------------
# Running statistics after several training steps
# ----------------------------------------------------------------------------
def _steps(m, op, shape, momentum, steps=3, **kwargs):
    """Run ``steps`` training calls on fresh batches; return the running stats."""
    c = shape[1]
    running_mean, running_var = buffers(m, *running(c))
    for step in range(steps):
        x, = random_inputs([shape], seed=step)
        x = m.tensor(x, requires_grad=True)
        op(functional(m), x, running_mean, running_var, momentum)
    return running_mean.numpy(), running_var.numpy()


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 2, 3, 2)])
@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0])
def test_batch_norm_running_stats(shape, momentum):
    def op(F, x, mean, var, momentum):
        F.batch_norm(x, mean, var, training=True, momentum=momentum)
    ours, theirs = _steps(autograd, op, shape, momentum), _steps(torch, op, shape, momentum)
    numpy.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, err_msg="running_mean")
    numpy.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, err_msg="running_var")


@pytest.mark.parametrize("shape", [(2, 3, 5), (3, 2, 2, 2)])
def test_instance_norm_running_stats(shape):
    def op(F, x, mean, var, momentum):
        F.instance_norm(x, mean, var, momentum=momentum)
    ours, theirs = _steps(autograd, op, shape, 0.3), _steps(torch, op, shape, 0.3)
    numpy.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, err_msg="running_mean")
    numpy.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, err_msg="running_var")


def test_batch_norm_float32_running_stats():
    """float32 input and buffers, as a model trains: same values to float32 precision."""
    x, = random_inputs([(8, 4, 3)])
    results = []
    for m in (autograd, torch):
        mean = m.tensor(numpy.zeros(4, dtype=numpy.float32))
        var = m.tensor(numpy.ones(4, dtype=numpy.float32))
        y = functional(m).batch_norm(m.tensor(x.astype(numpy.float32)), mean, var, training=True)
        assert str(y.dtype).endswith("float32") and str(mean.dtype).endswith("float32")
        results.append((y.numpy(), mean.numpy(), var.numpy()))
    for ours, theirs in zip(*results):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------
# Second derivatives: a gradient penalty through each op
# ----------------------------------------------------------------------------
SECOND_ORDER = [
    case("batch_norm_train",
         lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         [(3, 2, 2), (2,), (2,)]),
    case("instance_norm", lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b),
         [(2, 2, 3), (2,), (2,)]),
    case("group_norm", lambda F, x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 2), (4,), (4,)]),
    case("layer_norm", lambda F, x, w, b: F.layer_norm(x, (2, 3), w, b),
         [(2, 2, 3), (2, 3), (2, 3)]),
]


def _penalty_gradients(m, fn, arrays, probe):
    """d/d(inputs) of (|d sum(tanh(fn(x)) * probe) / dx| - 1)^2, as in WGAN-GP."""
    leaves = [m.tensor(a, requires_grad=True) for a in arrays]
    critic = (m.tanh(fn(functional(m), *leaves)) * m.tensor(probe)).sum()
    g, = m.autograd.grad(critic, leaves[0], create_graph=True)
    penalty = ((g * g).sum().sqrt() - 1) ** 2
    return [t.numpy() for t in m.autograd.grad(penalty, leaves)]


@pytest.mark.parametrize("fn, shapes", SECOND_ORDER)
def test_norm_second_derivative_parity(fn, shapes):
    arrays = random_inputs(shapes, seed=3)
    probe = numpy.random.default_rng(4).standard_normal(shapes[0])
    ours = _penalty_gradients(autograd, fn, arrays, probe)
    theirs = _penalty_gradients(torch, fn, arrays, probe)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        numpy.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-10, err_msg=f"input {i}")
