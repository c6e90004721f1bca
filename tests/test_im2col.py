"""im2col.py against its loop definitions in conv_loops.py: the window view, im2col,
col2im and the three array-level convolutions, over random geometries, both pixel
orders, and inputs lying in memory in every order the fast paths tell apart."""
import numpy
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import backend
from autograd.ops.conv_loops import (col2im_loops, conv2d_loops, conv_transpose2d_loops,
                                     conv_weight_grad_loops, im2col_loops)
from autograd.ops.im2col import (Columns, ConvGeometry, col2im, conv2d_array,
                                 conv_transpose2d_array, conv_weight_grad_array, im2col, windows)

LAYOUTS = ("contiguous", "batch_last", "channel_major", "channels_last", "batch_last_crop")


def laid_out(x, layout):
    """The values of x (N, C, H, W), lying in memory in the given order."""
    xp = backend.get_array_module(x)

    def lying_as(order):                      # memory order of the axes N, C, H, W
        back = tuple(order.index(axis) for axis in range(4))
        return xp.ascontiguousarray(x.transpose(order)).transpose(back)
    if layout == "batch_last":
        return lying_as((1, 2, 3, 0))
    if layout == "channel_major":             # the order channel-major im2col reads
        return lying_as((1, 0, 2, 3))
    if layout == "channels_last":
        return lying_as((0, 2, 3, 1))
    if layout == "batch_last_crop":           # as a transposed convolution returns
        n, c, h, w = x.shape
        memory = xp.zeros((c, h + 2, w + 3, n), dtype=x.dtype).transpose(3, 0, 1, 2)
        memory[:, :, 1: h + 1, 2: w + 2] = x
        return memory[:, :, 1: h + 1, 2: w + 2]
    return x


def random_array(rng, shape):
    return backend.to_device(rng.standard_normal(shape), backend.get_default_device())


@st.composite
def geometries(draw, max_side=7):
    """A ConvGeometry and channel counts (C, O) that fit its groups."""
    groups = draw(st.integers(1, 2))
    geometry = ConvGeometry(
        kernel=(draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        stride=(draw(st.sampled_from([1, 1, 2, 3])), draw(st.sampled_from([1, 1, 2, 3]))),
        padding=(draw(st.integers(0, 2)), draw(st.integers(0, 2))),
        dilation=(draw(st.integers(1, 2)), draw(st.integers(1, 2))),
        groups=groups)
    channels = (groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3)))
    return geometry, channels


@st.composite
def images(draw):
    """(geometry, (C, O), x's shape, out_size): out_size is the convolution's output
    size or one row or column short of it (a cut-short output, as the gradient of a
    transposed convolution with output_padding >= stride reads)."""
    geometry, channels = draw(geometries())
    shape = (draw(st.integers(1, 3)), channels[0], draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    natural = geometry.output_size(*shape[2:])
    assume(min(natural) >= 1)
    out_size = tuple(s - draw(st.integers(0, 1 if s > 1 else 0)) for s in natural)
    return geometry, channels, shape, out_size


def params(geometry):
    return dict(stride=geometry.stride, padding=geometry.padding, dilation=geometry.dilation,
                groups=geometry.groups)


@settings(max_examples=40)
@given(geometries(), st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2),
       st.integers(0, 2))
def test_windows_view_the_padded_array_as_indexing_defines(config, n, oh, ow, extra_rows, extra_cols):
    geometry, (c, _) = config
    (sh, sw), (dh, dw), (kh, kw) = geometry.stride, geometry.dilation, geometry.kernel
    h = (oh - 1) * sh + (kh - 1) * dh + 1 + extra_rows         # the last window fits
    w = (ow - 1) * sw + (kw - 1) * dw + 1 + extra_cols
    padded = random_array(numpy.random.default_rng(h * w), (n, c, h, w))
    view = backend.to_numpy(windows(padded, geometry, (oh, ow)))
    padded = backend.to_numpy(padded)
    assert view.shape == (n, c, kh, kw, oh, ow)
    for i in range(kh):
        for j in range(kw):
            for p in range(oh):
                for q in range(ow):
                    numpy.testing.assert_array_equal(view[:, :, i, j, p, q],
                                                     padded[:, :, p * sh + i * dh, q * sw + j * dw])


@settings(max_examples=60)
@given(images(), st.sampled_from(LAYOUTS), st.booleans(), st.integers(0, 2**32 - 1))
def test_im2col_copies_the_windows_the_loops_copy(config, layout, batch_last, seed):
    geometry, _, shape, out_size = config
    x = random_array(numpy.random.default_rng(seed), shape)
    columns = im2col(laid_out(x, layout), geometry, out_size, batch_last)
    numpy.testing.assert_array_equal(columns, im2col_loops(x, geometry, out_size, batch_last))


@settings(max_examples=60)
@given(images(), st.booleans(), st.integers(0, 2**32 - 1))
def test_col2im_adds_back_as_the_loops_do_and_is_the_adjoint_of_im2col(config, batch_last, seed):
    geometry, _, shape, out_size = config
    rng = numpy.random.default_rng(seed)
    x = random_array(rng, shape)
    columns = random_array(rng, im2col_loops(x, geometry, out_size, batch_last).shape)
    image = col2im(columns, geometry, shape, out_size, batch_last)
    assert image.shape == shape
    numpy.testing.assert_allclose(image, col2im_loops(columns, geometry, shape, out_size, batch_last),
                                  rtol=0, atol=1e-12)
    # <im2col(x), columns> = <x, col2im(columns)>
    xp = backend.get_array_module(x)
    forward = float(xp.vdot(im2col(x, geometry, out_size, batch_last), columns))
    assert forward == pytest.approx(float(xp.vdot(x, image)), rel=1e-12, abs=1e-12)


@settings(max_examples=60)
@given(images(), st.sampled_from(LAYOUTS), st.integers(0, 2**32 - 1))
def test_conv2d_array_matches_the_loops(config, layout, seed):
    geometry, (c, o), shape, out_size = config
    rng = numpy.random.default_rng(seed)
    x = random_array(rng, shape)
    weight = random_array(rng, (o, c // geometry.groups) + geometry.kernel)
    expected = conv2d_loops(x, weight, **params(geometry))
    numpy.testing.assert_allclose(conv2d_array(laid_out(x, layout), weight, geometry), expected,
                                  rtol=0, atol=1e-12)
    cut_short = conv2d_array(laid_out(x, layout), weight, geometry, out_size)
    numpy.testing.assert_allclose(cut_short, expected[:, :, :out_size[0], :out_size[1]], rtol=0, atol=1e-12)


@settings(max_examples=60)
@given(geometries(), st.integers(1, 3), st.integers(1, 5), st.integers(1, 5), st.sampled_from(LAYOUTS),
       st.data())
def test_conv_transpose2d_array_matches_the_loops(config, n, h, w, layout, data):
    geometry, (c, o) = config
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1))
                           for s, d in zip(geometry.stride, geometry.dilation))
    assume(min(geometry.transpose_output_size(h, w, output_padding)) >= 1)
    rng = numpy.random.default_rng(n * h * w)
    x = random_array(rng, (n, c, h, w))
    weight = random_array(rng, (c, o // geometry.groups) + geometry.kernel)
    y = conv_transpose2d_array(laid_out(x, layout), weight, geometry, output_padding)
    expected = conv_transpose2d_loops(x, weight, output_padding=output_padding, **params(geometry))
    numpy.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)


@settings(max_examples=60)
@given(images(), st.sampled_from(LAYOUTS), st.sampled_from(LAYOUTS), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_conv_weight_grad_array_matches_the_loops(config, x_layout, gy_layout, batch_last, seed):
    """With the columns built inside, or handed in (in either pixel order), as a
    transposed convolution's backward does."""
    geometry, (c, o), shape, out_size = config
    rng = numpy.random.default_rng(seed)
    x = random_array(rng, shape)
    gy = random_array(rng, (shape[0], o) + out_size)
    weight_shape = (o, c // geometry.groups) + geometry.kernel
    expected = conv_weight_grad_loops(x, gy, weight_shape, **params(geometry))
    gw = conv_weight_grad_array(laid_out(x, x_layout), laid_out(gy, gy_layout), geometry, weight_shape)
    numpy.testing.assert_allclose(gw, expected, rtol=0, atol=1e-12)
    x_columns = Columns(laid_out(x, x_layout), geometry, out_size, batch_last)
    gw = conv_weight_grad_array(x, laid_out(gy, gy_layout), geometry, weight_shape, x_columns)
    numpy.testing.assert_allclose(gw, expected, rtol=0, atol=1e-12)


@settings(max_examples=30)
@given(images(), st.booleans(), st.integers(0, 2**32 - 1))
def test_conv2d_array_reads_columns_handed_in(config, batch_last, seed):
    geometry, (c, o), shape, out_size = config
    rng = numpy.random.default_rng(seed)
    x = random_array(rng, shape)
    weight = random_array(rng, (o, c // geometry.groups) + geometry.kernel)
    y = conv2d_array(x, weight, geometry, out_size, Columns(x, geometry, out_size, batch_last))
    expected = conv2d_loops(x, weight, **params(geometry))[:, :, :out_size[0], :out_size[1]]
    numpy.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("c, o", [(6, 2), (2, 6), (3, 3)])
@pytest.mark.parametrize("padding, dilation", [(0, 1), (1, 1), (2, 2), (3, 1)])
@pytest.mark.parametrize("layout", ["contiguous", "batch_last"])
def test_each_route_at_stride_1_matches_the_loops(c, o, padding, dilation, layout):
    """Stride 1 without groups: narrowing convolutions and weight gradients, and widening
    transposed convolutions, take the dual route (padding 3 > the kernel's reach has none)."""
    geometry = ConvGeometry((3, 2), 1, padding, dilation, 1)
    rng = numpy.random.default_rng(c * o + padding)
    x = random_array(rng, (3, c, 6, 5))
    weight = random_array(rng, (o, c, 3, 2))
    y = conv2d_array(laid_out(x, layout), weight, geometry)
    numpy.testing.assert_allclose(y, conv2d_loops(x, weight, **params(geometry)), rtol=0, atol=1e-12)
    gy = random_array(rng, y.shape)
    gw = conv_weight_grad_array(laid_out(x, layout), gy, geometry, weight.shape)
    numpy.testing.assert_allclose(gw, conv_weight_grad_loops(x, gy, weight.shape, **params(geometry)),
                                  rtol=0, atol=1e-12)
    if min(geometry.transpose_output_size(6, 5, (0, 0))) >= 1:
        transposed_weight = random_array(rng, (c, o, 3, 2))
        numpy.testing.assert_allclose(
            conv_transpose2d_array(laid_out(x, layout), transposed_weight, geometry, (0, 0)),
            conv_transpose2d_loops(x, transposed_weight, **params(geometry)), rtol=0, atol=1e-12)


def test_weight_grad_of_a_cut_short_output_takes_the_direct_route():
    """A cut-short gy (the second derivative of a transposed convolution at stride 1 with
    dilation 3 and output_padding 2) has no dual: its dual im2col would read windows past
    the end of gy's padded copy."""
    geometry = ConvGeometry((2, 2), 1, 3, 3, 1)
    rng = numpy.random.default_rng(0)
    x = random_array(rng, (2, 4, 6, 6))
    for gy_size in [(7, 9), (9, 7), (7, 7), (9, 9)]:
        gy = random_array(rng, (2, 2) + gy_size)
        gw = conv_weight_grad_array(x, gy, geometry, (2, 4, 2, 2))
        expected = conv_weight_grad_loops(x, gy, (2, 4, 2, 2), padding=3, dilation=3)
        numpy.testing.assert_allclose(gw, expected, rtol=0, atol=1e-12)
