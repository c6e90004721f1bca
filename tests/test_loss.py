"""Losses: values against NumPy formulas, gradients against finite differences,
second derivatives for the losses GANs and VAEs train with, and error messages.

Each gradient test draws a small float64 problem with hypothesis and runs
``autograd.gradcheck`` for every reduction.  Values are kept away from kinks
(|input - target| >= 0.1 for l1) and from clamps (0.05 <= p <= 0.95 for
binary_cross_entropy, var >= 0.2 for gaussian_nll_loss).  The edges themselves
(p = 0 or 1, logits of +-1000, every target ignored) have their own tests.
"""
import math

import numpy
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd.ops import loss
from strategies import ANY, EVEN_TENTHS, ODD_TENTHS, arrays, floats_between

REDUCTIONS = ["mean", "sum", "none"]
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, max_side=3).filter(lambda s: math.prod(s) <= 12)
PROBABILITIES = floats_between(0.05, 0.95)   # away from the clamp at p = 0 and 1
UNIT = floats_between(0.0, 1.0)              # targets of binary cross-entropy
LOGITS = floats_between(-4, 4)
VARIANCES = floats_between(0.2, 3)           # away from the clamp at eps


def leaf(array):
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64), requires_grad=True)


def constant(array):
    return autograd.tensor(numpy.asarray(array))


def check_gradients(fn, *inputs):
    result = autograd.gradcheck(fn, inputs)
    for pair in result.jacobians:  # a NaN would pass the tolerance test: look for one
        assert numpy.isfinite(pair.analytic).all() and numpy.isfinite(pair.numeric).all()


def check_second_derivatives(fn, *inputs):
    result = autograd.gradgradcheck(fn, inputs)
    for pair in result.jacobians:
        assert numpy.isfinite(pair.analytic).all() and numpy.isfinite(pair.numeric).all()


def numpy_reduce(values, reduction):
    return {"mean": numpy.mean, "sum": numpy.sum, "none": numpy.asarray}[reduction](values)


def assert_value(result, expected):
    assert result.shape == numpy.shape(expected)
    numpy.testing.assert_allclose(result.array, expected, rtol=1e-10, atol=1e-12)


def pairs(input_values, target_values):
    """(input, target) arrays of one random shape."""
    return SHAPES.flatmap(lambda shape: st.tuples(arrays(shape, input_values),
                                                  arrays(shape, target_values)))


# ----------------------------------------------------------------------------
# Regression losses
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_mse_loss(reduction, data):
    x, t = data.draw(pairs(ANY, ANY))
    assert_value(loss.mse_loss(leaf(x), leaf(t), reduction=reduction), numpy_reduce((x - t) ** 2, reduction))
    check_gradients(lambda x, t: loss.mse_loss(x, t, reduction=reduction), leaf(x), leaf(t))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_l1_loss(reduction, data):
    x, t = data.draw(pairs(EVEN_TENTHS, ODD_TENTHS))  # |x - t| >= 0.1: away from the kink
    assert_value(loss.l1_loss(leaf(x), leaf(t), reduction=reduction), numpy_reduce(abs(x - t), reduction))
    check_gradients(lambda x, t: loss.l1_loss(x, t, reduction=reduction), leaf(x), leaf(t))


@st.composite
def gaussian_problems(draw):
    """(input, target, var): var of the input's shape, without its last dim, or with one size 1."""
    x, t = draw(pairs(ANY, ANY))
    kind = draw(st.sampled_from(["same", "drop_last", "one_size_1"]))
    if kind == "drop_last":
        var_shape = x.shape[:-1]
    elif kind == "one_size_1":
        dim = draw(st.integers(0, x.ndim - 1))
        var_shape = x.shape[:dim] + (1,) + x.shape[dim + 1:]
    else:
        var_shape = x.shape
    return x, t, draw(arrays(var_shape, VARIANCES))


def numpy_gaussian_nll(x, t, var, full):
    if var.shape == x.shape[:-1]:
        var = var[..., None]
    losses = 0.5 * (numpy.log(var) + (x - t) ** 2 / var)
    return losses + 0.5 * math.log(2 * math.pi) if full else losses


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(problem=gaussian_problems(), full=st.booleans())
def test_gaussian_nll_loss(reduction, problem, full):
    x, t, var = problem
    result = loss.gaussian_nll_loss(leaf(x), leaf(t), leaf(var), full, reduction=reduction)
    assert_value(result, numpy_reduce(numpy.broadcast_to(numpy_gaussian_nll(x, t, var, full), x.shape),
                                      reduction))
    check_gradients(lambda x, t, v: loss.gaussian_nll_loss(x, t, v, full, reduction=reduction),
                    leaf(x), leaf(t), leaf(var))


def test_gaussian_nll_loss_clamps_the_value_not_the_gradient():
    # v = max(var, eps) in the value; d loss / d var is the formula's at v (PyTorch's choice)
    x, t, var = leaf([0.2]), constant([0.0]), leaf([1e-9])
    result = loss.gaussian_nll_loss(x, t, var, eps=1e-6, reduction="sum")
    assert result.item() == pytest.approx(0.5 * (math.log(1e-6) + 0.04 / 1e-6))
    result.backward()
    assert var.grad.item() == pytest.approx(0.5 * (1 / 1e-6 - 0.04 / 1e-12))
    assert x.grad.item() == pytest.approx(0.2 / 1e-6)


def test_gaussian_nll_loss_takes_a_number_as_var():
    x, t = leaf([[0.5, -1.0]]), constant([[0.0, 0.0]])
    expected = numpy.mean(0.5 * (math.log(2.0) + numpy.array([0.25, 1.0]) / 2.0))
    assert loss.gaussian_nll_loss(x, t, 2.0).item() == pytest.approx(expected)


# ----------------------------------------------------------------------------
# KL divergence between normals
# ----------------------------------------------------------------------------
def numpy_kl_normal(mu_q, logvar_q, mu_p, logvar_p):
    var_q, var_p = numpy.exp(logvar_q), numpy.exp(logvar_p)
    return 0.5 * (numpy.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1)


@given(data=st.data(), against_standard_normal=st.booleans())
def test_kl_normal(data, against_standard_normal):
    shape = data.draw(SHAPES)
    mu_q, logvar_q, mu_p, logvar_p = (data.draw(arrays(shape, ANY)) for _ in range(4))
    if against_standard_normal:
        mu_p, logvar_p = numpy.zeros(shape), numpy.zeros(shape)
        fn = loss.kl_normal
        inputs = (leaf(mu_q), leaf(logvar_q))
    else:
        fn = loss.kl_normal
        inputs = (leaf(mu_q), leaf(logvar_q), leaf(mu_p), leaf(logvar_p))
    assert_value(fn(*inputs), numpy_kl_normal(mu_q, logvar_q, mu_p, logvar_p))
    check_gradients(fn, *inputs)


def test_kl_normal_of_equal_distributions_is_zero():
    mu, logvar = leaf([0.3, -1.2]), leaf([0.5, -0.7])
    assert numpy.allclose(loss.kl_normal(mu, logvar, mu, logvar).array, 0)
    assert numpy.allclose(loss.kl_normal(leaf([0.0]), leaf([0.0])).array, 0)


def test_kl_normal_broadcasts_a_prior_over_the_batch():
    mu_q, logvar_q = leaf(numpy.ones((3, 2))), leaf(numpy.zeros((3, 2)))
    result = loss.kl_normal(mu_q, logvar_q, constant([0.0, 1.0]), constant([0.0, 0.0]))
    assert_value(result, numpy.broadcast_to([0.5, 0.0], (3, 2)))


# ----------------------------------------------------------------------------
# Binary cross-entropy
# ----------------------------------------------------------------------------
def numpy_bce(p, t):
    return -(t * numpy.maximum(numpy.log(p), -100) + (1 - t) * numpy.maximum(numpy.log1p(-p), -100))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(problem=pairs(PROBABILITIES, UNIT), weighted=st.booleans())
def test_binary_cross_entropy(reduction, problem, weighted):
    p, t = problem
    weight = numpy.linspace(0.5, 2.0, p.shape[-1]) if weighted else None  # one per last-dim entry

    def fn(p, t):
        return loss.binary_cross_entropy(p, t, None if weight is None else constant(weight),
                                         reduction=reduction)

    expected = numpy_bce(p, t) * (1 if weight is None else weight)
    assert_value(fn(leaf(p), leaf(t)), numpy_reduce(expected, reduction))
    check_gradients(fn, leaf(p), leaf(t))


def test_binary_cross_entropy_is_finite_at_p_0_and_1():
    # log clamped at -100: a confident wrong answer costs 100, a right one 0
    p, t = leaf([0.0, 1.0, 0.0, 1.0]), constant([0.0, 1.0, 1.0, 0.0])
    result = loss.binary_cross_entropy(p, t, reduction="none")
    assert_value(result, [0.0, 0.0, 100.0, 100.0])
    result.sum().backward()
    # PyTorch's gradient (p - t) / max(p (1 - p), 1e-12 as a float32)
    epsilon = float(numpy.float32(1e-12))
    numpy.testing.assert_allclose(p.grad.array, [0.0, 0.0, -1 / epsilon, 1 / epsilon])


def numpy_bce_with_logits(x, t, pos_weight=1.0):
    softplus_minus_x = numpy.maximum(-x, 0) + numpy.log1p(numpy.exp(-abs(x)))
    return (1 - t) * x + (1 + (pos_weight - 1) * t) * softplus_minus_x


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(problem=pairs(LOGITS, UNIT), weighted=st.booleans(), with_pos_weight=st.booleans())
def test_binary_cross_entropy_with_logits(reduction, problem, weighted, with_pos_weight):
    x, t = problem
    weight = numpy.linspace(0.5, 2.0, x.shape[-1]) if weighted else None
    pos_weight = numpy.linspace(3.0, 0.5, x.shape[-1]) if with_pos_weight else None

    def fn(x, t):
        return loss.binary_cross_entropy_with_logits(
            x, t, None if weight is None else constant(weight), reduction=reduction,
            pos_weight=None if pos_weight is None else constant(pos_weight))

    expected = numpy_bce_with_logits(x, t, 1.0 if pos_weight is None else pos_weight)
    expected = expected * (1 if weight is None else weight)
    assert_value(fn(leaf(x), leaf(t)), numpy_reduce(expected, reduction))
    check_gradients(fn, leaf(x), leaf(t))


def test_binary_cross_entropy_with_logits_is_stable_for_huge_logits():
    x, t = leaf([1000.0, -1000.0, 1000.0, -1000.0]), constant([1.0, 0.0, 0.0, 1.0])
    result = loss.binary_cross_entropy_with_logits(x, t, reduction="none")
    assert_value(result, [0.0, 0.0, 1000.0, 1000.0])
    result.sum().backward()
    numpy.testing.assert_allclose(x.grad.array, [0.0, 0.0, 1.0, -1.0])  # sigmoid(x) - t


# ----------------------------------------------------------------------------
# Cross-entropy and negative log likelihood
# ----------------------------------------------------------------------------
@st.composite
def class_problems(draw, reduction):
    """(input, target, weight, ignore_index): input (C,), (N, C) or (N, C, d1, ...) and
    class-index targets, some of them ignore_index."""
    classes = draw(st.integers(2, 4))
    layout = draw(st.sampled_from(["unbatched", "batch", "spatial"]))
    batch = {"unbatched": (), "batch": (draw(st.integers(1, 3)),),
             "spatial": (draw(st.integers(1, 2)), draw(st.integers(1, 2)))}[layout]
    shape = batch[:1] + (classes,) + batch[1:]
    x = draw(arrays(shape, ANY))
    ignore_index = draw(st.sampled_from([-100, 0]))
    target = draw(hnp.arrays(numpy.int64, batch, elements=st.integers(0, classes - 1)))
    ignored = draw(hnp.arrays(bool, batch))
    target = numpy.where(ignored, ignore_index, target)
    if reduction == "mean":
        assume((target != ignore_index).any())  # else the mean is 0 / 0
    weight = draw(st.none() | arrays((classes,), floats_between(0.2, 2)))
    return x, target, weight, ignore_index


def numpy_class_loss(log_probs, target, weight, ignore_index, reduction, smoothing):
    """Per-sample -((1 - e) w[t] logp[t] + e/C sum_c w[c] logp[c]), one sample at a time."""
    classes = log_probs.shape[0 if log_probs.ndim == 1 else 1]
    weight = numpy.ones(classes) if weight is None else weight
    by_sample = numpy.moveaxis(log_probs, 0 if log_probs.ndim == 1 else 1, -1)  # (..., C)
    losses, total_weight = numpy.zeros(target.shape), 0.0
    for index in numpy.ndindex(*target.shape):
        label = target[index]
        if label == ignore_index:
            continue
        logp = by_sample[index]
        losses[index] = -((1 - smoothing) * weight[label] * logp[label]
                          + smoothing / classes * numpy.sum(weight * logp))
        total_weight += weight[label]
    if reduction == "mean":
        return losses.sum() / total_weight
    return numpy_reduce(losses, reduction)


def numpy_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data(), smoothing=st.sampled_from([0.0, 0.25]))
def test_cross_entropy(reduction, data, smoothing):
    x, target, weight, ignore_index = data.draw(class_problems(reduction))

    def fn(x):
        return loss.cross_entropy(x, constant(target), None if weight is None else constant(weight),
                                  ignore_index=ignore_index, reduction=reduction,
                                  label_smoothing=smoothing)

    log_probs = numpy_log_softmax(x, 0 if x.ndim == 1 else 1)
    assert_value(fn(leaf(x)), numpy_class_loss(log_probs, target, weight, ignore_index, reduction,
                                               smoothing))
    check_gradients(fn, leaf(x))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_nll_loss(reduction, data):
    x, target, weight, ignore_index = data.draw(class_problems(reduction))

    def fn(x):
        return loss.nll_loss(x, constant(target), None if weight is None else constant(weight),
                             ignore_index=ignore_index, reduction=reduction)

    assert_value(fn(leaf(x)), numpy_class_loss(x, target, weight, ignore_index, reduction, 0.0))
    check_gradients(fn, leaf(x))


def test_weighted_mean_divides_by_the_selected_weights():
    log_probs = leaf(numpy.log([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]]))
    target, weight = constant([0, 1, -100]), constant([2.0, 3.0])
    expected = (2.0 * math.log(2) + 3.0 * -math.log(0.75)) / (2.0 + 3.0)
    assert loss.nll_loss(log_probs, target, weight).item() == pytest.approx(expected)


def test_every_target_ignored_gives_nan_like_pytorch():
    x = leaf(numpy.zeros((2, 3)))
    assert math.isnan(loss.cross_entropy(x, constant([-100, -100])).item())
    assert loss.cross_entropy(x, constant([-100, -100]), reduction="sum").item() == 0


def test_cross_entropy_is_stable_for_huge_logits():
    x = leaf([[1000.0, -1000.0, 0.0]])
    result = loss.cross_entropy(x, constant([1]))
    assert result.item() == pytest.approx(2000.0)
    result.backward()
    numpy.testing.assert_allclose(x.grad.array, [[1.0, -1.0, 0.0]], atol=1e-300)


# ----------------------------------------------------------------------------
# Second derivatives: the losses GANs (gradient penalties) and VAEs train with
# ----------------------------------------------------------------------------
@given(problem=pairs(PROBABILITIES, UNIT), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_second_derivative(problem, reduction):
    p, t = problem
    check_second_derivatives(lambda p, t: loss.binary_cross_entropy(p, t, reduction=reduction),
                             leaf(p), leaf(t))


@given(problem=pairs(LOGITS, UNIT), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_with_logits_second_derivative(problem, reduction):
    x, t = problem
    pos_weight = constant(numpy.full(x.shape[-1], 2.0))
    check_second_derivatives(
        lambda x, t: loss.binary_cross_entropy_with_logits(x, t, reduction=reduction,
                                                           pos_weight=pos_weight),
        leaf(x), leaf(t))


@given(problem=pairs(ANY, ANY), reduction=st.sampled_from(REDUCTIONS))
def test_mse_loss_second_derivative(problem, reduction):
    x, t = problem
    check_second_derivatives(lambda x, t: loss.mse_loss(x, t, reduction=reduction), leaf(x), leaf(t))


@given(problem=gaussian_problems(), reduction=st.sampled_from(REDUCTIONS))
def test_gaussian_nll_loss_second_derivative(problem, reduction):
    x, t, var = problem
    check_second_derivatives(lambda x, t, v: loss.gaussian_nll_loss(x, t, v, reduction=reduction),
                             leaf(x), leaf(t), leaf(var))


@given(data=st.data())
def test_kl_normal_second_derivative(data):
    shape = data.draw(SHAPES)
    inputs = [leaf(data.draw(arrays(shape, ANY))) for _ in range(4)]
    check_second_derivatives(loss.kl_normal, *inputs)
    check_second_derivatives(loss.kl_normal, *inputs[:2])


# ----------------------------------------------------------------------------
# What gets no gradient
# ----------------------------------------------------------------------------
def test_weights_are_constants():
    p, t, weight = leaf([0.3, 0.6]), leaf([1.0, 0.0]), leaf([1.0, 2.0])
    loss.binary_cross_entropy(p, t, weight).backward()
    loss.binary_cross_entropy_with_logits(p, t, weight, pos_weight=weight).backward()
    loss.cross_entropy(leaf([[0.1, 0.2]]), constant([1]), weight).backward()
    assert weight.grad is None
    assert p.grad is not None and t.grad is not None


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------
ALL_LOSSES = {
    "mse_loss": lambda **kw: loss.mse_loss(leaf([0.5]), leaf([0.1]), **kw),
    "l1_loss": lambda **kw: loss.l1_loss(leaf([0.5]), leaf([0.1]), **kw),
    "binary_cross_entropy": lambda **kw: loss.binary_cross_entropy(leaf([0.5]), leaf([1.0]), **kw),
    "binary_cross_entropy_with_logits":
        lambda **kw: loss.binary_cross_entropy_with_logits(leaf([0.5]), leaf([1.0]), **kw),
    "cross_entropy": lambda **kw: loss.cross_entropy(leaf([[0.5, 0.1]]), constant([1]), **kw),
    "nll_loss": lambda **kw: loss.nll_loss(leaf([[0.5, 0.1]]), constant([1]), **kw),
    "gaussian_nll_loss": lambda **kw: loss.gaussian_nll_loss(leaf([0.5]), leaf([1.0]), leaf([1.0]), **kw),
}


@pytest.mark.parametrize("name", ALL_LOSSES)
@pytest.mark.parametrize("reduction", ["average", "elementwise_mean", None, "MEAN"])
def test_unknown_reduction_is_an_error(name, reduction):
    with pytest.raises(ValueError, match=f"{name}: reduction must be 'mean', 'sum' or 'none'"):
        ALL_LOSSES[name](reduction=reduction)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits",
                                  "gaussian_nll_loss"])
def test_mismatched_shapes_name_the_loss_and_both_shapes(name):
    x, t = leaf(numpy.full((3, 1), 0.5)), leaf(numpy.full((3,), 0.5))
    args = (x, t, leaf(numpy.ones((3, 1)))) if name == "gaussian_nll_loss" else (x, t)
    with pytest.raises(autograd.ShapeError) as info:
        getattr(loss, name)(*args)
    message = str(info.value)
    assert message.startswith(name) and "(3, 1)" in message and "(3,)" in message


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss"])
def test_mismatched_shapes_broadcast_with_pytorchs_warning(name):
    # PyTorch broadcasts these with a warning: an (N, 1) output against an (N,) target
    # gives an (N, N) loss, a common silent bug that the warning names
    x, t = leaf(numpy.arange(3.0).reshape(3, 1)), constant(numpy.zeros(3))
    with pytest.warns(UserWarning, match=r"target size \(3,\) that is different to the input size \(3, 1\)"):
        value = getattr(loss, name)(x, t, reduction="none")
    assert value.shape == (3, 3)


@pytest.mark.parametrize("kwargs, reduction", [({"size_average": False}, "sum"),
                                               ({"reduce": False}, "none"),
                                               ({"size_average": True}, "mean")])
def test_old_size_average_and_reduce_arguments_still_work(kwargs, reduction):
    x, t = leaf([1.0, 3.0]), constant([0.0, 0.0])
    expected = loss.mse_loss(x, t, reduction=reduction)
    with pytest.warns(UserWarning, match="size_average and reduce are deprecated"):
        assert numpy.allclose(loss.mse_loss(x, t, **kwargs).array, expected.array)
        assert autograd.nn.MSELoss(**kwargs).reduction == reduction


def assert_message(kind, expected, call):
    """``call()`` raises ``kind`` with the literal text ``expected`` in its message."""
    with pytest.raises(kind) as info, autograd.detect_anomaly():  # on a GPU, value checks need it
        call()
    assert expected in str(info.value), str(info.value)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_class_loss_target_errors(name):
    fn = getattr(loss, name)
    x = leaf(numpy.zeros((2, 3, 4)))
    indices = constant(numpy.zeros((2, 4), dtype=numpy.int64))
    assert_message(autograd.ShapeError, f"{name}: input of shape (2, 3, 4) (classes in dim 1) needs a "
                   "target of shape (2, 4), got target (2, 3)",
                   lambda: fn(x, constant(numpy.zeros((2, 3), dtype=numpy.int64))))
    if name == "cross_entropy":   # a float target holds class probabilities, as in PyTorch
        assert_message(autograd.ShapeError, "cross_entropy: class-probability targets must have the "
                       "input's shape (2, 3, 4), got target (2, 4)",
                       lambda: fn(x, constant(numpy.zeros((2, 4)))))
    else:
        assert_message(TypeError, f"{name}: target must hold class indices",
                       lambda: fn(x, constant(numpy.zeros((2, 4)))))
    assert_message(IndexError, f"{name}: target 3 is out of bounds for 3 classes",
                   lambda: fn(x, constant(numpy.full((2, 4), 3))))
    assert_message(IndexError, f"{name}: target -1 is out of bounds",
                   lambda: fn(x, constant(numpy.full((2, 4), -1))))
    assert_message(autograd.ShapeError, f"{name}: weight must have one entry per class, shape (3,)",
                   lambda: fn(x, indices, constant([1.0, 2.0])))


def test_other_argument_errors():
    assert_message(ValueError, "binary_cross_entropy: input must hold probabilities in [0, 1], "
                   "got values from 0.5 to 1.5",
                   lambda: loss.binary_cross_entropy(leaf([0.5, 1.5]), leaf([0.0, 1.0])))
    assert_message(autograd.ShapeError, "binary_cross_entropy_with_logits: pos_weight of shape (3,)",
                   lambda: loss.binary_cross_entropy_with_logits(leaf([[0.5, 1.5]]), leaf([[0.0, 1.0]]),
                                                                 pos_weight=constant([1.0] * 3)))
    assert_message(ValueError, "cross_entropy: label_smoothing must be in [0, 1]",
                   lambda: loss.cross_entropy(leaf([[0.5, 0.1]]), constant([1]), label_smoothing=1.5))
    assert_message(ValueError, "gaussian_nll_loss: var has negative entries",
                   lambda: loss.gaussian_nll_loss(leaf([0.5]), leaf([1.0]), leaf([-1.0])))
    ones = leaf(numpy.ones((2, 3)))
    assert_message(autograd.ShapeError, "gaussian_nll_loss: var of shape (2, 2) does not fit input of "
                   "shape (2, 3)", lambda: loss.gaussian_nll_loss(ones, ones, leaf(numpy.ones((2, 2)))))
    assert_message(autograd.ShapeError, "kl_normal: mu_q and logvar_q must have the same shape, got "
                   "(2,) and (3,)", lambda: loss.kl_normal(leaf([0.0, 1.0]), leaf([0.0, 1.0, 2.0])))


def test_float32_stays_float32():
    x = autograd.tensor(numpy.array([[0.2, 0.7]], dtype=numpy.float32), requires_grad=True)
    for result in (loss.mse_loss(x, x.detach() * 0), loss.binary_cross_entropy(x, x.detach()),
                   loss.binary_cross_entropy_with_logits(x, x.detach()), loss.cross_entropy(x, constant([1])),
                   loss.gaussian_nll_loss(x, x.detach(), 1.0), loss.kl_normal(x, x)):
        assert result.dtype == numpy.float32


def test_runs_on_device(device):
    x = autograd.tensor(numpy.array([[0.2, 0.7], [0.4, 0.1]]), device=device, requires_grad=True)
    target = autograd.tensor(numpy.array([1, 0]), device=device)
    result = (loss.cross_entropy(x, target, label_smoothing=0.1) + loss.binary_cross_entropy(x, x.detach())
              + loss.gaussian_nll_loss(x, x.detach() * 0, x.detach() + 1) + loss.kl_normal(x, x).sum())
    result.backward()
    assert result.device == device and x.grad.device == device
