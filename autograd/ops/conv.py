"""2-D convolution and transposed convolution, each the other's backward.

Convolution (cross-correlation, as in PyTorch) with im2col:

1. pad the input;
2. view every KH x KW window as a column, through a strided view of the padded
   input (``as_strided``: no copy, no Python loop over pixels);
3. one matrix product of the weights (O, C*KH*KW) with those columns
   (C*KH*KW, N*OH*OW) gives every output pixel at once.

The columns list the output pixels in one of two orders, channel-major (N, OH, OW)
or batch-last (OH, OW, N); each op picks the one that the arrays it is handed
already have (see "Pixel order" below), so that no large transposing copy is made.

Transposed convolution runs the same steps backwards (col2im): one matrix
product spreads each input pixel into a KH x KW patch of columns, and KH*KW
strided slice-adds put the patches in place.  This is exactly the gradient of
convolution with respect to its input, and convolution is the gradient of the
transposed convolution with respect to its input, so the backward of each op
calls the other.  The gradient with respect to the weights is a third op,
``ConvWeightGrad``, whose own backward again calls the first two: every piece
is differentiable, so second derivatives (WGAN-GP) come for free.

``groups`` splits the channels into independent convolutions; the matrix
products are batched over the groups.

Shapes (PyTorch's layouts):
    conv2d:           x (N, C, H, W),  weight (O, C/groups, KH, KW)  -> (N, O, OH, OW)
    conv_transpose2d: x (N, C, H, W),  weight (C, O/groups, KH, KW)  -> (N, O, OH, OW)
"""
from .. import backend
from ..function import Bilinear, DtypeError, ShapeError
from .shape import pad


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
# im2col and col2im on raw arrays
# ----------------------------------------------------------------------------
# Pixel order.  The columns of im2col can list the output pixels batch-last, (OH, OW,
# N), or channel-major, (N, OH, OW); a convolution's output and the operand that
# meets the columns in a matrix product come in the same order.  Batch-last columns
# are gathered in runs of N contiguous numbers, channel-major ones in runs of OW
# numbers read every stride-th element (slow at stride 2 and OW = 4 to 32), and
# col2im writes batch-last images already.  So each op picks the order that costs
# no copy of the arrays it is handed, and otherwise the faster gather.
def is_batch_last(x):
    """True when an (N, C, H, W) array lies in memory as (C, H, W, N), the order
    col2im writes, or is a crop of such an array (transposed convolutions return
    such views): the batch is the innermost axis."""
    return x.shape[0] > 1 and x.strides[0] == x.itemsize


def _forward_order(x, geometry):
    """Batch-last columns for conv2d(x) if x already lies so (its padded copy is then
    a straight copy), or at stride 2 or more (the faster gather).  The output takes
    the same order, so a chain of convolutions keeps it."""
    return is_batch_last(x) or geometry.stride != (1, 1)


def _columns_order_for(gy):
    """The weight gradient multiplies gy by the columns: take gy's own order, so that
    flattening gy costs no transposing copy."""
    return is_batch_last(gy)


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


def _windows(x, geometry, out_size, batch_last):
    """All KH x KW windows of the padded input as a strided view, no copy:
    channel-major, (C, KH, KW, N, OH, OW), or batch-last, (C, KH, KW, OH, OW, N),
    with windows[c, i, j, ..n, p, q..] = xpad[n, c, p*sh + i*dh, q*sw + j*dw].

    The padded copy lies in memory in the same order, (C, N, H, W) or (C, H, W, N),
    so that each window row is read from nearby memory."""
    xp = backend.get_array_module(x)
    (ph, pw), (kh, kw) = geometry.padding, geometry.kernel
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    n, c, h, w = x.shape
    order = (1, 2, 3, 0) if batch_last else (1, 0, 2, 3)   # memory order of the axes N, C, H, W
    back = tuple(order.index(axis) for axis in range(4))   # its inverse: views it as (N, C, H, W)
    if ph or pw or not x.transpose(order).flags.c_contiguous:       # else x lies so already
        padded_nchw = (n, c, h + 2 * ph, w + 2 * pw)
        allocate = xp.zeros if ph or pw else xp.empty
        padded = allocate(tuple(padded_nchw[axis] for axis in order), dtype=x.dtype).transpose(back)
        _assign(padded[:, :, ph: ph + h, pw: pw + w], x)
    else:
        padded = x
    s_n, s_c, s_h, s_w = padded.strides
    windows = backend.strided_view(
        padded, shape=(c, kh, kw, n) + tuple(out_size),
        strides=(s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw))
    return windows.transpose(0, 1, 2, 4, 5, 3) if batch_last else windows


def _columns(x, geometry, out_size, batch_last):
    """im2col: (groups, C/groups * KH * KW, N * OH * OW), one column per output pixel,
    pixels in (OH, OW, N) order if ``batch_last`` else (N, OH, OW)."""
    windows = _windows(x, geometry, out_size, batch_last)
    c, kh, kw = windows.shape[:3]
    g = geometry.groups
    # rows: channel and kernel offset; columns: output pixels; the reshape copies once
    return windows.reshape(g, (c // g) * kh * kw, -1)


def _pixels_last(y, batch_last):
    """(N, C, H, W) -> (C, pixels) in the pixel order of batch_last columns or not."""
    if batch_last and not is_batch_last(y):
        xp = backend.get_array_module(y)
        n, c, h, w = y.shape
        rows = xp.empty((c, h, w, n), dtype=y.dtype)
        _assign(rows.transpose(3, 0, 1, 2), y)
        return rows.reshape(c, -1)
    return y.transpose((1, 2, 3, 0) if batch_last else (1, 0, 2, 3)).reshape(y.shape[1], -1)


def _as_image(rows, n, oh, ow, batch_last):
    """(C, pixels) in either order -> a (N, C, OH, OW) view."""
    if batch_last:
        return rows.reshape(-1, oh, ow, n).transpose(3, 0, 1, 2)
    return rows.reshape(-1, n, oh, ow).transpose(1, 0, 2, 3)


def _grouped(array_2d_rows, groups):
    """(rows, cols) -> (groups, rows/groups, cols)."""
    rows = array_2d_rows.shape[0]
    return array_2d_rows.reshape(groups, rows // groups, -1)


def _col2im(columns, geometry, n, c, in_size, out_size, output_padding, batch_last=True):
    """Scatter columns (C, KH, KW, H, W, N), or (C, KH, KW, N, H, W) if not
    ``batch_last``, back into an image of the transposed convolution's output size,
    then crop the padding.

    Input pixel p with tap i lands on output row p*sh + i*dh.  Writing
    i*dh = a*sh + r, that is row p + a of the r-th stride phase (the rows r, r + sh,
    r + 2*sh, ...).  So the scatter is KH * KW adds of whole blocks into shifted,
    contiguous slices of the sh x sw phase images, and one copy then interleaves the
    phases (at stride 1 there is one phase, the image itself).  Batch-last, each add
    moves runs of N contiguous numbers or more, several times faster than the runs
    of W (4 to 32) numbers of the channel-major order.  The result is a view in
    PyTorch's (N, C, H, W) order."""
    xp = backend.get_array_module(columns)
    (kh, kw), (sh, sw) = geometry.kernel, geometry.stride
    (dh, dw), (ph, pw) = geometry.dilation, geometry.padding
    h, w = in_size
    full = ((h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0],
            (w - 1) * sw + dw * (kw - 1) + 1 + output_padding[1])
    rows, cols = -(-full[0] // sh), -(-full[1] // sw)          # per phase, rounded up
    # phases (sh, sw, C, rows, cols, N) batch-last, or (sh, sw, C, N, rows, cols)
    shape = (c, rows, cols, n) if batch_last else (c, n, rows, cols)
    phases = xp.zeros((sh, sw) + shape, dtype=columns.dtype)
    for i in range(kh):
        a, r = divmod(i * dh, sh)
        for j in range(kw):
            b, q = divmod(j * dw, sw)
            rows_cols = (slice(a, a + h), slice(b, b + w))
            target = rows_cols if batch_last else (slice(None),) + rows_cols
            phases[(r, q, slice(None)) + target] += columns[:, i, j]
    # interleave (sh, sw, ..., rows, ..., cols, ...) -> (..., rows, sh, ..., cols, sw, ...) in one copy
    if batch_last:
        image = phases.transpose(2, 3, 0, 4, 1, 5).reshape(c, rows * sh, cols * sw, n)
        image = image.transpose(3, 0, 1, 2)                           # (N, C, H, W) view
    else:
        image = phases.transpose(2, 3, 4, 0, 5, 1).reshape(c, n, rows * sh, cols * sw)
        image = image.transpose(1, 0, 2, 3)
    return image[:, :, ph: ph + out_size[0], pw: pw + out_size[1]]


# ----------------------------------------------------------------------------
# Stride 1: work on the side with fewer channels
# ----------------------------------------------------------------------------
# im2col copies C*KH*KW rows of the input; col2im writes O*KH*KW rows of the output.
# At stride 1 a convolution and a transposed convolution are the same operation with
# the kernel turned around (flipped in space, in and out swapped) and the padding
# changed to d*(k-1) - p, so each op can take whichever route moves fewer rows: a
# convolution that narrows 32 channels to 8 scatters 8*9 rows instead of copying 32*9.
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


def _conv_forward(x, weight, geometry, out_size=None, columns=None, batch_last=None):
    """conv2d on arrays; ``columns``, when given, is x's im2col in the order
    ``batch_last`` says."""
    n, c, h, w = x.shape
    o = weight.shape[0]
    oh, ow = out_size or geometry.output_size(h, w)
    dual = _dual(geometry) if columns is None and o < c else None
    if dual and (oh, ow) == geometry.output_size(h, w):
        return _conv_transpose_forward(x, _flipped(weight), dual, (0, 0))
    if columns is None:
        batch_last = _forward_order(x, geometry)
        columns = _columns(x, geometry, (oh, ow), batch_last)      # (g, Cg*K*K, N*P)
    kernels = _grouped(weight.reshape(o, -1), geometry.groups)      # (g, Og, Cg*K*K)
    y = kernels @ columns                                           # (g, Og, N*P)
    return _as_image(y.reshape(o, -1), n, oh, ow, batch_last)


def _conv_transpose_forward(x, weight, geometry, output_padding):
    n, c_in, h, w = x.shape
    g = geometry.groups
    c_out = weight.shape[1] * g
    dual = _dual(geometry) if c_in < c_out and tuple(output_padding) == (0, 0) else None
    if dual:
        return _conv_forward(x, _flipped(weight), dual)
    kh, kw = geometry.kernel
    out_size = geometry.transpose_output_size(h, w, output_padding)
    # x's pixels in batch-last order cost a transposing copy of x unless x already lies
    # so; pay it unless the scatter is smaller than x (few output channels)
    batch_last = is_batch_last(x) or c_out * kh * kw > c_in
    kernels = weight.reshape(g, c_in // g, -1).transpose(0, 2, 1)   # (g, Og*K*K, Cg)
    pixels = _pixels_last(x, batch_last).reshape(g, c_in // g, -1)  # (g, Cg, N*H*W)
    pixel_shape = (h, w, n) if batch_last else (n, h, w)
    columns = (kernels @ pixels).reshape((c_out, kh, kw) + pixel_shape)
    return _col2im(columns, geometry, n, c_out, (h, w), out_size, output_padding, batch_last)


def _weight_grad(x, gy, geometry, weight_shape, columns=None, batch_last=None):
    """d(loss)/d(weight) of conv2d(x, weight) given gy = d(loss)/d(output)."""
    n, o, oh, ow = gy.shape
    dual = _dual(geometry) if columns is None and o < x.shape[1] else None
    if dual:
        # the dual (transposed) convolution maps gy to x: correlate in that direction
        return _flipped(_weight_grad(gy, x, dual, _flipped_shape(weight_shape))).copy()
    if columns is None:
        batch_last = _columns_order_for(gy)
        columns = _columns(x, geometry, (oh, ow), batch_last)      # (g, Cg*K*K, N*P)
    grads = _grouped(_pixels_last(gy, batch_last), geometry.groups)  # (g, Og, N*P)
    return (grads @ columns.transpose(0, 2, 1)).reshape(weight_shape)


# ----------------------------------------------------------------------------
# The three differentiable ops
# ----------------------------------------------------------------------------
class Conv2d(Bilinear):
    """conv2d without bias; ``out_size`` may cut the output short (the gradient of a
    transposed convolution whose output_padding is at least its stride needs that)."""

    def __init__(self, geometry, out_size=None, columns=None, batch_last=None):
        self.geometry, self.out_size = geometry, out_size
        # im2col of x when the caller already has it, and its pixel order
        self.columns, self.batch_last = columns, batch_last

    def forward(self, x, weight):
        y = _conv_forward(x, weight, self.geometry, self.out_size, self.columns, self.batch_last)
        self.columns = None  # not kept for backward: memory matters more
        return y

    def backward(self, gy):
        x, weight = self.inputs
        gx = gw = None
        if self.needs_input_grad[0]:
            leftover = self.geometry.leftover(x.shape[2:], gy.shape[2:])
            gx = ConvTranspose2d(self.geometry, leftover)(gy, weight)
        if self.needs_input_grad[1]:
            gw = ConvWeightGrad(self.geometry, weight.shape)(x, gy)
        return gx, gw


class ConvTranspose2d(Bilinear):
    def __init__(self, geometry, output_padding):
        self.geometry, self.output_padding = geometry, pair(output_padding)

    def forward(self, x, weight):
        return _conv_transpose_forward(x, weight, self.geometry, self.output_padding)

    def backward(self, gy):
        # y = A^T x where A is conv2d with this weight, so dx = A gy and dW comes
        # from correlating gy (as the conv input) with x (as the conv output gradient)
        x, weight = self.inputs
        # both gradients read the same im2col of gy: build it once
        # the weight gradient multiplies these columns by x: take x's order
        batch_last = _columns_order_for(x.array)
        columns = _columns(gy.array, self.geometry, x.shape[2:], batch_last)
        gx = gw = None
        if self.needs_input_grad[0]:
            gx = Conv2d(self.geometry, x.shape[2:], columns, batch_last)(gy, weight)
        if self.needs_input_grad[1]:
            gw = ConvWeightGrad(self.geometry, weight.shape, columns, batch_last)(gy, x)
        return gx, gw


class ConvWeightGrad(Bilinear):
    """gW = d<gy, conv2d(x, W)>/dW, linear in both x and gy."""

    def __init__(self, geometry, weight_shape, columns=None, batch_last=None):
        self.geometry, self.weight_shape = geometry, tuple(weight_shape)
        # im2col of x when the caller already has it, and its pixel order
        self.columns, self.batch_last = columns, batch_last

    def forward(self, x, gy):
        gw = _weight_grad(x, gy, self.geometry, self.weight_shape, self.columns, self.batch_last)
        self.columns = None
        return gw

    def backward(self, ggw):
        x, gy = self.inputs
        gx = ggy = None
        if self.needs_input_grad[0]:
            leftover = self.geometry.leftover(x.shape[2:], gy.shape[2:])
            gx = ConvTranspose2d(self.geometry, leftover)(gy, ggw)
        if self.needs_input_grad[1]:
            ggy = Conv2d(self.geometry, gy.shape[2:])(x, ggw)
        return gx, ggy


# ----------------------------------------------------------------------------
# Functional interface with input checks
# ----------------------------------------------------------------------------
def _check(op, x, weight, bias, groups, in_channels, out_channels):
    if x.ndim != 4:
        raise ShapeError(f"{op}: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    if weight.ndim != 4:
        raise ShapeError(f"{op}: expected a 4-D weight, got shape {weight.shape}")
    if min(weight.shape[2:]) < 1:
        raise ShapeError(f"{op}: the kernel size {tuple(weight.shape[2:])} must be at least 1 in each dim")
    if x.dtype != weight.dtype:
        raise DtypeError(f"{op}: input type ({x.dtype}) and weight type ({weight.dtype}) should be "
                         "the same (convert the input with .to(weight.dtype), or the layer with .double())")
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ValueError(f"{op}: groups={groups} must divide the {in_channels} input and "
                         f"{out_channels} output channels")
    if x.shape[1] != in_channels:
        raise ShapeError(f"{op}: expected input (N, {in_channels}, H, W) for weight {weight.shape} "
                         f"and groups={groups}, got {x.shape}")
    if bias is not None and bias.shape != (out_channels,):
        raise ShapeError(f"{op}: expected bias of shape ({out_channels},), got {bias.shape}")


def _add_bias(y, bias):
    return y if bias is None else y + bias.reshape(1, -1, 1, 1)


def _same_padding(x, kernel, stride, dilation):
    """padding='same': pad so the output keeps the input's size (stride 1 only).  An odd
    total is split with the extra row/column at the end, as PyTorch does."""
    if pair(stride) != (1, 1):
        raise ValueError("conv2d: padding='same' needs stride 1")
    totals = [d * (k - 1) for k, d in zip(kernel, pair(dilation))]
    before = [t // 2 for t in totals]
    if all(t % 2 == 0 for t in totals):
        return x, tuple(before)
    (top, left), (total_h, total_w) = before, totals
    return pad(x, (left, total_w - left, top, total_h - top)), (0, 0)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    o, c_per_group = weight.shape[0], weight.shape[1] if weight.ndim == 4 else 0
    _check("conv2d", x, weight, bias, groups, c_per_group * groups, o)
    if padding == "valid":
        padding = 0
    elif padding == "same":
        x, padding = _same_padding(x, weight.shape[2:], stride, dilation)
    elif isinstance(padding, str):
        raise ValueError(f"conv2d: padding must be a number, a pair, 'same' or 'valid', got {padding!r}")
    geometry = ConvGeometry(weight.shape[2:], stride, padding, dilation, groups)
    oh, ow = geometry.output_size(*x.shape[2:])
    if oh < 1 or ow < 1:
        raise ShapeError(f"conv2d: input {x.shape} is too small for kernel {geometry.kernel} with "
                         f"padding {geometry.padding} and dilation {geometry.dilation}")
    return _add_bias(Conv2d(geometry)(x, weight), bias)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    c_in = weight.shape[0]
    c_out = weight.shape[1] * groups if weight.ndim == 4 else 0
    _check("conv_transpose2d", x, weight, bias, groups, c_in, c_out)
    geometry = ConvGeometry(weight.shape[2:], stride, padding, dilation, groups)
    output_padding = pair(output_padding, "output_padding")
    for op, s, d in zip(output_padding, geometry.stride, geometry.dilation):
        if not 0 <= op < max(s, d):
            raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be smaller "
                             f"than stride or dilation ({geometry.stride}, {geometry.dilation})")
    oh, ow = geometry.transpose_output_size(*x.shape[2:], output_padding)
    if oh < 1 or ow < 1:
        raise ShapeError(f"conv_transpose2d: padding {geometry.padding} leaves no output for input {x.shape}")
    return _add_bias(ConvTranspose2d(geometry, output_padding)(x, weight), bias)


# ----------------------------------------------------------------------------
# One-dimensional convolutions: a conv2d over inputs of height 1
# ----------------------------------------------------------------------------
def single(value, name="argument"):
    """3 -> 3; (3,) -> 3: one length, for the 1-d ops."""
    if isinstance(value, int):
        return value
    value = tuple(int(v) for v in value)
    if len(value) != 1:
        raise ValueError(f"{name}: expected an int or a 1-tuple, got {value}")
    return value[0]


def _as_1d_batch(op, x, weight):
    """(N, C, 1, L) from an (N, C, L) batch or one (C, L) sequence, the (.., 1, K)
    weight, and a function that gives results back the input's way."""
    if x.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {x.shape}")
    if weight.ndim != 3:
        raise ShapeError(f"{op}: expected a 3-D weight, got shape {weight.shape}")
    batched = x.ndim == 3
    images = x.unsqueeze(-2) if batched else x.unsqueeze(0).unsqueeze(-2)

    def restore(y):
        y = y.squeeze(-2)
        return y if batched else y.squeeze(0)
    return images, weight.unsqueeze(-2), restore


def _conv1d_padding(padding):
    return padding if isinstance(padding, str) else (0, single(padding, "padding"))


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """The 1-d convolution of x (N, C_in, L) or (C_in, L) with weight
    (C_out, C_in / groups, K), as conv2d of inputs of height 1."""
    images, kernel, restore = _as_1d_batch("conv1d", x, weight)
    in_channels = weight.shape[1] * groups
    if images.shape[1] != in_channels:
        raise ShapeError(f"conv1d: expected input (N, {in_channels}, L) for weight {weight.shape} "
                         f"and groups={groups}, got {x.shape}")
    span = single(dilation, "dilation") * (weight.shape[2] - 1) + 1
    pad_total = 0 if isinstance(padding, str) else 2 * single(padding, "padding")
    if padding != "same" and images.shape[-1] + pad_total < span:
        raise ShapeError(f"conv1d: input {x.shape} is too small for kernel size {weight.shape[2]} "
                         f"with padding {padding} and dilation {dilation}")
    y = conv2d(images, kernel, bias, (1, single(stride, "stride")), _conv1d_padding(padding),
               (1, single(dilation, "dilation")), groups)
    return restore(y)


def conv_transpose1d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transpose of conv1d: x (N, C_in, L) or (C_in, L), weight (C_in, C_out / groups, K)."""
    images, kernel, restore = _as_1d_batch("conv_transpose1d", x, weight)
    if images.shape[1] != weight.shape[0]:
        raise ShapeError(f"conv_transpose1d: expected input (N, {weight.shape[0]}, L) for weight "
                         f"{weight.shape}, got {x.shape}")
    y = conv_transpose2d(images, kernel, bias, (1, single(stride, "stride")),
                         (0, single(padding, "padding")),
                         (0, single(output_padding, "output_padding")), groups,
                         (1, single(dilation, "dilation")))
    return restore(y)
