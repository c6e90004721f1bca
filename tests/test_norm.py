"""batch_norm, instance_norm, group_norm and layer_norm (autograd/ops/norm.py).

* values against the NumPy formula (x - mean) / sqrt(var + eps) * weight + bias;
* gradients (``gradcheck``) of every op, with and without weight and bias, and
  second derivatives (``gradgradcheck``): WGAN-GP differentiates a gradient that
  runs through instance_norm and layer_norm;
* batch_norm's and instance_norm's running statistics: updated in place with the
  unbiased batch variance in training, used (and left alone) in evaluation;
* the error messages.

Inputs are small and their values at least 0.3 apart, so that every group of
two or more values that shares a mean has a variance well above 0 (near 0 the
normalisation is steep and finite differences lose their digits).

PyTorch comparisons are in tests/parity/test_norm_parity.py.
"""
import math

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import backend
from autograd.ops.norm import batch_norm, group_norm, instance_norm, layer_norm

MAX_ELEMENTS = 24
EPS = 1e-5


# ----------------------------------------------------------------------------
# Strategies and helpers
# ----------------------------------------------------------------------------
@st.composite
def spread_arrays(draw, shape, gap=0.3):
    """float64 values at least ``gap`` apart, in a random order and offset."""
    size = math.prod(shape)
    ranks = numpy.array(draw(st.permutations(range(size))), dtype=numpy.float64)
    offset = draw(st.floats(-1, 1))
    return (offset + gap * (ranks - size / 2)).reshape(shape)


def small_vectors(size):
    """A weight or bias: float64 values in [-2, 2]."""
    return st.lists(st.floats(-2, 2), min_size=size, max_size=size).map(numpy.array)


@st.composite
def channel_shapes(draw, min_spatial_dims=0, max_spatial_dims=2, per_channel=2,
                   spatial_only=False):
    """(N, C, *spatial) with at most MAX_ELEMENTS elements and at least ``per_channel``
    values in each group that shares statistics: N * spatial for batch_norm,
    spatial alone for instance_norm (``spatial_only``)."""
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), min_size=min_spatial_dims,
                                  max_size=max_spatial_dims)))
    shape = (n, c) + spatial
    shared = math.prod(spatial) * (1 if spatial_only else n)
    if shared < per_channel or math.prod(shape) > MAX_ELEMENTS:  # then a known-good shape
        return draw(st.sampled_from([(2, 3, 2), (3, 2, 2), (2, 2, 2, 2)]))
    return shape


@st.composite
def affine(draw, size):
    """(weight, bias): each an array of ``size`` values, or None."""
    weight = draw(st.one_of(st.none(), small_vectors(size)))
    bias = draw(st.one_of(st.none(), small_vectors(size)))
    return weight, bias


def leaf(array):
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64), requires_grad=True)


def leaves(*arrays):
    """Tensors that require grad, with None left as None."""
    return [None if a is None else leaf(a) for a in arrays]


def constant(array):
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64))


def positional(fn, inputs):
    """gradcheck perturbs its positional inputs: pass only the non-None ones and put
    them back in their places (x, weight, bias) before calling ``fn``."""
    present = [i for i, t in enumerate(inputs) if t is not None]

    def call(*tensors):
        full = [None] * len(inputs)
        for i, t in zip(present, tensors):
            full[i] = t
        return fn(*full)
    return call, tuple(inputs[i] for i in present)


def check_gradients(fn, *inputs):
    call, tensors = positional(fn, inputs)
    result = autograd.gradcheck(call, tensors)
    for pair in result.jacobians:
        assert numpy.isfinite(pair.analytic).all()


def check_second_derivatives(fn, *inputs):
    call, tensors = positional(fn, inputs)
    result = autograd.gradgradcheck(call, tensors)
    for pair in result.jacobians:
        assert numpy.isfinite(pair.analytic).all()


def reference(x, dims, weight=None, bias=None, affine_shape=None, mean=None, var=None):
    """The NumPy formula, with the batch statistics over ``dims`` unless given."""
    if mean is None:
        mean = x.mean(axis=dims, keepdims=True)
        var = x.var(axis=dims, keepdims=True)
    return affine_reference((x - mean) / numpy.sqrt(var + EPS), weight, bias, affine_shape)


def affine_reference(y, weight, bias, shape):
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def channel_view(x):
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def assert_close(tensor, expected, rtol=1e-10, atol=1e-12):
    numpy.testing.assert_allclose(backend.to_numpy(tensor.array), expected, rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------
# batch_norm
# ----------------------------------------------------------------------------
@st.composite
def batch_norm_inputs(draw):
    shape = draw(channel_shapes())
    return (draw(spread_arrays(shape)),) + draw(affine(shape[1]))


def batch_dims(x):
    return (0,) + tuple(range(2, x.ndim))


@given(inputs=batch_norm_inputs())
def test_batch_norm_training_values(inputs):
    x, w, b = inputs
    y = batch_norm(leaf(x), None, None, *leaves(w, b), training=True)
    assert_close(y, reference(x, batch_dims(x), w, b, channel_view(x)))


@given(inputs=batch_norm_inputs())
def test_batch_norm_training_gradient(inputs):
    check_gradients(lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
                    *leaves(*inputs))


@given(inputs=batch_norm_inputs())
def test_batch_norm_training_gradient_with_running_stats(inputs):
    # the running statistics are updated on every call, but never change the output
    x, w, b = inputs
    c = x.shape[1]
    running_mean, running_var = constant(numpy.zeros(c)), constant(numpy.ones(c))
    check_gradients(lambda x, w, b: batch_norm(x, running_mean, running_var, w, b, training=True),
                    *leaves(x, w, b))


@given(inputs=batch_norm_inputs())
def test_batch_norm_training_second_derivative(inputs):
    check_second_derivatives(lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
                             *leaves(*inputs))


@given(inputs=batch_norm_inputs(), data=st.data())
def test_batch_norm_eval_values_and_gradient(inputs, data):
    x, w, b = inputs
    c = x.shape[1]
    mean = data.draw(small_vectors(c))
    var = data.draw(st.lists(st.floats(0.2, 3), min_size=c, max_size=c).map(numpy.array))
    running_mean, running_var = constant(mean), constant(var)
    y = batch_norm(leaf(x), running_mean, running_var, *leaves(w, b))
    view = channel_view(x)
    assert_close(y, reference(x, None, w, b, view, mean.reshape(view), var.reshape(view)))
    check_gradients(lambda x, w, b: batch_norm(x, running_mean, running_var, w, b),
                    *leaves(x, w, b))
    # evaluation leaves the running statistics alone
    numpy.testing.assert_array_equal(running_mean.array, mean)
    numpy.testing.assert_array_equal(running_var.array, var)


def test_batch_norm_updates_running_stats_in_place():
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5))
    mean0, var0 = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    running_mean, running_var = constant(mean0.copy()), constant(var0.copy())
    arrays = running_mean.array, running_var.array
    batch_norm(leaf(x), running_mean, running_var, training=True, momentum=0.3)
    # the same arrays, changed in place (a module's buffers keep their identity)
    assert running_mean.array is arrays[0] and running_var.array is arrays[1]
    numpy.testing.assert_allclose(running_mean.array, 0.7 * mean0 + 0.3 * x.mean(axis=(0, 2)))
    numpy.testing.assert_allclose(running_var.array,
                                  0.7 * var0 + 0.3 * x.var(axis=(0, 2), ddof=1))  # unbiased
    # buffers stay out of the graph
    assert not running_mean.requires_grad and running_mean.creator is None


@pytest.mark.parametrize("momentum", [0.0, 1.0])
def test_batch_norm_momentum_extremes(momentum):
    x = numpy.arange(12.0).reshape(6, 2) ** 1.5
    running_mean, running_var = constant(numpy.zeros(2)), constant(numpy.ones(2))
    batch_norm(constant(x), running_mean, running_var, training=True, momentum=momentum)
    expected_mean = x.mean(axis=0) if momentum else numpy.zeros(2)
    expected_var = x.var(axis=0, ddof=1) if momentum else numpy.ones(2)
    numpy.testing.assert_allclose(running_mean.array, expected_mean)
    numpy.testing.assert_allclose(running_var.array, expected_var)


def test_batch_norm_running_stats_update_under_no_grad():
    x = numpy.arange(8.0).reshape(4, 2)
    running_mean, running_var = constant(numpy.zeros(2)), constant(numpy.ones(2))
    with autograd.no_grad():
        y = batch_norm(leaf(x), running_mean, running_var, training=True)
    assert not y.requires_grad
    numpy.testing.assert_allclose(running_mean.array, 0.1 * x.mean(axis=0))


def test_batch_norm_eval_gives_no_gradient_to_running_stats():
    x = leaf(numpy.arange(6.0).reshape(3, 2))
    running_mean = autograd.tensor(numpy.zeros(2), requires_grad=True)
    running_var = autograd.tensor(numpy.ones(2), requires_grad=True)
    batch_norm(x, running_mean, running_var).sum().backward()
    assert running_mean.grad is None and running_var.grad is None
    assert x.grad is not None


def test_batch_norm_keeps_float32():
    x = autograd.tensor(numpy.arange(12.0, dtype=numpy.float32).reshape(4, 3))
    running_mean = autograd.tensor(numpy.zeros(3, dtype=numpy.float32))
    running_var = autograd.tensor(numpy.ones(3, dtype=numpy.float32))
    weight = autograd.tensor(numpy.ones(3, dtype=numpy.float32))
    assert batch_norm(x, running_mean, running_var, weight, training=True).dtype == numpy.float32
    assert batch_norm(x, running_mean, running_var, weight).dtype == numpy.float32
    assert running_mean.dtype == numpy.float32 and running_var.dtype == numpy.float32


def test_batch_norm_on_device(device):
    rng = numpy.random.default_rng(1)
    x, w = rng.standard_normal((3, 2, 4)), rng.standard_normal(2)
    xt = autograd.tensor(x, device=device, requires_grad=True)
    running_mean = autograd.zeros(2, dtype=autograd.float64, device=device)
    running_var = autograd.ones(2, dtype=autograd.float64, device=device)
    y = batch_norm(xt, running_mean, running_var, autograd.tensor(w, device=device), training=True)
    (y * y).sum().backward()
    assert_close(y, reference(x, (0, 2), w, None, (1, 2, 1)))
    assert xt.grad.device == xt.device
    assert_close(running_mean, 0.1 * x.mean(axis=(0, 2)))


# ----------------------------------------------------------------------------
# instance_norm
# ----------------------------------------------------------------------------
@st.composite
def instance_norm_inputs(draw):
    shape = draw(channel_shapes(min_spatial_dims=1, spatial_only=True))
    return (draw(spread_arrays(shape)),) + draw(affine(shape[1]))


def spatial_dims(x):
    return tuple(range(2, x.ndim))


@given(inputs=instance_norm_inputs())
def test_instance_norm_values(inputs):
    x, w, b = inputs
    y = instance_norm(leaf(x), None, None, *leaves(w, b))
    assert_close(y, reference(x, spatial_dims(x), w, b, channel_view(x)))


@given(inputs=instance_norm_inputs())
def test_instance_norm_gradient(inputs):
    check_gradients(lambda x, w, b: instance_norm(x, weight=w, bias=b), *leaves(*inputs))


@given(inputs=instance_norm_inputs())
def test_instance_norm_second_derivative(inputs):
    check_second_derivatives(lambda x, w, b: instance_norm(x, weight=w, bias=b),
                             *leaves(*inputs))


def test_instance_norm_updates_running_stats():
    rng = numpy.random.default_rng(2)
    x = rng.standard_normal((3, 2, 4, 2))
    running_mean, running_var = constant(numpy.zeros(2)), constant(numpy.ones(2))
    array = running_mean.array
    instance_norm(leaf(x), running_mean, running_var, momentum=0.2)
    assert running_mean.array is array
    # the average over the batch of each instance's mean and unbiased variance
    numpy.testing.assert_allclose(running_mean.array, 0.2 * x.mean(axis=(2, 3)).mean(axis=0))
    numpy.testing.assert_allclose(running_var.array,
                                  0.8 + 0.2 * x.var(axis=(2, 3), ddof=1).mean(axis=0))


def test_instance_norm_with_running_stats_instead_of_input_stats():
    rng = numpy.random.default_rng(3)
    x, mean, var = rng.standard_normal((2, 3, 4)), rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    running_mean, running_var = constant(mean), constant(var)
    y = instance_norm(leaf(x), running_mean, running_var, use_input_stats=False)
    assert_close(y, reference(x, None, mean=mean.reshape(1, 3, 1), var=var.reshape(1, 3, 1)))
    numpy.testing.assert_array_equal(running_mean.array, mean)  # not updated


# ----------------------------------------------------------------------------
# group_norm
# ----------------------------------------------------------------------------
@st.composite
def group_norm_inputs(draw):
    """(x, num_groups, weight, bias) with at least 2 values per group."""
    groups = draw(st.integers(1, 3))
    per_group = draw(st.integers(1, 3))
    n = draw(st.integers(1, 2))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    shape = (n, groups * per_group) + spatial
    if per_group * math.prod(spatial) < 2 or math.prod(shape) > MAX_ELEMENTS:
        shape, groups = draw(st.sampled_from([((2, 4), 2), ((1, 6, 2), 3), ((2, 2, 3), 1)]))
    return (draw(spread_arrays(shape)), groups) + draw(affine(shape[1]))


def group_reference(x, groups, w, b):
    n = x.shape[0]
    grouped = x.reshape(n, groups, -1)
    y = reference(grouped, (2,)).reshape(x.shape)
    return affine_reference(y, w, b, channel_view(x))


@given(inputs=group_norm_inputs())
def test_group_norm_values(inputs):
    x, groups, w, b = inputs
    y = group_norm(leaf(x), groups, *leaves(w, b))
    assert_close(y, group_reference(x, groups, w, b))


@given(inputs=group_norm_inputs())
def test_group_norm_gradient(inputs):
    x, groups, w, b = inputs
    check_gradients(lambda x, w, b: group_norm(x, groups, w, b), *leaves(x, w, b))


@given(inputs=group_norm_inputs())
def test_group_norm_second_derivative(inputs):
    x, groups, w, b = inputs
    check_second_derivatives(lambda x, w, b: group_norm(x, groups, w, b), *leaves(x, w, b))


# ----------------------------------------------------------------------------
# layer_norm
# ----------------------------------------------------------------------------
@st.composite
def layer_norm_inputs(draw):
    """(x, normalized_shape, weight, bias): normalized_shape is the last 1 or 2 dims
    (an int or a tuple), holding at least 2 values."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k:]
    if math.prod(normalized) < 2 or math.prod(shape) > MAX_ELEMENTS:
        shape, normalized = draw(st.sampled_from([((3, 4), (4,)), ((2, 2, 3), (2, 3))]))
    argument = normalized[0] if len(normalized) == 1 and draw(st.booleans()) else normalized
    weight = draw(st.one_of(st.none(), small_vectors(math.prod(normalized))))
    bias = draw(st.one_of(st.none(), small_vectors(math.prod(normalized))))
    reshape = (lambda a: None if a is None else a.reshape(normalized))
    return draw(spread_arrays(shape)), argument, reshape(weight), reshape(bias)


def layer_dims(x, normalized_shape):
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    return tuple(range(x.ndim - k, x.ndim))


@given(inputs=layer_norm_inputs())
def test_layer_norm_values(inputs):
    x, normalized, w, b = inputs
    y = layer_norm(leaf(x), normalized, *leaves(w, b))
    affine_shape = None if w is None and b is None else (w if w is not None else b).shape
    assert_close(y, reference(x, layer_dims(x, normalized), w, b, affine_shape))


@given(inputs=layer_norm_inputs())
def test_layer_norm_gradient(inputs):
    x, normalized, w, b = inputs
    check_gradients(lambda x, w, b: layer_norm(x, normalized, w, b), *leaves(x, w, b))


@given(inputs=layer_norm_inputs())
def test_layer_norm_second_derivative(inputs):
    x, normalized, w, b = inputs
    check_second_derivatives(lambda x, w, b: layer_norm(x, normalized, w, b), *leaves(x, w, b))


def test_gradient_penalty_through_instance_and_layer_norm():
    """The WGAN-GP pattern: the norm of d critic / d input, itself differentiated."""
    rng = numpy.random.default_rng(4)
    x = leaf(rng.standard_normal((2, 2, 3)))
    w = leaf(rng.standard_normal(2))
    v = leaf(rng.standard_normal((2, 2, 3)))

    def penalty(x, w, v):
        with autograd.enable_grad():  # gradcheck's numeric pass runs under no_grad()
            critic = (layer_norm(instance_norm(x, weight=w), (2, 3)) * v).tanh().sum()
            g, = autograd.grad(critic, x, create_graph=True)
        return ((g * g).sum().sqrt() - 1) ** 2

    autograd.gradcheck(penalty, (x, w, v))


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------
def tensors(*shapes):
    return [autograd.zeros(*s, dtype=autograd.float64) for s in shapes]


@pytest.mark.parametrize("name", ["running_mean", "running_var", "weight", "bias"])
def test_batch_norm_wrong_per_channel_shape(name):
    x, good, bad = tensors((4, 3, 5), (3,), (4,))
    arguments = dict(running_mean=good, running_var=good, weight=good, bias=good)
    arguments[name] = bad
    with pytest.raises(ValueError, match=rf"batch_norm: {name} should have shape \(3,\).*"
                                         r"\(4, 3, 5\).*got shape \(4,\)"):
        batch_norm(x, training=True, **arguments)


def test_batch_norm_one_value_per_channel():
    x, = tensors((1, 3))
    with pytest.raises(ValueError, match=r"batch_norm: Expected more than 1 value per channel "
                                         r"when training, got input of shape \(1, 3\)"):
        batch_norm(x, None, None, training=True)
    batch_norm(x, *tensors((3,), (3,)))  # evaluation is fine with one value


def test_batch_norm_eval_needs_running_stats():
    x, = tensors((4, 3))
    with pytest.raises(ValueError, match="batch_norm: running_mean and running_var must be given"):
        batch_norm(x, None, None)


def test_batch_norm_running_stats_come_in_pairs():
    x, stat = tensors((4, 3), (3,))
    with pytest.raises(ValueError, match="batch_norm: running_mean and running_var must either"):
        batch_norm(x, stat, None, training=True)


def test_batch_norm_momentum_none_is_the_modules_job():
    x, mean, var = tensors((4, 3), (3,), (3,))
    with pytest.raises(TypeError, match="batch_norm: momentum must be a float.*num_batches_tracked"):
        batch_norm(x, mean, var, training=True, momentum=None)


def test_batch_norm_needs_a_channel_dim():
    x, = tensors((5,))
    with pytest.raises(ValueError, match=r"batch_norm: expected an input of shape \(N, C\).*\(5,\)"):
        batch_norm(x, None, None, training=True)


def test_instance_norm_errors():
    x, weight = tensors((2, 3, 1), (2,))
    with pytest.raises(ValueError, match=r"instance_norm: Expected more than 1 spatial element "
                                         r"when training, got input of shape \(2, 3, 1\)"):
        instance_norm(x)
    x, = tensors((2, 3, 4))
    with pytest.raises(ValueError, match=r"instance_norm: weight should have shape \(3,\).*"
                                         r"got shape \(2,\)"):
        instance_norm(x, weight=weight)
    with pytest.raises(ValueError, match="instance_norm: running_mean and running_var must be "
                                         "given when use_input_stats=False"):
        instance_norm(x, use_input_stats=False)


def test_group_norm_errors():
    x, weight = tensors((2, 6, 4), (3,))
    with pytest.raises(ValueError, match=r"group_norm: the number of channels must be divisible "
                                         r"by num_groups, got input of shape \(2, 6, 4\) and "
                                         r"num_groups=4"):
        group_norm(x, 4)
    with pytest.raises(ValueError, match=r"group_norm: weight should have shape \(6,\).*"
                                         r"got shape \(3,\)"):
        group_norm(x, 2, weight)


def test_layer_norm_errors():
    x, weight = tensors((2, 4), (3,))
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape=\(3,\) expects an input of "
                                         r"shape \(\*, 3\), got shape \(2, 4\)"):
        layer_norm(x, 3)
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape=\(2, 2, 4\)"):
        layer_norm(x, (2, 2, 4))
    with pytest.raises(ValueError, match=r"layer_norm: weight should have shape "
                                         r"normalized_shape=\(4,\), but got shape \(3,\)"):
        layer_norm(x, 4, weight)
