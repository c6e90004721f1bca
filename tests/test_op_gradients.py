"""Every op's gradient against finite differences, on random small inputs.

Each test draws a shape (shapes that broadcast, for binary ops), float64 values
kept away from the op's kinks and singularities, and the op's arguments (dim,
keepdim, ...), then runs ``autograd.gradcheck``: the analytic Jacobian (one
backward per output element) must match central differences.  The
``second_derivative`` tests do the same for the gradient itself with
``autograd.gradgradcheck``.

The ops, their NumPy references and the inputs they take are in ``strategies.py``;
``test_op_values.py`` checks the forward values on the same inputs.
"""
import numpy
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import autograd
from strategies import (ALONG_DIM_OPS, BINARY_OPS, ELEMENTWISE_OPS, MATMUL_SHAPES, NONZERO,
                        REDUCTION_OPS, along_one_dim_inputs, arrays, array_of, basic_indices,
                        binary_inputs, binary_inputs_with_a_number, boolean_masks,
                        broadcastable_shapes, cat_inputs, chunk_inputs, clamp_inputs,
                        dim_arguments, distinct_arrays, elementwise_inputs,
                        expand_inputs, flatten_inputs, indices_with_repeats,
                        integer_array_indices, matmul_inputs, pad_inputs, permute_inputs,
                        reduction_inputs, repeat_inputs, reshape_inputs, shapes, split_inputs,
                        squeeze_inputs, stack_inputs, transpose_inputs, unsqueeze_inputs,
                        where_inputs)


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------
def leaf(array):
    """A float64 tensor that gradcheck differentiates."""
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64), requires_grad=True)


def _assert_finite(result):
    # gradcheck flags |analytic - numeric| > tolerance, which is False for NaN:
    # a NaN gradient would pass it, so look for one here.
    for pair in result.jacobians:
        assert numpy.isfinite(pair.analytic).all(), f"non-finite analytic Jacobian\n{pair.analytic}"
        assert numpy.isfinite(pair.numeric).all(), f"non-finite numeric Jacobian\n{pair.numeric}"


def check_gradients(fn, *inputs):
    _assert_finite(autograd.gradcheck(fn, inputs))


def check_second_derivatives(fn, *inputs):
    _assert_finite(autograd.gradgradcheck(fn, inputs))


def check_first_and_second_derivatives(fn, *inputs):
    """For shape ops the second derivative is 0, but gradgradcheck still checks that
    their backward is differentiable in turn (the backward of the backward)."""
    check_gradients(fn, *inputs)
    check_second_derivatives(fn, *inputs)


# ----------------------------------------------------------------------------
# Elementwise ops and activations
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("op", ELEMENTWISE_OPS, ids=str)
@given(data=st.data())
def test_elementwise_gradient(op, data):
    x, parameters = data.draw(elementwise_inputs(op))
    check_gradients(lambda x: op.function(x, **parameters), leaf(x))


@pytest.mark.parametrize("op", ELEMENTWISE_OPS, ids=str)
@given(data=st.data())
def test_elementwise_second_derivative(op, data):
    x, parameters = data.draw(elementwise_inputs(op))
    check_second_derivatives(lambda x: op.function(x, **parameters), leaf(x))


@given(clamp_inputs())
def test_clamp_gradient(inputs):
    x, low, high = inputs
    check_gradients(lambda x: autograd.clamp(x, min=low, max=high), leaf(x))


@given(clamp_inputs())
def test_clamp_second_derivative(inputs):
    x, low, high = inputs
    check_second_derivatives(lambda x: x.clamp(low, high), leaf(x))


@given(data=st.data())
def test_pow_with_an_integer_exponent_of_a_negative_base(data):
    x = data.draw(shapes().flatmap(lambda shape: arrays(shape, NONZERO)))  # negative too
    exponent = data.draw(st.integers(-3, 4))
    check_gradients(lambda x: x ** exponent, leaf(x))
    check_second_derivatives(lambda x: x ** exponent, leaf(x))


# ----------------------------------------------------------------------------
# Binary ops, broadcasting
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("op", BINARY_OPS, ids=str)
@given(data=st.data())
def test_binary_gradient(op, data):
    a, b = data.draw(binary_inputs(op))
    check_gradients(op.function, leaf(a), leaf(b))


@pytest.mark.parametrize("op", BINARY_OPS, ids=str)
@given(data=st.data())
def test_binary_second_derivative(op, data):
    a, b = data.draw(binary_inputs(op))
    check_second_derivatives(op.function, leaf(a), leaf(b))


@pytest.mark.parametrize("op", BINARY_OPS, ids=str)
@given(data=st.data())
def test_binary_gradient_with_a_python_number(op, data):
    """x + 2.0, 2.0 - x, x ** 1.5 (a scalar exponent), 1.5 ** x, ..."""
    a, b = data.draw(binary_inputs_with_a_number(op))
    if isinstance(b, float):
        check_gradients(lambda a: op.function(a, b), leaf(a))
    else:
        check_gradients(lambda b: op.function(a, b), leaf(b))


@given(where_inputs())
def test_where_gradient(inputs):
    condition, a, b = inputs
    check_gradients(lambda a, b: autograd.where(condition, a, b), leaf(a), leaf(b))


@given(where_inputs())
def test_where_second_derivative(inputs):
    condition, a, b = inputs
    check_second_derivatives(lambda a, b: autograd.where(condition, a, b), leaf(a), leaf(b))


# ----------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("op", REDUCTION_OPS, ids=str)
@given(data=st.data())
def test_reduction_gradient(op, data):
    x, dim, keepdim, parameters = data.draw(reduction_inputs(op))
    check_gradients(lambda x: op.function(x, dim, keepdim, **parameters), leaf(x))


@pytest.mark.parametrize("op", REDUCTION_OPS, ids=str)
@given(data=st.data())
def test_reduction_second_derivative(op, data):
    x, dim, keepdim, parameters = data.draw(reduction_inputs(op))
    check_second_derivatives(lambda x: op.function(x, dim, keepdim, **parameters), leaf(x))


EXTREMA = {"max": autograd.max, "min": autograd.min}


@pytest.mark.parametrize("extremum", EXTREMA.values(), ids=EXTREMA.keys())
@given(data=st.data())
def test_max_min_over_all_elements_gradient(extremum, data):
    x = data.draw(shapes().flatmap(distinct_arrays))  # no ties
    check_gradients(extremum, leaf(x))
    check_second_derivatives(extremum, leaf(x))


@pytest.mark.parametrize("extremum", EXTREMA.values(), ids=EXTREMA.keys())
@given(along_one_dim_inputs())
def test_max_min_along_a_dim_gradient(extremum, inputs):
    """max(x, dim) is a (values, indices) pair; the values carry the gradient."""
    x, dim, keepdim = inputs
    check_gradients(lambda x: extremum(x, dim, keepdim).values, leaf(x))
    check_second_derivatives(lambda x: extremum(x, dim, keepdim).values, leaf(x))


@pytest.mark.parametrize("op", ALONG_DIM_OPS, ids=str)
@given(along_one_dim_inputs(values=arrays))
def test_softmax_gradient(op, inputs):
    x, dim, _ = inputs
    check_gradients(lambda x: op.function(x, dim), leaf(x))


@pytest.mark.parametrize("op", ALONG_DIM_OPS, ids=str)
@given(along_one_dim_inputs(values=arrays))
def test_softmax_second_derivative(op, inputs):
    x, dim, _ = inputs
    check_second_derivatives(lambda x: op.function(x, dim), leaf(x))


# ----------------------------------------------------------------------------
# Ties: there is no derivative there, so check PyTorch's convention instead
# ----------------------------------------------------------------------------
TIED_VALUES = st.integers(-1, 1).map(float)  # three values: ties everywhere


def _sum_to(array, shape):
    """Sum a broadcast NumPy array back to ``shape`` (what a broadcast input's gradient is)."""
    lead = array.ndim - len(shape)
    array = array.sum(axis=tuple(range(lead)))
    return array.sum(axis=tuple(d for d, size in enumerate(shape) if size == 1), keepdims=True)


@pytest.mark.parametrize("name", ["amax", "amin"])
@given(data=st.data())
def test_amax_amin_share_the_gradient_evenly_between_ties(name, data):
    x = data.draw(shapes().flatmap(lambda shape: arrays(shape, TIED_VALUES)))
    dim, keepdim = data.draw(dim_arguments(x.ndim)), data.draw(st.booleans())
    t = leaf(x)
    getattr(autograd, name)(t, dim, keepdim).sum().backward()
    tied = x == getattr(numpy, name)(x, axis=dim, keepdims=True)
    numpy.testing.assert_allclose(t.grad.array, tied / tied.sum(axis=dim, keepdims=True))


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min_over_all_elements_share_the_gradient_evenly_between_ties(name, data):
    x = data.draw(shapes().flatmap(lambda shape: arrays(shape, TIED_VALUES)))
    t = leaf(x)
    getattr(autograd, name)(t).backward()
    tied = x == getattr(numpy, name)(x)
    numpy.testing.assert_allclose(t.grad.array, tied / tied.sum())


@pytest.mark.parametrize("name", ["max", "min"])
@given(along_one_dim_inputs(values=lambda shape: arrays(shape, TIED_VALUES)))
def test_max_min_along_a_dim_give_the_gradient_to_the_returned_index(name, inputs):
    x, dim, keepdim = inputs
    t = leaf(x)
    values, indices = getattr(autograd, name)(t, dim, keepdim)
    values.sum().backward()
    picked = numpy.expand_dims(indices.numpy(), dim) if not keepdim else indices.numpy()
    expected = numpy.zeros_like(x)
    numpy.put_along_axis(expected, picked, 1.0, axis=dim)
    numpy.testing.assert_allclose(t.grad.array, expected)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
def test_maximum_minimum_split_the_gradient_in_half_at_ties(name, data):
    a_shape, b_shape = data.draw(broadcastable_shapes())
    a, b = data.draw(arrays(a_shape, TIED_VALUES)), data.draw(arrays(b_shape, TIED_VALUES))
    ta, tb = leaf(a), leaf(b)
    getattr(autograd, name)(ta, tb).sum().backward()
    a_wins = (a > b) if name == "maximum" else (a < b)
    share_a = numpy.where(a == b, 0.5, a_wins.astype(float))
    numpy.testing.assert_allclose(ta.grad.array, _sum_to(share_a, a_shape))
    numpy.testing.assert_allclose(tb.grad.array, _sum_to(1 - share_a, b_shape))


REDUCTIONS_OF_A_0D_TENSOR = {  # PyTorch accepts dim 0 and dim -1 for a 0-d tensor
    "sum": lambda x, dim: autograd.sum(x, dim),
    "mean": lambda x, dim: autograd.mean(x, dim),
    "var": lambda x, dim: autograd.var(x, dim, unbiased=False),
    "amax": lambda x, dim: autograd.amax(x, dim),
    "amin": lambda x, dim: autograd.amin(x, dim),
    "logsumexp": lambda x, dim: autograd.logsumexp(x, dim),
    "norm": lambda x, dim: autograd.norm(x, 2, dim),
    "max": lambda x, dim: autograd.max(x, dim).values,
    "min": lambda x, dim: autograd.min(x, dim).values,
    "softmax": lambda x, dim: autograd.softmax(x, dim),
    "log_softmax": lambda x, dim: autograd.log_softmax(x, dim),
}


def test_reductions_of_a_0d_tensor_over_dim_0_and_minus_1_gradient():
    failures = []
    for name, reduce in REDUCTIONS_OF_A_0D_TENSOR.items():
        for dim in (0, -1):
            try:
                check_gradients(lambda x: reduce(x, dim), leaf(0.7))
            except Exception as err:  # collect them all: one run lists every op that fails
                failures.append(f"{name}(x, dim={dim}): {type(err).__name__}: {err}")
    assert not failures, "\n".join(failures)


# ----------------------------------------------------------------------------
# Shape ops
# ----------------------------------------------------------------------------
@given(reshape_inputs())
def test_reshape_gradient(inputs):
    x, shape = inputs
    check_first_and_second_derivatives(lambda x: x.reshape(shape), leaf(x))


@given(reshape_inputs())
def test_view_gradient(inputs):
    x, shape = inputs
    check_first_and_second_derivatives(lambda x: x.view(*shape), leaf(x))


@given(transpose_inputs())
def test_transpose_gradient(inputs):
    x, dim0, dim1 = inputs
    check_first_and_second_derivatives(lambda x: x.transpose(dim0, dim1), leaf(x))


@given(permute_inputs())
@example(inputs=(numpy.arange(24.0).reshape(2, 3, 4), (1, 2, 0)))  # not its own inverse
def test_permute_gradient(inputs):
    x, dims = inputs
    check_first_and_second_derivatives(lambda x: x.permute(*dims), leaf(x))


@given(squeeze_inputs())
def test_squeeze_gradient(inputs):
    x, dim = inputs
    check_first_and_second_derivatives(lambda x: x.squeeze(dim), leaf(x))


@given(unsqueeze_inputs())
def test_unsqueeze_gradient(inputs):
    x, dim = inputs
    check_first_and_second_derivatives(lambda x: x.unsqueeze(dim), leaf(x))


@given(flatten_inputs())
def test_flatten_gradient(inputs):
    x, start_dim, end_dim = inputs
    check_first_and_second_derivatives(lambda x: x.flatten(start_dim, end_dim), leaf(x))


@given(expand_inputs())
def test_expand_gradient(inputs):
    x, _, sizes = inputs
    check_first_and_second_derivatives(lambda x: x.expand(*sizes), leaf(x))


@given(expand_inputs())
def test_broadcast_to_gradient(inputs):
    x, shape, _ = inputs
    check_first_and_second_derivatives(lambda x: autograd.broadcast_to(x, shape), leaf(x))


@given(repeat_inputs())
def test_repeat_gradient(inputs):
    x, repeats = inputs
    check_first_and_second_derivatives(lambda x: x.repeat(*repeats), leaf(x))


@given(data=st.data())
def test_getitem_with_ints_slices_none_and_ellipsis_gradient(data):
    x = data.draw(array_of(shapes()))
    index = data.draw(basic_indices(x.shape))
    check_first_and_second_derivatives(lambda x: x[index], leaf(x))


@given(data=st.data())
def test_getitem_with_repeated_integer_indices_gradient(data):
    """x[[2, 0, 2]]: an element picked twice gets the sum of both gradients."""
    x = data.draw(array_of(shapes(min_dims=1)))
    index = data.draw(st.one_of(indices_with_repeats(x.shape), integer_array_indices(x.shape)))
    check_first_and_second_derivatives(lambda x: x[index], leaf(x))


@given(data=st.data())
def test_getitem_with_an_integer_tensor_gradient(data):
    x = data.draw(array_of(shapes(min_dims=1)))
    picks = autograd.tensor(data.draw(indices_with_repeats(x.shape[:1]))[0])
    check_first_and_second_derivatives(lambda x: x[picks], leaf(x))


@given(data=st.data())
def test_getitem_with_a_boolean_mask_gradient(data):
    x = data.draw(array_of(shapes(min_dims=1)))
    mask = data.draw(boolean_masks(x.shape))
    check_first_and_second_derivatives(lambda x: x[mask], leaf(x))


@given(cat_inputs())
def test_cat_gradient(inputs):
    pieces, dim = inputs
    check_first_and_second_derivatives(lambda *xs: autograd.cat(xs, dim), *map(leaf, pieces))


@given(stack_inputs())
def test_stack_gradient(inputs):
    pieces, dim = inputs
    check_first_and_second_derivatives(lambda *xs: autograd.stack(xs, dim), *map(leaf, pieces))


@given(split_inputs())
def test_split_gradient_using_some_outputs(inputs):
    """The outputs that are not used get a zero gradient."""
    x, split_size_or_sections, dim, used = inputs
    check_first_and_second_derivatives(
        lambda x: tuple(x.split(split_size_or_sections, dim)[i] for i in used), leaf(x))


@given(chunk_inputs())
def test_chunk_gradient(inputs):
    x, chunks, dim = inputs
    check_first_and_second_derivatives(lambda x: x.chunk(chunks, dim), leaf(x))


@given(pad_inputs())
def test_pad_gradient(inputs):
    x, pad, value = inputs
    check_first_and_second_derivatives(lambda x: autograd.pad(x, pad, value=value), leaf(x))


# ----------------------------------------------------------------------------
# matmul
# ----------------------------------------------------------------------------
@given(matmul_inputs())
def test_matmul_gradient(inputs):
    a, b = inputs
    check_gradients(autograd.matmul, leaf(a), leaf(b))


@given(matmul_inputs())
def test_matmul_second_derivative(inputs):
    a, b = inputs
    check_second_derivatives(autograd.matmul, leaf(a), leaf(b))


@pytest.mark.parametrize("a_shape, b_shape", MATMUL_SHAPES.values(), ids=MATMUL_SHAPES.keys())
@settings(max_examples=5)
@given(data=st.data())
def test_matmul_operator_for_each_kind_of_operand(a_shape, b_shape, data):
    a, b = data.draw(arrays(a_shape)), data.draw(arrays(b_shape))
    check_gradients(lambda a, b: a @ b, leaf(a), leaf(b))
    check_second_derivatives(lambda a, b: a @ b, leaf(a), leaf(b))
