"""2-D convolution and transposed convolution, each the other's backward.

Convolution (cross-correlation, as in PyTorch), for every output pixel (p, q):

    y[n, o, p, q] = sum over c, i, j of xpad[n, c, p*sh + i*dh, q*sw + j*dw] * w[o, c, i, j]

(conv_loops.py writes it out as loops).  Listing every window of the padded input
as a column (im2col) makes it one matrix product of the weights (O, C*KH*KW) with
those columns (C*KH*KW, N*OH*OW).  The transposed convolution is the adjoint: one
matrix product spreads each input pixel into a KH x KW patch, and col2im adds the
patches into place.  How that is done fast (memory order, stride phases, a cheaper
route at stride 1) is im2col.py's business; the ops here only call it.

The transposed convolution is the gradient of convolution with respect to its
input, and convolution that of the transposed convolution, so the backward of each
op calls the other.  The gradient with respect to the weights is a third op,
``ConvWeightGrad``, whose own backward again calls the first two: every piece is
differentiable, so second derivatives (WGAN-GP) come for free.

``groups`` splits the channels into independent convolutions.

Shapes (PyTorch's layouts):
    conv2d:           x (N, C, H, W),  weight (O, C/groups, KH, KW)  -> (N, O, OH, OW)
    conv_transpose2d: x (N, C, H, W),  weight (C, O/groups, KH, KW)  -> (N, O, OH, OW)
"""
from ..function import Bilinear, DtypeError, ShapeError
from .im2col import (ConvGeometry, columns_for_weight_grad, conv2d_array,
                     conv_transpose2d_array, conv_weight_grad_array, pair)
# also part of this module's interface
from .im2col import conv_output_size, conv_transpose_output_size  # noqa: F401
from .shape import pad


# ----------------------------------------------------------------------------
# The three differentiable ops
# ----------------------------------------------------------------------------
class Conv2d(Bilinear):
    """conv2d without bias; ``out_size`` may cut the output short (the gradient of a
    transposed convolution whose output_padding is at least its stride needs that).
    ``x_columns``: x's im2col (``Columns``), when the caller has it already."""

    def __init__(self, geometry, out_size=None, x_columns=None):
        self.geometry, self.out_size, self.x_columns = geometry, out_size, x_columns

    def forward(self, x, weight):
        y = conv2d_array(x, weight, self.geometry, self.out_size, self.x_columns)
        self.x_columns = None  # not kept for backward: memory matters more
        return y

    def backward_for(self, wanted, gy):
        x, weight = self.inputs
        gx = gw = None
        if wanted[0]:
            leftover = self.geometry.leftover(x.shape[2:], gy.shape[2:])
            gx = ConvTranspose2d(self.geometry, leftover)(gy, weight)
        if wanted[1]:
            gw = ConvWeightGrad(self.geometry, weight.shape)(x, gy)
        return gx, gw


class ConvTranspose2d(Bilinear):
    """conv_transpose2d without bias: the adjoint of conv2d in x."""

    def __init__(self, geometry, output_padding):
        self.geometry, self.output_padding = geometry, pair(output_padding)

    def forward(self, x, weight):
        return conv_transpose2d_array(x, weight, self.geometry, self.output_padding)

    def backward_for(self, wanted, gy):
        # y = A^T x where A is conv2d with this weight, so dx = A gy, and dW comes from
        # correlating gy (as the conv input) with x (as the conv output gradient)
        x, weight = self.inputs
        # both gradients read the same im2col of gy: build it once
        gy_columns = columns_for_weight_grad(gy.array, x.array, self.geometry)
        gx = gw = None
        if wanted[0]:
            gx = Conv2d(self.geometry, x.shape[2:], gy_columns)(gy, weight)
        if wanted[1]:
            gw = ConvWeightGrad(self.geometry, weight.shape, gy_columns)(gy, x)
        return gx, gw


class ConvWeightGrad(Bilinear):
    """gW = d<gy, conv2d(x, W)>/dW, linear in both x and gy.  ``x_columns``: x's
    im2col (``Columns``), when the caller has it already."""

    def __init__(self, geometry, weight_shape, x_columns=None):
        self.geometry, self.weight_shape = geometry, tuple(weight_shape)
        self.x_columns = x_columns

    def forward(self, x, gy):
        gw = conv_weight_grad_array(x, gy, self.geometry, self.weight_shape, self.x_columns)
        self.x_columns = None
        return gw

    def backward_for(self, wanted, ggw):
        x, gy = self.inputs
        gx = ggy = None
        if wanted[0]:
            leftover = self.geometry.leftover(x.shape[2:], gy.shape[2:])
            gx = ConvTranspose2d(self.geometry, leftover)(gy, ggw)
        if wanted[1]:
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
