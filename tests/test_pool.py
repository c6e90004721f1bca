"""Pooling, nearest interpolation and dropout.

The pools are checked against a reference written the slow, obvious way (a
Python loop over every window, here in the test only), and their gradients
against finite differences on random geometries: kernel, stride, padding,
dilation, ceil_mode and count_include_pad drawn by hypothesis.  Max-pool inputs
are tie-free (values 0.1 apart) so that a small step never changes the argmax;
ties and overlapping windows have their own tests.
"""
import itertools
import math

import numpy
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import backend
from autograd.ops import pool
from strategies import ANY, arrays, distinct_arrays


def leaf(array):
    return autograd.tensor(backend.to_numpy(array).astype(numpy.float64), requires_grad=True)


def check_gradients(fn, *inputs):
    result = autograd.gradcheck(fn, inputs)
    for pair in result.jacobians:  # a NaN would pass the tolerance test: look for one
        assert numpy.isfinite(pair.analytic).all() and numpy.isfinite(pair.numeric).all()


# ----------------------------------------------------------------------------
# The slow reference: one window at a time
# ----------------------------------------------------------------------------
def reference_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """Windows along one axis: with ceil_mode a last, partial window is added, but only
    if it starts inside the input or its left padding."""
    reach = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (math.ceil if ceil_mode else math.floor)(reach / stride) + 1
    if ceil_mode and (count - 1) * stride - padding >= size:
        count -= 1
    return count


def window_positions(size, kernel, stride, padding, dilation, ceil_mode):
    """For each window along one axis, the positions it covers (may be outside 0..size-1)."""
    count = reference_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    return [[start * stride - padding + j * dilation for j in range(kernel)] for start in range(count)]


def reference_pool(x, kernel, stride, padding, dilation, ceil_mode, kind, count_include_pad=True):
    """(values, plane indices) of max pooling, or values of average pooling, by loops."""
    n, c, h, w = x.shape
    rows = window_positions(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    cols = window_positions(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    values = numpy.zeros((n, c, len(rows), len(cols)))
    indices = numpy.zeros(values.shape, dtype=numpy.int64)
    for b, ch, (p, window_rows), (q, window_cols) in itertools.product(
            range(n), range(c), enumerate(rows), enumerate(cols)):
        inside = [(r, s) for r in window_rows for s in window_cols if 0 <= r < h and 0 <= s < w]
        elements = [x[b, ch, r, s] for r, s in inside]
        if kind == "max":
            best = int(numpy.argmax(elements))           # the first of equal maxima
            values[b, ch, p, q] = elements[best]
            indices[b, ch, p, q] = inside[best][0] * w + inside[best][1]
        else:  # average: the window counts the positions inside the padded input, or the input
            padded = [(r, s) for r in window_rows for s in window_cols
                      if -padding[0] <= r < h + padding[0] and -padding[1] <= s < w + padding[1]]
            values[b, ch, p, q] = sum(elements) / (len(padded) if count_include_pad else len(inside))
    return (values, indices) if kind == "max" else values


# ----------------------------------------------------------------------------
# Random geometries
# ----------------------------------------------------------------------------
def every_window_touches_the_input(size, kernel, stride, padding, dilation, ceil_mode):
    """False when dilation lets a window fall entirely into the padding (its max is -inf)."""
    return all(any(0 <= p < size for p in window)
               for window in window_positions(size, kernel, stride, padding, dilation, ceil_mode))


@st.composite
def pool_geometries(draw, with_dilation):
    """(input shape, kernel, stride or None, padding, dilation, ceil_mode) that PyTorch accepts."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if with_dilation else (1, 1)
    ceil_mode = draw(st.booleans())
    sizes = []
    for k, p, d in zip(kernel, padding, dilation):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)  # at least one window
        sizes.append(draw(st.integers(smallest, smallest + 3)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + tuple(sizes)
    real_stride = stride or kernel
    for axis in range(2):
        assume(every_window_touches_the_input(sizes[axis], kernel[axis], real_stride[axis],
                                              padding[axis], dilation[axis], ceil_mode))
    return shape, kernel, stride, padding, dilation, ceil_mode


@given(data=st.data(), count_include_pad=st.booleans())
def test_avg_pool2d(data, count_include_pad):
    shape, kernel, stride, padding, _, ceil_mode = data.draw(pool_geometries(with_dilation=False))
    x = data.draw(arrays(shape, ANY))

    def fn(x):
        return pool.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)

    expected = reference_pool(x, kernel, stride or kernel, padding, (1, 1), ceil_mode, "avg",
                              count_include_pad)
    numpy.testing.assert_allclose(fn(leaf(x)).array, expected, rtol=1e-12, atol=1e-14)
    check_gradients(fn, leaf(x))


@given(data=st.data())
def test_max_pool2d(data):
    shape, kernel, stride, padding, dilation, ceil_mode = data.draw(pool_geometries(with_dilation=True))
    x = data.draw(distinct_arrays(shape))  # no ties: a step of 1e-6 never moves the argmax

    def fn(x):
        return pool.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)

    values, indices = pool.max_pool2d(leaf(x), kernel, stride, padding, dilation, ceil_mode,
                                      return_indices=True)
    expected_values, expected_indices = reference_pool(x, kernel, stride or kernel, padding,
                                                       dilation, ceil_mode, "max")
    numpy.testing.assert_array_equal(values.array, expected_values)
    numpy.testing.assert_array_equal(indices.array, expected_indices)
    assert indices.dtype == numpy.int64 and not indices.requires_grad
    check_gradients(fn, leaf(x))


# (size, kernel, stride, padding, dilation) and the output sizes PyTorch 2.13 gives
# without and with ceil_mode; in the last two, ceil_mode's extra window would start
# in the right padding, so it is dropped again
OUTPUT_SIZES = [((5, 2, 2, 0, 1), 2, 3), ((4, 3, 2, 1, 1), 2, 3), ((6, 3, 3, 1, 1), 2, 3),
                ((7, 2, 3, 1, 2), 3, 3), ((5, 3, 2, 0, 2), 1, 1), ((3, 2, 2, 1, 1), 2, 2),
                ((6, 2, 4, 1, 1), 2, 2)]


@pytest.mark.parametrize("geometry, floor_size, ceil_size", OUTPUT_SIZES)
def test_pool_output_size(geometry, floor_size, ceil_size):
    assert pool.pool_output_size(*geometry, ceil_mode=False) == floor_size
    assert pool.pool_output_size(*geometry, ceil_mode=True) == ceil_size
    size, kernel, stride, padding, dilation = geometry
    x = leaf(numpy.ones((1, 1, size, 1)))
    result = pool.max_pool2d(x, (kernel, 1), (stride, 1), (padding, 0), (dilation, 1), ceil_mode=True)
    assert result.shape == (1, 1, ceil_size, 1)


def test_avg_pool2d_divisor_override():
    x = leaf(numpy.arange(16.0).reshape(1, 1, 4, 4))
    result = pool.avg_pool2d(x, 2, divisor_override=3)
    numpy.testing.assert_allclose(result.array, reference_pool(x.array, (2, 2), (2, 2), (0, 0), (1, 1),
                                                              False, "avg") * 4 / 3)
    check_gradients(lambda x: pool.avg_pool2d(x, 3, 1, 1, divisor_override=5), leaf(x.array))


def test_pool_second_derivatives():
    rng = numpy.random.default_rng(0)
    x = leaf(rng.permutation(32).reshape(1, 2, 4, 4) * 0.1)
    autograd.gradgradcheck(lambda x: pool.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                     count_include_pad=False), x)
    autograd.gradgradcheck(lambda x: pool.max_pool2d(x, 3, 1, 1) ** 2, x)
    autograd.gradgradcheck(lambda x: pool.interpolate(x, size=(3, 7)) ** 2, x)


# ----------------------------------------------------------------------------
# Max pooling: ties, overlapping windows, windows of nothing but padding
# ----------------------------------------------------------------------------
def test_max_pool2d_ties_send_the_gradient_to_the_first():
    x = leaf(numpy.ones((1, 1, 4, 4)))
    pool.max_pool2d(x, 2).sum().backward()
    expected = numpy.zeros((4, 4))
    expected[::2, ::2] = 1  # the top-left of each window
    numpy.testing.assert_array_equal(x.grad.array[0, 0], expected)


def test_max_pool2d_overlapping_windows_add_up():
    # 3 x 3 windows, stride 1, padding 1 over an increasing image: each window's maximum
    # is its bottom-right element, and the corner (2, 2) is the maximum of four windows
    x = leaf(numpy.arange(9.0).reshape(1, 1, 3, 3))
    pool.max_pool2d(x, 3, stride=1, padding=1).sum().backward()
    numpy.testing.assert_array_equal(x.grad.array[0, 0], [[0, 0, 0], [0, 1, 2], [0, 2, 4]])


def test_max_pool2d_window_of_only_padding_gives_minus_inf_and_no_gradient():
    # height 1, kernel 2 with dilation 2, padding 1: both rows of the window are padding
    x = leaf([[[[0.5, -0.2, 0.3]]]])
    result = pool.max_pool2d(x, (2, 1), stride=1, padding=(1, 0), dilation=(2, 1))
    assert result.shape == (1, 1, 1, 3) and numpy.isneginf(result.array).all()
    result.sum().backward()
    numpy.testing.assert_array_equal(x.grad.array, numpy.zeros((1, 1, 1, 3)))


@pytest.mark.parametrize("op", [pool.avg_pool2d, pool.max_pool2d])
def test_one_image_is_a_batch_of_one(op):
    x = numpy.random.default_rng(0).permutation(2 * 5 * 5).reshape(2, 5, 5) * 0.1
    single, batch = op(leaf(x), 3, 2, 1), op(leaf(x[None]), 3, 2, 1)
    assert single.shape == (2, 3, 3)
    numpy.testing.assert_array_equal(single.array, batch.array[0])


# ----------------------------------------------------------------------------
# Nearest interpolation
# ----------------------------------------------------------------------------
def reference_nearest(x, out_h, out_w):
    """Output pixel i copies input pixel floor(i * in / out), in exact integer arithmetic."""
    h, w = x.shape[2:]
    rows = [i * h // out_h for i in range(out_h)]
    cols = [j * w // out_w for j in range(out_w)]
    return x[:, :, rows][:, :, :, cols]


@given(data=st.data(), by_scale=st.booleans())
def test_interpolate_nearest(data, by_scale):
    shape = (data.draw(st.integers(1, 2)), 1, data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    x = data.draw(arrays(shape, ANY))
    if by_scale:  # integer factors: every pixel copied k times (the broadcast path)
        scale = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
        out = (shape[2] * scale[0], shape[3] * scale[1])
        arguments = {"scale_factor": scale}
    else:          # any size, larger or smaller (the indexing path)
        out = (data.draw(st.integers(1, 7)), data.draw(st.integers(1, 7)))
        arguments = {"size": out}

    def fn(x):
        return pool.interpolate(x, **arguments)

    numpy.testing.assert_array_equal(fn(leaf(x)).array, reference_nearest(x, *out))
    check_gradients(fn, leaf(x))


def test_interpolate_upsampling_gradient_sums_the_copies():
    x = leaf(numpy.ones((1, 1, 2, 3)))
    pool.interpolate(x, scale_factor=2).sum().backward()
    numpy.testing.assert_array_equal(x.grad.array, numpy.full((1, 1, 2, 3), 4.0))
    y = leaf(numpy.ones((1, 1, 2, 3)))
    pool.interpolate(y, size=(5, 3)).sum().backward()  # rows copied 3 and 2 times
    numpy.testing.assert_array_equal(y.grad.array[0, 0], [[3, 3, 3], [2, 2, 2]])


def test_interpolate_errors():
    x = leaf(numpy.ones((1, 1, 2, 2)))
    for mode in ("bicubic", "nearest-exact", "area"):
        with pytest.raises(NotImplementedError, match=f"interpolate: mode '{mode}' is not implemented"):
            pool.interpolate(x, scale_factor=2, mode=mode)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        pool.interpolate(x)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        pool.interpolate(x, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners"):
        pool.interpolate(x, scale_factor=2, align_corners=False)
    with pytest.raises(autograd.ShapeError, match=r"interpolate: expected a 4-D input.*\(2, 2\)"):
        pool.interpolate(leaf(numpy.ones((2, 2))), scale_factor=2)
    with pytest.raises(ValueError, match="interpolate: scale_factor 0.1 leaves no pixels"):
        pool.interpolate(x, scale_factor=0.1)


# ----------------------------------------------------------------------------
# Pooling argument errors
# ----------------------------------------------------------------------------
def assert_message(kind, expected, call):
    """``call()`` raises ``kind`` with the literal text ``expected`` in its message."""
    with pytest.raises(kind) as info:
        call()
    assert expected in str(info.value), str(info.value)


@pytest.mark.parametrize("op", ["avg_pool2d", "max_pool2d"])
def test_pool_errors(op):
    fn = getattr(pool, op)
    x = leaf(numpy.ones((1, 1, 4, 4)))
    assert_message(ValueError, f"{op}: padding (2, 2) must be at least 0 and at most half of "
                   "kernel_size (3, 3)", lambda: fn(x, 3, padding=2))
    assert_message(ValueError, f"{op}: stride must be positive, got (0, 1)", lambda: fn(x, 2, stride=(0, 1)))
    assert_message(autograd.ShapeError, f"{op}: input of shape (1, 1, 4, 4) is too small for "
                   "kernel_size (5, 5)", lambda: fn(x, 5))
    assert_message(autograd.ShapeError, f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, "
                   "got shape (4, 4)", lambda: fn(leaf(numpy.ones((4, 4))), 2))
    assert_message(ValueError, f"{op}: kernel_size: expected an int or a pair", lambda: fn(x, (2, 2, 2)))


# ----------------------------------------------------------------------------
# Dropout
# ----------------------------------------------------------------------------
def test_dropout_zeroes_with_probability_p_and_scales_the_rest():
    x = autograd.ones(200, 500, requires_grad=True)
    y = pool.dropout(x, p=0.3)
    kept = y.array != 0
    numpy.testing.assert_allclose(y.array[kept], 1 / 0.7, rtol=1e-6)
    # 100,000 draws: the dropped fraction is 0.3 +- 0.0015 (one standard deviation)
    assert abs((~kept).mean() - 0.3) < 0.01
    y.sum().backward()
    numpy.testing.assert_array_equal(x.grad.array, y.array)  # the gradient is the same mask
    assert y.dtype == numpy.float32


def test_dropout_is_the_identity_when_not_training_or_p_is_0():
    x = leaf(numpy.ones(5))
    assert pool.dropout(x, 0.5, training=False) is x
    assert pool.dropout(x, 0.0) is x


def test_dropout_with_p_1_drops_everything():
    x = leaf(numpy.arange(4.0))
    y = pool.dropout(x, 1.0)
    y.sum().backward()
    numpy.testing.assert_array_equal(y.array, 0)
    numpy.testing.assert_array_equal(x.grad.array, 0)


def test_dropout_follows_manual_seed():
    x = autograd.ones(50)
    autograd.manual_seed(7)
    first = pool.dropout(x).array
    autograd.manual_seed(7)
    numpy.testing.assert_array_equal(pool.dropout(x).array, first)


def test_dropout_gradient():
    x = leaf(numpy.random.default_rng(0).standard_normal((3, 4)))

    def fn(x):
        autograd.manual_seed(3)  # the same mask at every evaluation
        return pool.dropout(x, 0.4)

    check_gradients(fn, x)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), True, "0.5"])
def test_dropout_rejects_p_outside_0_1(p):
    with pytest.raises(ValueError, match=r"dropout: p .* must be in \[0, 1\]"):
        pool.dropout(leaf(numpy.ones(3)), p)


def test_runs_on_device(device):
    x = autograd.tensor(numpy.arange(32.0).reshape(1, 2, 4, 4), device=device, requires_grad=True)
    y = (pool.avg_pool2d(x, 3, 2, 1, ceil_mode=True).sum() + pool.max_pool2d(x, 2, 1).sum()
         + pool.interpolate(x, size=(5, 7)).sum() + pool.interpolate(x, scale_factor=2).sum()
         + pool.dropout(x, 0.5).sum())
    y.backward()
    assert y.device == device and x.grad.device == device
