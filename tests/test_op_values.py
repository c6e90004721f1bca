"""Every op's forward value against its NumPy reference, on the same random inputs
as the gradient tests (``strategies.py`` lists the ops and draws the inputs).

A gradient test alone would miss an op that is wrong in a self-consistent way
(var dividing by n instead of n - 1 has the right gradient for the wrong value).
The Tensor-method and operator forms are checked against the function form.
"""
import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from strategies import (ALONG_DIM_OPS, BINARY_OPS, ELEMENTWISE_OPS, MATMUL_SHAPES, REDUCTION_OPS,
                        along_one_dim_inputs, array_of, arrays, basic_indices, binary_inputs,
                        binary_inputs_with_a_number, boolean_masks, cat_inputs, chunk_inputs,
                        clamp_inputs, elementwise_inputs, expand_inputs, flatten_inputs,
                        indices_with_repeats, integer_array_indices, matmul_inputs, pad_inputs,
                        permute_inputs, reduction_inputs, repeat_inputs, reshape_inputs, shapes,
                        split_inputs, squeeze_inputs, stack_inputs, transpose_inputs,
                        unsqueeze_inputs, where_inputs)


def tensor(array):
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64))


def assert_matches(actual, expected):
    """``actual`` is a float64 Tensor equal to the NumPy array ``expected``, shape included."""
    expected = numpy.asarray(expected)
    assert actual.dtype == numpy.float64
    assert actual.shape == expected.shape
    numpy.testing.assert_allclose(actual.array, expected, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------
# Elementwise, binary, reductions: the tables
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("op", ELEMENTWISE_OPS, ids=str)
@given(data=st.data())
def test_elementwise_value(op, data):
    x, parameters = data.draw(elementwise_inputs(op))
    assert_matches(op.function(tensor(x), **parameters), op.reference(x, **parameters))
    if op.method is not None:
        assert_matches(op.method(tensor(x), **parameters), op.reference(x, **parameters))


@pytest.mark.parametrize("op", BINARY_OPS, ids=str)
@given(data=st.data())
def test_binary_value(op, data):
    a, b = data.draw(binary_inputs(op))
    expected = op.reference(a, b)
    assert_matches(op.function(tensor(a), tensor(b)), expected)
    assert_matches(op.method(tensor(a), tensor(b)), expected)
    if op.operator is not None:
        assert_matches(op.operator(tensor(a), tensor(b)), expected)


@pytest.mark.parametrize("op", BINARY_OPS, ids=str)
@given(data=st.data())
def test_binary_value_with_a_python_number(op, data):
    """2.0 - x calls x.__rsub__, 1.5 ** x calls x.__rpow__, ..."""
    a, b = data.draw(binary_inputs_with_a_number(op))
    expected = op.reference(a, b)
    as_tensors = (tensor(a), b) if isinstance(b, float) else (a, tensor(b))
    assert_matches(op.function(*as_tensors), expected)
    if op.operator is not None:
        assert_matches(op.operator(*as_tensors), expected)


@given(clamp_inputs())
def test_clamp_value(inputs):
    x, low, high = inputs
    assert_matches(autograd.clamp(tensor(x), min=low, max=high), numpy.clip(x, low, high))
    assert_matches(tensor(x).clamp(low, high), numpy.clip(x, low, high))


@given(where_inputs())
def test_where_value(inputs):
    condition, a, b = inputs
    host_condition = condition.numpy() if isinstance(condition, autograd.Tensor) else condition
    expected = numpy.where(host_condition, a, b)
    assert_matches(autograd.where(condition, tensor(a), tensor(b)), expected)


@pytest.mark.parametrize("op", REDUCTION_OPS, ids=str)
@given(data=st.data())
def test_reduction_value(op, data):
    x, dim, keepdim, parameters = data.draw(reduction_inputs(op))
    expected = op.reference(x, axis=dim, keepdims=keepdim, **parameters)
    assert_matches(op.function(tensor(x), dim, keepdim, **parameters), expected)
    assert_matches(op.method(tensor(x), dim, keepdim, **parameters), expected)


EXTREMA = {"max": (autograd.max, numpy.max, numpy.argmax),
           "min": (autograd.min, numpy.min, numpy.argmin)}


@pytest.mark.parametrize("name", EXTREMA)
@given(along_one_dim_inputs())
def test_max_min_along_a_dim_return_values_and_indices(name, inputs):
    extremum, numpy_extremum, numpy_arg = EXTREMA[name]
    x, dim, keepdim = inputs
    for result in (extremum(tensor(x), dim, keepdim), getattr(tensor(x), name)(dim, keepdim)):
        values, indices = result  # a namedtuple: result.values, result.indices
        assert values is result.values and indices is result.indices
        assert_matches(values, numpy_extremum(x, axis=dim, keepdims=keepdim))
        numpy.testing.assert_array_equal(indices.array, numpy_arg(x, axis=dim, keepdims=keepdim))
        assert indices.dtype.kind == "i"


@pytest.mark.parametrize("name", EXTREMA)
@given(shapes().flatmap(arrays))
def test_max_min_over_all_elements_value(name, x):
    extremum, numpy_extremum, _ = EXTREMA[name]
    assert_matches(extremum(tensor(x)), numpy_extremum(x))
    assert_matches(getattr(tensor(x), name)(), numpy_extremum(x))


@pytest.mark.parametrize("op", ALONG_DIM_OPS, ids=str)
@given(along_one_dim_inputs(values=arrays))
def test_softmax_value(op, inputs):
    x, dim, _ = inputs
    assert_matches(op.function(tensor(x), dim), op.reference(x, axis=dim))
    assert_matches(op.method(tensor(x), dim), op.reference(x, axis=dim))


# ----------------------------------------------------------------------------
# Shape ops
# ----------------------------------------------------------------------------
@given(reshape_inputs())
def test_reshape_and_view_value(inputs):
    x, shape = inputs
    expected = x.reshape(shape)
    assert_matches(tensor(x).reshape(shape), expected)
    assert_matches(tensor(x).reshape(*shape), expected)
    assert_matches(tensor(x).view(*shape), expected)
    assert_matches(autograd.reshape(tensor(x), shape), expected)


@given(transpose_inputs())
def test_transpose_value(inputs):
    x, dim0, dim1 = inputs
    assert_matches(tensor(x).transpose(dim0, dim1), numpy.swapaxes(x, dim0, dim1))
    assert_matches(autograd.transpose(tensor(x), dim0, dim1), numpy.swapaxes(x, dim0, dim1))


@given(permute_inputs())
def test_permute_value(inputs):
    x, dims = inputs
    assert_matches(tensor(x).permute(*dims), numpy.transpose(x, dims))
    assert_matches(autograd.permute(tensor(x), dims), numpy.transpose(x, dims))


@given(squeeze_inputs())
def test_squeeze_value(inputs):
    """Unlike numpy.squeeze, a dim whose size is not 1 is left alone (as PyTorch)."""
    x, dim = inputs
    if dim is None:
        expected = numpy.squeeze(x)
    else:
        dims = {d % x.ndim for d in ((dim,) if isinstance(dim, int) else dim)} if x.ndim else set()
        expected = numpy.squeeze(x, axis=tuple(d for d in dims if x.shape[d] == 1))
    assert_matches(tensor(x).squeeze(dim), expected)
    assert_matches(autograd.squeeze(tensor(x), dim), expected)


@given(unsqueeze_inputs())
def test_unsqueeze_value(inputs):
    x, dim = inputs
    assert_matches(tensor(x).unsqueeze(dim), numpy.expand_dims(x, dim))
    assert_matches(autograd.unsqueeze(tensor(x), dim), numpy.expand_dims(x, dim))


@given(flatten_inputs())
def test_flatten_value(inputs):
    x, start, end = inputs
    start, end = start % x.ndim, end % x.ndim
    expected = x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])
    assert_matches(tensor(x).flatten(start, end), expected)
    assert_matches(autograd.flatten(tensor(x), start, end), expected)


@given(expand_inputs())
def test_expand_and_broadcast_to_value(inputs):
    x, shape, sizes = inputs
    assert_matches(tensor(x).expand(*sizes), numpy.broadcast_to(x, shape))
    assert_matches(autograd.broadcast_to(tensor(x), shape), numpy.broadcast_to(x, shape))


@given(repeat_inputs())
def test_repeat_value(inputs):
    x, repeats = inputs
    assert_matches(tensor(x).repeat(*repeats), numpy.tile(x, repeats))


@given(data=st.data())
def test_getitem_value(data):
    x = data.draw(array_of(shapes(min_dims=1)))
    index = data.draw(st.one_of(basic_indices(x.shape), indices_with_repeats(x.shape),
                                integer_array_indices(x.shape), boolean_masks(x.shape)))
    assert_matches(tensor(x)[index], x[index])


@given(cat_inputs())
def test_cat_value(inputs):
    pieces, dim = inputs
    assert_matches(autograd.cat([tensor(p) for p in pieces], dim), numpy.concatenate(pieces, dim))


@given(stack_inputs())
def test_stack_value(inputs):
    pieces, dim = inputs
    assert_matches(autograd.stack([tensor(p) for p in pieces], dim), numpy.stack(pieces, dim))


@given(split_inputs())
def test_split_value(inputs):
    x, split_size_or_sections, dim, _ = inputs
    length = x.shape[dim]
    if isinstance(split_size_or_sections, int):
        cuts = list(range(split_size_or_sections, length, split_size_or_sections))
    else:
        cuts = numpy.cumsum(split_size_or_sections)[:-1].tolist()
    expected = numpy.split(x, cuts, axis=dim)
    for function in (lambda x: x.split(split_size_or_sections, dim),
                     lambda x: autograd.split(x, split_size_or_sections, dim)):
        pieces = function(tensor(x))
        assert isinstance(pieces, tuple) and len(pieces) == len(expected)
        for piece, expected_piece in zip(pieces, expected):
            assert_matches(piece, expected_piece)


@given(chunk_inputs())
def test_chunk_value(inputs):
    """As PyTorch: chunks of ceil(length / chunks), so there may be fewer than asked for."""
    x, chunks, dim = inputs
    length = x.shape[dim]
    size = -(-length // chunks)
    expected = numpy.split(x, list(range(size, length, size)), axis=dim)
    pieces = tensor(x).chunk(chunks, dim)
    assert len(pieces) == len(expected) <= chunks
    for piece, expected_piece in zip(pieces, expected):
        assert_matches(piece, expected_piece)


@given(pad_inputs())
def test_pad_value(inputs):
    """PyTorch's order: (left, right) of the last dim, then of the dim before it, ..."""
    x, pad, value = inputs
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)]
    widths = [(0, 0)] * (x.ndim - len(pairs)) + pairs[::-1]
    expected = numpy.pad(x, widths, mode="constant", constant_values=value)
    assert_matches(autograd.pad(tensor(x), pad, value=value), expected)


@given(matmul_inputs())
def test_matmul_value(inputs):
    a, b = inputs
    assert_matches(autograd.matmul(tensor(a), tensor(b)), numpy.matmul(a, b))
    assert_matches(tensor(a) @ tensor(b), numpy.matmul(a, b))
    assert_matches(tensor(a).matmul(tensor(b)), numpy.matmul(a, b))


@pytest.mark.parametrize("a_shape, b_shape", MATMUL_SHAPES.values(), ids=MATMUL_SHAPES.keys())
def test_matmul_value_for_each_kind_of_operand(a_shape, b_shape):
    a, b = numpy.random.standard_normal(a_shape), numpy.random.standard_normal(b_shape)
    assert_matches(tensor(a) @ tensor(b), numpy.matmul(a, b))
