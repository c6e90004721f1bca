"""Pooling, nearest-neighbour resizing and dropout for images (N, C, H, W).

Each op is a composition of differentiable ops, so its backward, and the
backward of that, come for free:

avg_pool2d   The sum over each window is a convolution of every channel, on its
             own, with a kernel of ones (``conv2d``, whose backward is the
             transposed convolution); dividing by the window's size gives the
             mean.
max_pool2d   First find where each window's maximum is, on the raw arrays: view
             the windows through ``as_strided`` (``im2col.windows``, as the
             convolutions do) and take the argmax (ties go to the first, in
             row-major order, as in PyTorch).  Then pick those elements with an
             integer index.  Indexing's backward scatters the gradient back to
             them, adding where overlapping windows picked the same element.
interpolate  Nearest neighbour: output pixel i copies input pixel floor(i * in / out).
             Copying each pixel k times is a broadcast (its backward sums the k
             gradients); other sizes use an integer index.
dropout      Multiply by a random mask of 0 and 1 / (1 - p).

Both pools take an (N, C, H, W) batch or one (C, H, W) image.  ``kernel_size``,
``stride``, ``padding`` and ``dilation`` are an int or an (height, width) pair.
"""
import numbers

import numpy

from .. import backend
from ..function import ShapeError
from ..tensor import Tensor
from .conv import conv2d
from .elementwise import where
from .im2col import pair, windows
from .shape import broadcast_to, getitem, pad, reshape, squeeze, unsqueeze


# ----------------------------------------------------------------------------
# Window geometry
# ----------------------------------------------------------------------------
def pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """Number of windows along one axis (PyTorch's rule):
    floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1, or the
    ceiling with ``ceil_mode``, less one if the last window would then start in
    the right padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    return count


class PoolGeometry:
    """Kernel, stride, padding, dilation and ceil_mode of one pooling, checked as PyTorch does."""

    def __init__(self, op, kernel_size, stride, padding, dilation, ceil_mode):
        self.op = op
        self.kernel = pair(kernel_size, f"{op}: kernel_size")
        no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
        self.stride = self.kernel if no_stride else pair(stride, f"{op}: stride")
        self.padding = pair(padding, f"{op}: padding")
        self.dilation = pair(dilation, f"{op}: dilation")
        self.ceil_mode = bool(ceil_mode)
        for name in ("kernel", "stride", "dilation"):
            if min(getattr(self, name)) < 1:
                raise ValueError(f"{op}: {name} must be positive, got {getattr(self, name)}")
        if min(self.padding) < 0 or any(2 * p > k for p, k in zip(self.padding, self.kernel)):
            raise ValueError(f"{op}: padding {self.padding} must be at least 0 and at most half of "
                             f"kernel_size {self.kernel}")

    @property
    def span(self):
        """How far a window reaches along each axis: dilation (kernel - 1) + 1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    def output_size(self, shape):
        """(OH, OW) for an input of ``shape`` (N, C, H, W); an error if there is no window."""
        out = tuple(pool_output_size(s, k, st, p, d, self.ceil_mode) for s, k, st, p, d in
                    zip(shape[2:], self.kernel, self.stride, self.padding, self.dilation))
        if min(out) < 1:
            raise ShapeError(f"{self.op}: input of shape {tuple(shape)} is too small for kernel_size "
                             f"{self.kernel} with padding {self.padding} and dilation {self.dilation} "
                             f"(output would be {out[0]}x{out[1]})")
        return out

    def padding_widths(self, in_size, out_size):
        """(before, after) per axis.  Usually (padding, padding); with ceil_mode the
        last window may reach past the right padding, and ``after`` grows to cover it."""
        widths = []
        for size, count, stride, padding, span in zip(in_size, out_size, self.stride,
                                                      self.padding, self.span):
            reach = (count - 1) * stride + span                 # end of the last window
            widths.append((padding, max(padding, reach - size - padding)))
        return tuple(widths)


def _as_batch(op, x):
    """An (N, C, H, W) batch and a function that gives results back the input's way:
    one image (C, H, W) is pooled as a batch of one."""
    if x.ndim == 4:
        return x, lambda y: y
    if x.ndim == 3:
        return unsqueeze(x, 0), lambda y: squeeze(y, 0)
    raise ShapeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.shape}")


# ----------------------------------------------------------------------------
# Average pooling
# ----------------------------------------------------------------------------
def _window_counts(size, kernel, stride, padding, count, count_include_pad):
    """How many elements each window along one axis averages (PyTorch's rule): the
    window [start, start + kernel) cut to the padded input [-padding, size + padding),
    or, without count_include_pad, to the input itself [0, size)."""
    starts = numpy.arange(count) * stride - padding
    ends = numpy.minimum(starts + kernel, size + padding)
    if not count_include_pad:
        starts, ends = numpy.maximum(starts, 0), numpy.minimum(ends, size)
    return ends - starts


def _divisor(x, geometry, out_size, count_include_pad, divisor_override):
    """What each window's sum is divided by: a constant of shape (OH, OW), or a number."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError("avg_pool2d: divisor_override must not be zero")
        return divisor_override
    rows, cols = (_window_counts(s, k, st, p, o, count_include_pad) for s, k, st, p, o in
                  zip(x.shape[2:], geometry.kernel, geometry.stride, geometry.padding, out_size))
    xp = backend.get_array_module(x.array)
    return Tensor(xp.asarray(numpy.outer(rows, cols), dtype=x.dtype))


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each kernel_size window, moved by ``stride`` (default: kernel_size) over
    the input padded with zeros.  Padded zeros count toward the mean unless
    ``count_include_pad=False``; ``divisor_override`` replaces the count."""
    geometry = PoolGeometry("avg_pool2d", kernel_size, stride, padding, 1, ceil_mode)
    images, restore = _as_batch("avg_pool2d", x)
    n, c, h, w = images.shape
    out_size = geometry.output_size(images.shape)
    (top, bottom), (left, right) = geometry.padding_widths((h, w), out_size)
    # every channel as its own one-channel image, so one kernel of ones serves them all
    planes = reshape(images, (n * c, 1, h, w))
    if any((left, right, top, bottom)):
        planes = pad(planes, (left, right, top, bottom))
    xp = backend.get_array_module(x.array)
    ones = Tensor(xp.ones((1, 1) + geometry.kernel, dtype=x.dtype))
    sums = conv2d(planes, ones, stride=geometry.stride)            # (N*C, 1, OH, OW)
    sums = reshape(sums, (n, c) + out_size)
    return restore(sums / _divisor(images, geometry, out_size, count_include_pad, divisor_override))


# ----------------------------------------------------------------------------
# Max pooling
# ----------------------------------------------------------------------------
def _lowest(dtype):
    """The value padding must have to never win a maximum: -inf, or an integer type's minimum."""
    return -numpy.inf if numpy.dtype(dtype).kind == "f" else numpy.iinfo(dtype).min


def _window_argmax(images, geometry, out_size):
    """(row, column) in ``images`` (N, C, H, W) of each window's largest element, two
    integer arrays of shape (N, C, OH, OW).  Ties go to the first in row-major order.
    A window of nothing but padding (dilation can skip over the whole input) points
    into the padding."""
    xp = backend.get_array_module(images)
    widths = geometry.padding_widths(images.shape[2:], out_size)
    padded = xp.pad(images, ((0, 0), (0, 0)) + widths, constant_values=_lowest(images.dtype))
    view = windows(padded, geometry, out_size)                    # (N, C, KH, KW, OH, OW)
    n, c, kh, kw, oh, ow = view.shape
    # one copy with each window's kh * kw elements last and contiguous, where argmax is fast
    best = view.transpose(0, 1, 4, 5, 2, 3).reshape(n, c, oh, ow, kh * kw).argmax(axis=-1)
    (sh, sw), (dh, dw), (ph, pw) = geometry.stride, geometry.dilation, geometry.padding
    rows = xp.arange(oh).reshape(oh, 1) * sh - ph + (best // kw) * dh
    cols = xp.arange(ow) * sw - pw + (best % kw) * dw
    return rows, cols


def _some_window_is_all_padding(geometry, in_size, out_size):
    """Whether some window holds padding alone.  Decided from the geometry, not by
    reading ``inside`` (which on a GPU would make the host wait for the device).
    A window is all padding when, along one axis, none of its taps lands inside."""
    for size, count, kernel, stride, padding, dilation in zip(
            in_size, out_size, geometry.kernel, geometry.stride, geometry.padding, geometry.dilation):
        taps = numpy.arange(count)[:, None] * stride - padding + numpy.arange(kernel)[None, :] * dilation
        if not ((taps >= 0) & (taps < size)).any(axis=1).all():
            return True
    return False


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest element of each window (the input padded with -inf).

    The gradient goes to that element: to the first of equal maxima, as in
    PyTorch, and adds up where overlapping windows chose the same element.
    With ``return_indices`` also returns where each maximum is, as the index
    row * W + column into its (H, W) plane (int64), as PyTorch does.

    With dilation a window may hold nothing but padding (e.g. height 1, kernel 2,
    dilation 2, padding 1): its output is -inf and passes no gradient (PyTorch
    2.13 gives -inf too, then crashes in backward).
    """
    geometry = PoolGeometry("max_pool2d", kernel_size, stride, padding, dilation, ceil_mode)
    images, restore = _as_batch("max_pool2d", x)
    n, c, h, w = images.shape
    out_size = geometry.output_size(images.shape)
    rows, cols = _window_argmax(images.array, geometry, out_size)
    xp = backend.get_array_module(x.array)
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)    # False: only padding
    plane_index = xp.clip(rows, 0, h - 1) * w + xp.clip(cols, 0, w - 1)   # (N, C, OH, OW)
    plane_start = (xp.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    values = getitem(reshape(images, (-1,)), plane_start + plane_index)
    if _some_window_is_all_padding(geometry, (h, w), out_size):
        values = where(inside, values, _lowest(x.dtype))
    if return_indices:
        return restore(values), restore(Tensor(plane_index.astype(numpy.int64)))
    return restore(values)


# ----------------------------------------------------------------------------
# Nearest-neighbour resizing
# ----------------------------------------------------------------------------
def _output_sizes(x, size, scale_factor):
    """(OH, OW) and the scale factors PyTorch's index rule uses (None: use in / out)."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        out = pair(size, "interpolate: size")
        if min(out) < 1:
            raise ValueError(f"interpolate: size must be positive, got {out}")
        return out, (None, None)
    scales = (scale_factor, scale_factor) if isinstance(scale_factor, numbers.Real) else tuple(scale_factor)
    if len(scales) != 2 or min(scales) <= 0:
        raise ValueError(f"interpolate: scale_factor must be a positive number or pair, got {scale_factor}")
    out = tuple(int(numpy.floor(s * f)) for s, f in zip(x.shape[2:], scales))  # floor(in * scale)
    if min(out) < 1:
        raise ValueError(f"interpolate: scale_factor {scale_factor} leaves no pixels of input {x.shape}")
    return out, tuple(float(f) for f in scales)


def nearest_sources(in_size, out_size, scale=None):
    """Which input pixel each output pixel copies: min(floor(i * r), in - 1), with
    r = 1 / scale_factor when one was given, else in / out.  It is computed in
    float32 as PyTorch does for float32 images, so that the same pixels are picked
    even where rounding moves i * r across an integer (2 -> 82 pixels, say).  For
    float64 images PyTorch's CPU kernels do not agree among themselves on those
    rare sizes; this rule is the float32 one for every dtype."""
    if out_size == in_size:
        return numpy.arange(out_size)
    if out_size == 2 * in_size:
        return numpy.arange(out_size) // 2
    ratio = numpy.float32(1.0 / scale) if scale else numpy.float32(in_size) / numpy.float32(out_size)
    sources = numpy.floor(numpy.arange(out_size, dtype=numpy.float32) * ratio).astype(numpy.int64)
    return numpy.minimum(sources, in_size - 1)


def _repeat_factor(sources, in_size):
    """k when ``sources`` is 0 (k times), 1 (k times), ...: each pixel copied k times in a row."""
    k, leftover = divmod(len(sources), in_size)
    if leftover == 0 and (sources == numpy.arange(len(sources)) // k).all():
        return k
    return None


def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None):
    """Resize (N, C, H, W) images to ``size``, or by ``scale_factor`` (then the output is
    floor(in * scale_factor)), with mode 'nearest' or 'bilinear'."""
    if mode == "bilinear":
        return _bilinear(x, size, scale_factor, bool(align_corners), recompute_scale_factor)
    if mode != "nearest":
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented; "
                                  "'nearest' and 'bilinear' are")
    if align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with the interpolating modes "
                         "(linear, bilinear, bicubic, trilinear), not with 'nearest'")
    if x.ndim != 4:
        raise ShapeError(f"interpolate: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    out_size, scales = _output_sizes(x, size, scale_factor)
    if recompute_scale_factor:
        scales = (None, None)
    n, c, h, w = x.shape
    rows, cols = (nearest_sources(s, o, f) for s, o, f in zip((h, w), out_size, scales))
    repeat_h, repeat_w = _repeat_factor(rows, h), _repeat_factor(cols, w)
    if repeat_h and repeat_w:  # every pixel copied repeat_h x repeat_w times: a broadcast
        tiled = broadcast_to(reshape(x, (n, c, h, 1, w, 1)), (n, c, h, repeat_h, w, repeat_w))
        return reshape(tiled, (n, c) + out_size)
    return getitem(x, (slice(None), slice(None), rows.reshape(-1, 1), cols.reshape(1, -1)))


def _bilinear(x, size, scale_factor, align_corners, recompute_scale_factor):
    """Each output pixel mixes the four input pixels around where it falls: as matrices,
    y = A_h x A_w^T, with A (out, in) holding the two weights of each output row."""
    if x.ndim != 4:
        raise ShapeError(f"interpolate: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    out_size, scales = _output_sizes(x, size, scale_factor)
    if recompute_scale_factor:
        scales = (None, None)
    xp = backend.get_array_module(x.array)
    rows, cols = (Tensor(xp.asarray(_linear_weights(s, o, f, align_corners), dtype=x.dtype))
                  for s, o, f in zip(x.shape[2:], out_size, scales))
    return rows @ x @ cols.transpose(0, 1)


def _linear_weights(in_size, out_size, scale, align_corners):
    """The (out_size, in_size) matrix of linear interpolation weights, PyTorch's way: with
    align_corners the corner pixels' centres match; without, source positions are
    (i + 0.5) / scale - 0.5 (scale = out / in unless a scale_factor was given), cut at 0."""
    positions = numpy.arange(out_size, dtype=numpy.float64)
    if align_corners:
        source = positions * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    else:
        ratio = 1.0 / scale if scale else in_size / out_size
        source = numpy.maximum((positions + 0.5) * ratio - 0.5, 0.0)
    low = numpy.minimum(numpy.floor(source).astype(int), in_size - 1)
    high = numpy.minimum(low + 1, in_size - 1)
    upper_weight = source - low
    weights = numpy.zeros((out_size, in_size))
    numpy.add.at(weights, (numpy.arange(out_size), low), 1.0 - upper_weight)
    numpy.add.at(weights, (numpy.arange(out_size), high), upper_weight)
    return weights


# ----------------------------------------------------------------------------
# Dropout
# ----------------------------------------------------------------------------
def dropout(x, p=0.5, training=True, inplace=False):
    """Inverted dropout: each element is zeroed with probability p and the kept ones are
    scaled by 1 / (1 - p), so the expected value is unchanged and evaluation
    (``training=False``) needs no rescaling.  The gradient is the same mask times
    the incoming gradient.  The mask comes from the generator ``manual_seed`` seeds."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout: p is the probability of zeroing an element, so it must be "
                         f"in [0, 1], got {p!r}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0  # everything dropped (1 / (1 - p) would be infinite)
    xp = backend.get_array_module(x.array)
    kept = backend.rng(xp).random(x.shape) >= p                     # True with probability 1 - p
    return x * Tensor(kept.astype(x.dtype) / x.dtype.type(1 - p))


def dropout2d(x, p=0.5, training=True, inplace=False):
    """Channel dropout: each whole channel of x (N, C, H, W) or (C, H, W) is zeroed with
    probability p and the kept ones are scaled by 1 / (1 - p)."""
    if x.ndim not in (3, 4):
        raise ShapeError(f"dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, "
                         f"got shape {tuple(x.shape)}")
    channels = x.shape[:-2]
    mask_shape = channels + (1, 1)
    if not training or p == 0:
        return dropout(x, p, training)
    ones = Tensor(backend.get_array_module(x.array).ones(mask_shape, dtype=x.dtype))
    return x * dropout(ones, p, training)


# ----------------------------------------------------------------------------
# Adaptive pooling: the output size is given, the windows follow from it
# ----------------------------------------------------------------------------
def adaptive_windows(in_size, out_size):
    """PyTorch's windows along one axis: output cell i pools the input elements
    [floor(i * in / out), ceil((i + 1) * in / out)), so the windows cover the input
    and neighbours overlap by at most one element when out does not divide in."""
    starts = [(i * in_size) // out_size for i in range(out_size)]
    ends = [-(-((i + 1) * in_size) // out_size) for i in range(out_size)]
    return list(zip(starts, ends))


def _adaptive_size(op, x, output_size):
    """(OH, OW) from an int, a pair, or a pair with None (keep that input size)."""
    images, restore = _as_batch(op, x)
    if isinstance(output_size, numbers.Integral):
        output_size = (output_size, output_size)
    output_size = tuple(output_size)
    if len(output_size) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size}")
    size = tuple(images.shape[2 + i] if s is None else int(s) for i, s in enumerate(output_size))
    if min(size) < 1 or min(images.shape[2:]) < 1:
        raise ShapeError(f"{op}: output_size {size} must be positive and the input {tuple(x.shape)} "
                         "non-empty")
    return images, restore, size


def _averaging_matrix(in_size, out_size, xp, dtype):
    """(out, in): row i holds 1 / (window length) over output cell i's window."""
    matrix = numpy.zeros((out_size, in_size))
    for i, (start, end) in enumerate(adaptive_windows(in_size, out_size)):
        matrix[i, start:end] = 1.0 / (end - start)
    return Tensor(xp.asarray(matrix, dtype=dtype))


def adaptive_avg_pool2d(x, output_size):
    """The mean over each adaptive window (``adaptive_windows`` along H and along W) of
    an (N, C, H, W) or (C, H, W) input.  The windows of one axis form an averaging
    matrix A (OH, H), so the result is A_h @ x @ A_w^T, and its gradient follows."""
    from .linalg import matmul
    images, restore, (oh, ow) = _adaptive_size("adaptive_avg_pool2d", x, output_size)
    n, c, h, w = images.shape
    if h % oh == 0 and w % ow == 0:   # equal windows that tile the input: a plain average
        blocks = reshape(images, (n, c, oh, h // oh, ow, w // ow))
        return restore(blocks.mean(dim=(3, 5)))
    xp = backend.get_array_module(x.array)
    rows = _averaging_matrix(h, oh, xp, x.dtype)
    cols = _averaging_matrix(w, ow, xp, x.dtype)
    return restore(matmul(matmul(rows, images), cols.T))


def _adaptive_argmax(images, out_size):
    """The flat index h * W + w of each adaptive window's maximum, (N, C, OH, OW).
    The max over a rectangle is the max over its rows of the max within each row:
    first within the column windows, then over the row windows, which keeps the
    first maximum in row-major order, as PyTorch."""
    xp = backend.get_array_module(images)
    n, c, h, w = images.shape
    oh, ow = out_size
    column_best = xp.empty((n, c, h, ow), dtype=images.dtype)
    column_arg = xp.empty((n, c, h, ow), dtype=numpy.int64)
    for j, (start, end) in enumerate(adaptive_windows(w, ow)):
        window = images[..., start:end]
        column_arg[..., j] = window.argmax(axis=-1) + start
        column_best[..., j] = window.max(axis=-1)
    index = xp.empty((n, c, oh, ow), dtype=numpy.int64)
    for i, (start, end) in enumerate(adaptive_windows(h, oh)):
        best_row = column_best[:, :, start:end].argmax(axis=2)                    # (N, C, OW)
        column = xp.take_along_axis(column_arg[:, :, start:end], best_row[:, :, None], axis=2)[:, :, 0]
        index[:, :, i] = (best_row + start) * w + column
    return index


def adaptive_max_pool2d(x, output_size, return_indices=False):
    """The largest element of each adaptive window; the gradient goes to it.  With
    ``return_indices`` also where it is, as h * W + w in its (H, W) plane (int64)."""
    images, restore, size = _adaptive_size("adaptive_max_pool2d", x, output_size)
    n, c, h, w = images.shape
    index = _adaptive_argmax(images.array, size)
    xp = backend.get_array_module(x.array)
    plane_start = (xp.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    values = getitem(reshape(images, (-1,)), plane_start + index)
    if return_indices:
        return restore(values), restore(Tensor(index))
    return restore(values)


# ----------------------------------------------------------------------------
# One-dimensional pooling: the 2-d ops on inputs of height 1
# ----------------------------------------------------------------------------
def _as_2d(op, x):
    """(N, C, L) or (C, L) -> an (N, C, 1, L) or (C, 1, L) image, and the way back."""
    if x.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {x.shape}")
    return unsqueeze(x, -2), lambda y: squeeze(y, -2)


def _single(value, op, name):
    if value is None or isinstance(value, numbers.Integral):
        return value
    value = tuple(value)
    if len(value) != 1:
        raise ValueError(f"{op}: {name} must be an int or a 1-tuple, got {value}")
    return int(value[0])


def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each window of length ``kernel_size`` along the last dim."""
    image, restore = _as_2d("avg_pool1d", x)
    stride = _single(stride, "avg_pool1d", "stride")
    y = avg_pool2d(image, (1, _single(kernel_size, "avg_pool1d", "kernel_size")),
                   None if stride is None else (1, stride), (0, _single(padding, "avg_pool1d", "padding")),
                   ceil_mode, count_include_pad)
    return restore(y)


def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest element of each window along the last dim (indices: positions in it)."""
    image, restore = _as_2d("max_pool1d", x)
    stride = _single(stride, "max_pool1d", "stride")
    result = max_pool2d(image, (1, _single(kernel_size, "max_pool1d", "kernel_size")),
                        None if stride is None else (1, stride),
                        (0, _single(padding, "max_pool1d", "padding")),
                        (1, _single(dilation, "max_pool1d", "dilation")), ceil_mode, return_indices)
    if return_indices:
        return restore(result[0]), restore(result[1])
    return restore(result)


def adaptive_avg_pool1d(x, output_size):
    image, restore = _as_2d("adaptive_avg_pool1d", x)
    return restore(adaptive_avg_pool2d(image, (1, _single(output_size, "adaptive_avg_pool1d", "output_size"))))


def adaptive_max_pool1d(x, output_size, return_indices=False):
    image, restore = _as_2d("adaptive_max_pool1d", x)
    result = adaptive_max_pool2d(image, (1, _single(output_size, "adaptive_max_pool1d", "output_size")),
                                 return_indices)
    if return_indices:
        return restore(result[0]), restore(result[1])
    return restore(result)


# ----------------------------------------------------------------------------
# Pixel shuffle: trading channels for resolution
# ----------------------------------------------------------------------------
def pixel_shuffle(x, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r): out[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]."""
    r = int(upscale_factor)
    if x.ndim < 3 or r < 1 or x.shape[-3] % (r * r):
        raise ShapeError(f"pixel_shuffle: expected input (*, C * {r}^2, H, W), with channels "
                         f"divisible by {r * r}, got shape {tuple(x.shape)}")
    *lead, channels, h, w = x.shape
    c = channels // (r * r)
    k = len(lead)
    y = reshape(x, (*lead, c, r, r, h, w))
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)         # (*, C, H, r, W, r)
    return reshape(y, (*lead, c, h * r, w * r))


def pixel_unshuffle(x, downscale_factor):
    """The inverse of pixel_shuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = int(downscale_factor)
    if x.ndim < 3 or r < 1 or x.shape[-1] % r or x.shape[-2] % r:
        raise ShapeError(f"pixel_unshuffle: expected input (*, C, H, W) with H and W divisible "
                         f"by {r}, got shape {tuple(x.shape)}")
    *lead, c, height, width = x.shape
    h, w = height // r, width // r
    k = len(lead)
    y = reshape(x, (*lead, c, h, r, w, r))
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)         # (*, C, r, r, H, W)
    return reshape(y, (*lead, c * r * r, h, w))
