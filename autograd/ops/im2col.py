"""im2col and col2im: convolution on raw arrays, and the memory layout behind it.

A convolution is one matrix product once every window of its input is a column
(im2col); a transposed convolution is one matrix product that spreads each input
pixel into a patch of columns, then col2im adds the patches into place.  conv.py's
Functions call only the three array-level convolutions at the end of this file,
and ``columns_for_weight_grad`` to share one im2col between two of them.  The
contracts (x is (N, C, H, W), padded with zeros; the output pixels of a
convolution are (n, p, q), with p < OH and q < OW):

windows(padded, geometry, out_size)
    every window of an already padded (N, C, H, W) array as a strided view, no copy:
    (N, C, KH, KW, OH, OW), windows[n, c, i, j, p, q] = padded[n, c, p*sh + i*dh, q*sw + j*dw];
    im2col's gather, and max_pool2d's (pool.py).
im2col(x, geometry, out_size, batch_last)
    x -> columns (groups, C/groups * KH * KW, N * OH * OW): row (c, i, j) of a group,
    column pixel (p, q, n) if batch_last else (n, p, q), entry xpad[n, c, p*sh + i*dh, q*sw + j*dw].
col2im(columns, geometry, image_shape, out_size, batch_last)
    the adjoint of im2col: every entry of the columns added into the pixel of the
    (N, C, H, W) image that it was read from, padding cropped.
conv2d_array, conv_transpose2d_array, conv_weight_grad_array
    the three convolution ops on arrays; each chooses its own route (see below).

conv_loops.py holds im2col, col2im and the three convolutions as plain loops: the
definitions, and the test oracle (tests/test_im2col.py).  Everything else here is about memory layout:

Pixel order.  The columns list the output pixels batch-last, (OH, OW, N), or
channel-major, (N, OH, OW), and a convolution's output comes in the order of its
columns.  Batch-last columns are gathered in runs of N contiguous numbers,
channel-major ones in runs of OW numbers read every stride-th element (slow at
stride 2 and OW = 4 to 32), and col2im writes batch-last images already.  So each
op picks the order that costs no copy of the arrays it is handed, and otherwise
the faster gather.

Tiled copies.  Copying a plain array into batch-last memory moves whole rows first
and transposes small tiles within the cache (``_assign``).

Stride phases.  col2im adds each kernel tap into one of the stride x stride phase
images at a shift: contiguous slices, interleaved by one copy at the end.

The dual route.  At stride 1 a convolution and a transposed convolution are the
same operation with the kernel turned around (flipped in space, in and out
swapped) and the padding d*(k-1) - p.  im2col copies C*KH*KW rows of the input
and col2im writes O*KH*KW rows of the output, so each op takes whichever route
moves fewer rows: a convolution that narrows 32 channels to 8 scatters 8*9 rows
instead of copying 32*9.  The weight gradient follows the same choice.
"""
from .. import backend


# ----------------------------------------------------------------------------
# Geometry: Python ints only
# ----------------------------------------------------------------------------
def pair(value, name="argument"):
    """3 -> (3, 3); (2, 3) -> (2, 3)."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name}: expected an int or a pair, got {value}")
    return value


def conv_output_size(size, kernel, stride, padding, dilation):
    """Output length of a convolution along one axis."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_output_size(size, kernel, stride, padding, dilation, output_padding):
    """Output length of a transposed convolution along one axis."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


class ConvGeometry:
    """Kernel size, stride, padding, dilation and groups of one convolution."""

    def __init__(self, kernel, stride, padding, dilation, groups):
        self.kernel, self.stride = pair(kernel), pair(stride)
        self.padding, self.dilation = pair(padding), pair(dilation)
        self.groups = groups

    def output_size(self, height, width):
        return tuple(conv_output_size(s, k, st, p, d) for s, k, st, p, d in
                     zip((height, width), self.kernel, self.stride, self.padding, self.dilation))

    def transpose_output_size(self, height, width, output_padding):
        return tuple(conv_transpose_output_size(s, k, st, p, d, op) for s, k, st, p, d, op in
                     zip((height, width), self.kernel, self.stride, self.padding, self.dilation,
                         output_padding))

    def leftover(self, in_size, out_size):
        """The output_padding that makes a transposed convolution of an ``out_size``
        image give back ``in_size``: the rows and columns of the convolution's input
        that its last stride step did not reach."""
        reached = self.transpose_output_size(*out_size, (0, 0))
        return tuple(i - r for i, r in zip(in_size, reached))


# ----------------------------------------------------------------------------
# Memory order of (N, C, H, W) arrays
# ----------------------------------------------------------------------------
def is_batch_last(x):
    """True when an (N, C, H, W) array lies in memory as (C, H, W, N), the order
    col2im writes, or is a crop of such an array (transposed convolutions return
    such views): the batch is the innermost axis."""
    return x.shape[0] > 1 and x.strides[0] == x.itemsize


def _assign(target, x):
    """target[...] = x, fast also when target lies batch-last in memory and x does not.

    NumPy copies such a transposition one number at a time, reading numbers C*H*W
    apart, about 5 ns each.  Moving whole rows of x first, (N, C, H, W) -> (C, H, N, W),
    leaves one small N x W tile per row to transpose, within the cache: 1.5-4x faster
    on the DCGAN's activations."""
    if is_batch_last(target) and not is_batch_last(x):
        xp = backend.get_array_module(x)
        x = xp.ascontiguousarray(x.transpose(1, 2, 0, 3)).transpose(2, 0, 1, 3)  # rows moved whole
    target[...] = x


def _pixels_last(y, batch_last):
    """(N, C, H, W) -> (C, pixels), the pixels in batch-last order or channel-major."""
    if batch_last and not is_batch_last(y):
        xp = backend.get_array_module(y)
        n, c, h, w = y.shape
        rows = xp.empty((c, h, w, n), dtype=y.dtype)
        _assign(rows.transpose(3, 0, 1, 2), y)
        return rows.reshape(c, -1)
    return y.transpose((1, 2, 3, 0) if batch_last else (1, 0, 2, 3)).reshape(y.shape[1], -1)


def _as_image(rows, n, size, batch_last):
    """(C, pixels) in either order -> a (N, C, *size) view."""
    if batch_last:
        return rows.reshape((-1,) + tuple(size) + (n,)).transpose(3, 0, 1, 2)
    return rows.reshape((-1, n) + tuple(size)).transpose(1, 0, 2, 3)


# ----------------------------------------------------------------------------
# Windows, im2col and col2im
# ----------------------------------------------------------------------------
def windows(padded, geometry, out_size):
    """Every window of an already padded (N, C, H, W) array as a strided view (no copy)
    of shape (N, C, KH, KW, OH, OW):
    windows[n, c, i, j, p, q] = padded[n, c, p*sh + i*dh, q*sw + j*dw].
    ``geometry`` is anything with kernel, stride and dilation pairs (convolution or pooling)."""
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    s_n, s_c, s_h, s_w = padded.strides
    return backend.strided_view(
        padded, shape=padded.shape[:2] + tuple(geometry.kernel) + tuple(out_size),
        strides=(s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw))


def _padded(x, padding, batch_last):
    """x padded with zeros, lying in memory as (C, H, W, N) if ``batch_last`` else
    (C, N, H, W), so that each window row im2col reads is nearby; x itself when it
    needs no padding and lies so already.  A (N, C, H, W) view either way."""
    (ph, pw) = padding
    order = (1, 2, 3, 0) if batch_last else (1, 0, 2, 3)   # memory order of the axes N, C, H, W
    if not (ph or pw) and x.transpose(order).flags.c_contiguous:
        return x
    xp = backend.get_array_module(x)
    back = tuple(order.index(axis) for axis in range(4))   # its inverse: views it as (N, C, H, W)
    n, c, h, w = x.shape
    padded_nchw = (n, c, h + 2 * ph, w + 2 * pw)
    allocate = xp.zeros if ph or pw else xp.empty
    padded = allocate(tuple(padded_nchw[axis] for axis in order), dtype=x.dtype).transpose(back)
    _assign(padded[:, :, ph: ph + h, pw: pw + w], x)
    return padded


def im2col(x, geometry, out_size, batch_last):
    """x (N, C, H, W) -> columns (groups, C/groups * KH * KW, N * OH * OW), one column per
    output pixel, listed (OH, OW, N) if ``batch_last`` else (N, OH, OW):
    columns[g, (c, i, j), pixel (n, p, q)] = xpad[n, g * C/groups + c, p*sh + i*dh, q*sw + j*dw]."""
    view = windows(_padded(x, geometry.padding, batch_last), geometry, out_size)
    view = view.transpose((1, 2, 3, 4, 5, 0) if batch_last else (1, 2, 3, 0, 4, 5))
    c, kh, kw = view.shape[:3]
    g = geometry.groups
    return view.reshape(g, (c // g) * kh * kw, -1)   # the one copy


def col2im(columns, geometry, image_shape, out_size, batch_last):
    """The adjoint of im2col: columns (groups, C/groups * KH * KW, N * OH * OW), pixels in
    im2col's order, -> the (N, C, H, W) image of ``image_shape`` in which every entry is
    added into the pixel that im2col read it from, the padding cropped.  The image is a
    view of (C, H, W, N) memory if ``batch_last``, else of (C, N, H, W).

    Pixel p with tap i lands on padded row p*sh + i*dh.  Writing i*dh = a*sh + r, that
    is row p + a of the r-th stride phase (the rows r, r + sh, r + 2*sh, ...).  So the
    scatter is KH * KW adds of whole blocks into shifted, contiguous slices of the
    sh x sw phase images, and one copy then interleaves the phases (at stride 1 there
    is one phase, the image itself).  Batch-last, each add moves runs of N contiguous
    numbers or more, several times faster than the runs of OW (4 to 32) numbers of the
    channel-major order."""
    xp = backend.get_array_module(columns)
    n, c, h, w = image_shape
    oh, ow = out_size
    (kh, kw), (sh, sw) = geometry.kernel, geometry.stride
    (dh, dw), (ph, pw) = geometry.dilation, geometry.padding
    columns = columns.reshape((c, kh, kw) + ((oh, ow, n) if batch_last else (n, oh, ow)))
    rows, cols = -(-(h + 2 * ph) // sh), -(-(w + 2 * pw) // sw)    # per phase, rounded up
    # phases (sh, sw, C, rows, cols, N) batch-last, or (sh, sw, C, N, rows, cols)
    shape = (c, rows, cols, n) if batch_last else (c, n, rows, cols)
    phases = xp.zeros((sh, sw) + shape, dtype=columns.dtype)
    for i in range(kh):
        a, r = divmod(i * dh, sh)
        for j in range(kw):
            b, q = divmod(j * dw, sw)
            rows_cols = (slice(a, a + oh), slice(b, b + ow))
            target = rows_cols if batch_last else (slice(None),) + rows_cols
            phases[(r, q, slice(None)) + target] += columns[:, i, j]
    # interleave (sh, sw, ..., rows, ..., cols, ...) -> (..., rows, sh, ..., cols, sw, ...) in one copy
    if batch_last:
        image = phases.transpose(2, 3, 0, 4, 1, 5).reshape(c, rows * sh, cols * sw, n)
        image = image.transpose(3, 0, 1, 2)                           # (N, C, H, W) view
    else:
        image = phases.transpose(2, 3, 4, 0, 5, 1).reshape(c, n, rows * sh, cols * sw)
        image = image.transpose(1, 0, 2, 3)
    return image[:, :, ph: ph + h, pw: pw + w]


class Columns:
    """An image's im2col and its pixel order, for a caller that multiplies it twice."""

    def __init__(self, image, geometry, out_size, batch_last):
        self.matrix = im2col(image, geometry, out_size, batch_last)
        self.batch_last = batch_last


def columns_for_weight_grad(x, gy, geometry):
    """x's Columns for the weight gradient against gy (N, O, OH, OW): in gy's own pixel
    order, so that flattening gy costs no transposing copy."""
    return Columns(x, geometry, gy.shape[2:], is_batch_last(gy))


# ----------------------------------------------------------------------------
# The dual route: at stride 1, work on the side with fewer channels
# ----------------------------------------------------------------------------
def _flipped(weight):
    """W'[c, o, i, j] = W[o, c, KH-1-i, KW-1-j]: conv2d(x, W) = conv_transpose2d(x, W')
    at stride 1 with the dual padding, and conv_transpose2d(x, W) = conv2d(x, W')."""
    return weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)


def _flipped_shape(weight_shape):
    o, c, kh, kw = weight_shape
    return (c, o, kh, kw)


def _dual(geometry):
    """The geometry of the dual op (padding d*(k-1) - p), or None where there is none:
    strides other than 1, groups, or padding wider than the dilated kernel."""
    if geometry.stride != (1, 1) or geometry.groups != 1:
        return None
    padding = tuple(d * (k - 1) - p for k, d, p in zip(geometry.kernel, geometry.dilation, geometry.padding))
    if min(padding) < 0:
        return None
    return ConvGeometry(geometry.kernel, 1, padding, geometry.dilation, 1)


# ----------------------------------------------------------------------------
# The three convolution ops on arrays
# ----------------------------------------------------------------------------
def conv2d_array(x, weight, geometry, out_size=None, x_columns=None):
    """conv2d: x (N, C, H, W), weight (O, C/groups, KH, KW) -> (N, O, OH, OW), cut short to
    ``out_size`` when given.  ``x_columns``: x's Columns, when the caller has them.

    Batch-last columns when x lies batch-last (its padded copy is then a straight copy)
    or at stride 2 or more (the faster gather); the output takes the columns' order, so
    a chain of convolutions keeps it.  Narrowing at stride 1 (O < C): the dual route."""
    n, c, h, w = x.shape
    o = weight.shape[0]
    natural_size = geometry.output_size(h, w)
    out_size = tuple(out_size or natural_size)
    if x_columns is None and o < c and out_size == natural_size:
        dual = _dual(geometry)
        if dual:
            return conv_transpose2d_array(x, _flipped(weight), dual, (0, 0))
    if x_columns is None:
        x_columns = Columns(x, geometry, out_size, is_batch_last(x) or geometry.stride != (1, 1))
    g = geometry.groups
    kernels = weight.reshape(g, o // g, -1)                # (g, O/g, C/g * KH * KW)
    y = kernels @ x_columns.matrix                         # (g, O/g, pixels)
    return _as_image(y.reshape(o, -1), n, out_size, x_columns.batch_last)


def conv_transpose2d_array(x, weight, geometry, output_padding):
    """conv_transpose2d: x (N, C, H, W), weight (C, O/groups, KH, KW) -> (N, O, H', W') with
    (H', W') = geometry.transpose_output_size(H, W, output_padding): the adjoint of
    conv2d_array in x.  Widening at stride 1 (C < O, no output_padding): the dual route."""
    n, c_in, h, w = x.shape
    g = geometry.groups
    c_out = weight.shape[1] * g
    if c_in < c_out and tuple(output_padding) == (0, 0):
        dual = _dual(geometry)
        if dual:
            return conv2d_array(x, _flipped(weight), dual)
    kh, kw = geometry.kernel
    # x's pixels in batch-last order cost a transposing copy of x unless x already lies
    # so; pay it unless the scatter is smaller than x (few output channels)
    batch_last = is_batch_last(x) or c_out * kh * kw > c_in
    kernels = weight.reshape(g, c_in // g, -1).transpose(0, 2, 1)   # (g, O/g * KH * KW, C/g)
    pixels = _pixels_last(x, batch_last).reshape(g, c_in // g, -1)  # (g, C/g, N * H * W)
    out_shape = (n, c_out) + geometry.transpose_output_size(h, w, output_padding)
    # x's pixels are the columns' pixels: a convolution of the output would give x's size
    return col2im(kernels @ pixels, geometry, out_shape, (h, w), batch_last)


def conv_weight_grad_array(x, gy, geometry, weight_shape, x_columns=None):
    """d<gy, conv2d(x, W)>/dW: x (N, C, H, W), gy (N, O, OH, OW) -> weight_shape
    (O, C/groups, KH, KW).  ``x_columns``: x's Columns, when the caller has them.
    Narrowing at stride 1 (O < C), gy not cut short: the dual route."""
    n, o, oh, ow = gy.shape
    if x_columns is None and o < x.shape[1] and (oh, ow) == geometry.output_size(*x.shape[2:]):
        dual = _dual(geometry)
        if dual:
            # the dual (transposed) convolution maps gy to x: correlate in that direction
            return _flipped(conv_weight_grad_array(gy, x, dual, _flipped_shape(weight_shape))).copy()
    if x_columns is None:
        x_columns = columns_for_weight_grad(x, gy, geometry)
    g = geometry.groups
    grads = _pixels_last(gy, x_columns.batch_last).reshape(g, o // g, -1)   # (g, O/g, pixels)
    return (grads @ x_columns.matrix.transpose(0, 2, 1)).reshape(weight_shape)
