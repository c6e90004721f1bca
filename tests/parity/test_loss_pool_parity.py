"""Losses, pooling and interpolation against torch.nn.functional in float64 (rtol 1e-6).

Each case is written once against a namespace ``F(m)``: our ``loss`` and ``pool``
modules for ``m = autograd``, ``torch.nn.functional`` for ``m = torch``.
Every array passed to ``check_parity`` becomes a leaf whose gradient is compared;
targets that get no gradient (class indices, or probabilities at the clamp,
where PyTorch's target gradient is infinite) and weights are built inside the
lambda with ``m.tensor``.

The edges are included: probabilities of exactly 0 and 1, logits of +-1000,
variances below eps, ignored targets, ceil_mode windows, and resized sizes where
PyTorch's float32 index rule differs from exact arithmetic.

The whole module is skipped when torch is not installed.
"""
import types

import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from autograd.ops import loss, pool  # noqa: E402

from .helpers import check_both_raise, check_parity  # noqa: E402

OURS = types.SimpleNamespace(**{name: getattr(module, name) for module, names in (
    (loss, ["mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
            "cross_entropy", "nll_loss", "gaussian_nll_loss"]),
    (pool, ["avg_pool2d", "max_pool2d", "interpolate", "dropout"])) for name in names})

REDUCTIONS = ["mean", "sum", "none"]
RNG = numpy.random.default_rng(0)


def F(m):
    """Our functional namespace for m = autograd, torch.nn.functional for torch."""
    return OURS if m is autograd else torch.nn.functional


def real(*shape):
    return RNG.standard_normal(shape)


def uniform(low, high, *shape):
    return RNG.uniform(low, high, shape)


def distinct(*shape):
    """All values at least 0.09 apart: max pooling has no ties."""
    size = int(numpy.prod(shape))
    return ((RNG.permutation(size) - size / 2) * 0.1 + RNG.uniform(0, 0.01, size)).reshape(shape)


# ----------------------------------------------------------------------------
# Elementwise losses
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1(reduction):
    x, t = real(3, 4), real(3, 4)
    check_parity(lambda m, x, t: F(m).mse_loss(x, t, reduction=reduction), [x, t])
    check_parity(lambda m, x, t: F(m).l1_loss(x, t, reduction=reduction), [x, t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p, t = uniform(0.02, 0.98, 3, 4), uniform(0, 1, 3, 4)
    weight = uniform(0.5, 2, 4)
    check_parity(lambda m, p, t: F(m).binary_cross_entropy(p, t, reduction=reduction), [p, t])
    check_parity(lambda m, p, t: F(m).binary_cross_entropy(p, t, m.tensor(weight), reduction=reduction),
                 [p, t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_at_p_0_and_1(reduction):
    # log clamped at -100; gradient (p - t) / max(p (1 - p), 1e-12): finite, huge where wrong
    p = numpy.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1e-13, 1 - 1e-13, 0.5])
    t = numpy.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.7, 1.0, 0.0, 0.5])
    check_parity(lambda m, p: F(m).binary_cross_entropy(p, m.tensor(t), reduction=reduction), [p])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x, t = real(3, 4) * 3, uniform(0, 1, 3, 4)
    weight, pos_weight = uniform(0.5, 2, 3, 4), uniform(0.5, 3, 4)
    check_parity(lambda m, x, t: F(m).binary_cross_entropy_with_logits(x, t, reduction=reduction), [x, t])
    check_parity(lambda m, x, t: F(m).binary_cross_entropy_with_logits(
        x, t, m.tensor(weight), reduction=reduction, pos_weight=m.tensor(pos_weight)), [x, t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_extreme_logits(reduction):
    x = numpy.array([1000.0, -1000.0, 1000.0, -1000.0, 30.0, -30.0, 0.0, 745.0])
    t = numpy.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.25, 1.0, 0.0])
    pos_weight = numpy.full(8, 2.5)
    check_parity(lambda m, x, t: F(m).binary_cross_entropy_with_logits(x, t, reduction=reduction), [x, t])
    check_parity(lambda m, x, t: F(m).binary_cross_entropy_with_logits(
        x, t, reduction=reduction, pos_weight=m.tensor(pos_weight)), [x, t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(3, 4), (3,), (3, 1), (1, 4), "number"])
def test_gaussian_nll_loss(reduction, var_shape):
    x, t = real(3, 4), real(3, 4)
    if var_shape == "number":
        check_parity(lambda m, x, t: F(m).gaussian_nll_loss(x, t, 0.7, reduction=reduction), [x, t])
        return
    var = uniform(0.2, 2, *var_shape)
    var.flat[0] = 1e-9  # below eps: clamped in value, not in gradient
    for full in (False, True):
        check_parity(lambda m, x, t, v: F(m).gaussian_nll_loss(x, t, v, full, reduction=reduction),
                     [x, t, var])


def test_kl_normal_matches_torch_distributions():
    def kl(m, mu_q, logvar_q, mu_p=None, logvar_p=None):
        if m is autograd:
            return loss.kl_normal(mu_q, logvar_q, mu_p, logvar_p)
        normal = torch.distributions.Normal
        if mu_p is None:
            mu_p, logvar_p = torch.zeros_like(mu_q), torch.zeros_like(logvar_q)
        return torch.distributions.kl_divergence(normal(mu_q, (0.5 * logvar_q).exp()),
                                                 normal(mu_p, (0.5 * logvar_p).exp()))

    check_parity(kl, [real(4, 3), real(4, 3)])
    check_parity(kl, [real(4, 3), real(4, 3), real(4, 3), real(4, 3)])


# ----------------------------------------------------------------------------
# Cross-entropy and negative log likelihood
# ----------------------------------------------------------------------------
def class_cases():
    """(name, input, target, weight): (N, C), (N, C, d1, d2) and (C,) inputs."""
    target_2d = numpy.array([0, 2, 1, 3, 2])
    target_4d = RNG.integers(0, 3, (2, 3, 2))
    target_4d[0, 0, 0] = -100
    return [
        ("batch", real(5, 4) * 2, target_2d, uniform(0.5, 2, 4)),
        ("spatial", real(2, 3, 3, 2) * 2, target_4d, uniform(0.5, 2, 3)),
        ("unbatched", real(4), numpy.array(2), uniform(0.5, 2, 4)),
        ("huge_logits", numpy.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 5.0]]),
         numpy.array([1, 1]), uniform(0.5, 2, 3)),
    ]


CLASS_CASES = {name: rest for name, *rest in class_cases()}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CLASS_CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_and_nll_loss(reduction, case, weighted):
    x, target, weight = CLASS_CASES[case]
    ignore = -100 if case != "batch" else 2  # the batch case ignores class 2 (two samples)

    def weights(m):
        return m.tensor(weight) if weighted else None

    for smoothing in (0.0, 0.2):
        check_parity(lambda m, x: F(m).cross_entropy(x, m.tensor(target), weights(m), ignore_index=ignore,
                                                     reduction=reduction, label_smoothing=smoothing), [x])
    check_parity(lambda m, x: F(m).nll_loss(x, m.tensor(target), weights(m), ignore_index=ignore,
                                            reduction=reduction), [x])


# ----------------------------------------------------------------------------
# Pooling
# ----------------------------------------------------------------------------
# (kernel_size, stride, padding, ceil_mode) for avg; max adds dilation
AVG_GEOMETRIES = [(2, None, 0, False), (3, 2, 1, False), (3, 2, 1, True), ((2, 3), (1, 2), (1, 1), True),
                  (3, 1, 1, False), ((3, 1), (2, 1), (1, 0), True)]
MAX_GEOMETRIES = [(2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 1, False), (2, 1, 1, 2, True),
                  ((2, 3), (2, 1), (1, 1), (2, 1), False), ((3, 2), (3, 2), (1, 1), 1, True)]


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode", AVG_GEOMETRIES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d(kernel, stride, padding, ceil_mode, count_include_pad):
    check_parity(lambda m, x: F(m).avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad),
                 [real(2, 3, 7, 6)])


def test_avg_pool2d_divisor_override_and_one_image():
    check_parity(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, divisor_override=4), [real(2, 3, 5, 5)])
    check_parity(lambda m, x: F(m).avg_pool2d(x, 2, 1), [real(3, 4, 5)])


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", MAX_GEOMETRIES)
def test_max_pool2d(kernel, stride, padding, dilation, ceil_mode):
    check_parity(lambda m, x: F(m).max_pool2d(x, kernel, stride, padding, dilation, ceil_mode,
                                              return_indices=True), [distinct(2, 3, 7, 6)])


def test_max_pool2d_one_image():
    check_parity(lambda m, x: F(m).max_pool2d(x, 3, 1, 1, return_indices=True), [distinct(3, 5, 4)])


# ----------------------------------------------------------------------------
# Interpolation and dropout
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("arguments", [
    {"scale_factor": 2}, {"scale_factor": 3}, {"scale_factor": (2, 3)}, {"scale_factor": 0.5},
    {"scale_factor": 1.7}, {"scale_factor": 1.7, "recompute_scale_factor": True},
    {"size": (7, 9)}, {"size": 4}, {"size": (2, 1)}, {"size": (6, 6)}, {"size": (17, 5)},
], ids=str)
def test_interpolate_nearest(arguments):
    check_parity(lambda m, x: F(m).interpolate(x, **arguments), [real(2, 3, 2, 3)])


@pytest.mark.parametrize("size", [(82, 94), (110, 3), (3, 123), (123, 141)])
def test_interpolate_nearest_float32_index_rule(size):
    # here floor(i * in / out) computed in float32 picks another pixel than exact
    # arithmetic would; PyTorch computes it in float32 for float32 images, and so do we
    # (for float64 images PyTorch's own CPU kernels disagree on these sizes)
    x = RNG.standard_normal((2, 2, 2, 3)).astype(numpy.float32)
    ours = autograd.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    upstream = RNG.standard_normal((2, 2) + size).astype(numpy.float32)
    ours_out = pool.interpolate(ours, size=size)
    theirs_out = torch.nn.functional.interpolate(theirs, size=size)
    numpy.testing.assert_array_equal(ours_out.array, theirs_out.detach().numpy())
    ours_out.backward(autograd.tensor(upstream))
    theirs_out.backward(torch.tensor(upstream))
    # each input pixel's gradient sums up to 123 * 141 / 6 (about 2,900) float32 values, and
    # the order of that sum differs between PyTorch, NumPy and a GPU: 1e-4 absolute
    # (a GPU run was off by 7e-5 on one element of 24)
    numpy.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-5, atol=1e-4)


def test_dropout_outside_training_and_at_p_0():
    check_parity(lambda m, x: F(m).dropout(x, 0.5, training=False), [real(3, 4)])
    check_parity(lambda m, x: F(m).dropout(x, 0.0), [real(3, 4)])


# ----------------------------------------------------------------------------
# Both refuse the same mistakes; autograd's message names the op and shapes
# ----------------------------------------------------------------------------
def test_both_raise():
    check_both_raise(lambda m, p, t: F(m).binary_cross_entropy(p, t), [uniform(0, 1, 3, 2), uniform(0, 1, 3)],
                     "binary_cross_entropy", [(3, 2), (3,)])
    check_both_raise(lambda m, x: F(m).cross_entropy(x, m.tensor(numpy.zeros(3, dtype=numpy.int64))),
                     [real(4, 5)], "cross_entropy", [(4, 5), (4,), (3,)])
    check_both_raise(lambda m, x: F(m).max_pool2d(x, 5), [real(1, 1, 4, 4)], "max_pool2d", [(1, 1, 4, 4)])
    check_both_raise(lambda m, x: F(m).avg_pool2d(x, 3), [real(4, 4)], "avg_pool2d", [(4, 4)])
