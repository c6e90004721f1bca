"""Deliberately simple convolutions, written as loops: read these first.

These are the definitions that ``conv.py`` and ``im2col.py`` compute fast.  They
work on raw arrays, have no gradient, and serve as the test oracle for the fast
versions (tests/test_conv.py, tests/test_im2col.py).

Convolution (cross-correlation), for every output pixel (p, q):
    y[n, o, p, q] = sum over c, i, j of
                    xpad[n, c, p*sh + i*dh, q*sw + j*dw] * w[o, c, i, j]
Transposed convolution sends every input pixel the other way: input pixel
(p, q) adds x[n, c, p, q] * w[c, o, i, j] into output pixel (p*sh + i*dh, q*sw + j*dw),
before the padding is cropped off.  The weight gradient pairs every output pixel's
gradient with the window it read:
    gw[o, c, i, j] = sum over n, p, q of gy[n, o, p, q] * xpad[n, c, p*sh + i*dh, q*sw + j*dw]
im2col lists each window as a column; col2im adds columns back where they were read.
"""
from .. import backend
from .im2col import ConvGeometry, pair


def conv2d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    xp = backend.get_array_module(x)
    g = ConvGeometry(weight.shape[2:], stride, padding, dilation, groups)
    (ph, pw), (sh, sw), (dh, dw), (kh, kw) = g.padding, g.stride, g.dilation, g.kernel
    xpad = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c = x.shape[:2]
    o = weight.shape[0]
    c_group, o_group = c // groups, o // groups
    oh, ow = g.output_size(*x.shape[2:])
    y = xp.zeros((n, o, oh, ow), dtype=x.dtype)
    for group in range(groups):
        ins = slice(group * c_group, (group + 1) * c_group)
        outs = slice(group * o_group, (group + 1) * o_group)
        for p in range(oh):
            for q in range(ow):
                # the window under output pixel (p, q): (N, C/groups, KH, KW)
                window = xpad[:, ins, p * sh: p * sh + dh * (kh - 1) + 1: dh,
                              q * sw: q * sw + dw * (kw - 1) + 1: dw]
                y[:, outs, p, q] = xp.tensordot(window, weight[outs], axes=([1, 2, 3], [1, 2, 3]))
    if bias is not None:
        y += bias.reshape(1, -1, 1, 1)
    return y


def conv_transpose2d_loops(x, weight, bias=None, stride=1, padding=0, output_padding=0,
                           groups=1, dilation=1):
    xp = backend.get_array_module(x)
    g = ConvGeometry(weight.shape[2:], stride, padding, dilation, groups)
    (ph, pw), (sh, sw), (dh, dw), (kh, kw) = g.padding, g.stride, g.dilation, g.kernel
    n, c, h, w = x.shape
    c_group, o_group = c // groups, weight.shape[1]
    oh, ow = g.transpose_output_size(h, w, pair(output_padding))
    full = xp.zeros((n, o_group * groups, oh + 2 * ph, ow + 2 * pw), dtype=x.dtype)
    for group in range(groups):
        ins = slice(group * c_group, (group + 1) * c_group)
        outs = slice(group * o_group, (group + 1) * o_group)
        for p in range(h):
            for q in range(w):
                # input pixel (p, q) spreads a KH x KW patch: (N, O/groups, KH, KW)
                patch = xp.tensordot(x[:, ins, p, q], weight[ins], axes=([1], [0]))
                full[:, outs, p * sh: p * sh + dh * (kh - 1) + 1: dh,
                     q * sw: q * sw + dw * (kw - 1) + 1: dw] += patch
    y = full[:, :, ph: ph + oh, pw: pw + ow]
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y


def conv_weight_grad_loops(x, gy, weight_shape, stride=1, padding=0, dilation=1, groups=1):
    """d<gy, conv2d(x, W)>/dW for x (N, C, H, W), gy (N, O, OH, OW): (O, C/groups, KH, KW)."""
    xp = backend.get_array_module(x)
    g = ConvGeometry(weight_shape[2:], stride, padding, dilation, groups)
    (ph, pw), (sh, sw), (dh, dw), (kh, kw) = g.padding, g.stride, g.dilation, g.kernel
    xpad = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    o, c_group = weight_shape[:2]
    o_group = o // groups
    gw = xp.zeros(weight_shape, dtype=x.dtype)
    for out in range(o):
        ins = slice(out // o_group * c_group, (out // o_group + 1) * c_group)
        for p in range(gy.shape[2]):
            for q in range(gy.shape[3]):
                # the window under output pixel (p, q): (N, C/groups, KH, KW)
                window = xpad[:, ins, p * sh: p * sh + dh * (kh - 1) + 1: dh,
                              q * sw: q * sw + dw * (kw - 1) + 1: dw]
                gw[out] += xp.tensordot(gy[:, out, p, q], window, axes=([0], [0]))
    return gw


def pixel_order(n, out_size, batch_last):
    """The output pixels (n, p, q) in the order the columns list them."""
    oh, ow = out_size
    if batch_last:
        return [(b, p, q) for p in range(oh) for q in range(ow) for b in range(n)]
    return [(b, p, q) for b in range(n) for p in range(oh) for q in range(ow)]


def im2col_loops(x, geometry, out_size, batch_last):
    """x (N, C, H, W) -> columns (groups, C/groups * KH * KW, N * OH * OW): column k holds
    the window under the k-th pixel of ``pixel_order``, rows (c, i, j)."""
    xp = backend.get_array_module(x)
    (ph, pw), (sh, sw), (dh, dw), (kh, kw) = (geometry.padding, geometry.stride,
                                              geometry.dilation, geometry.kernel)
    xpad = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c = x.shape[:2]
    pixels = pixel_order(n, out_size, batch_last)
    columns = xp.zeros((c, kh, kw, len(pixels)), dtype=x.dtype)
    for k, (b, p, q) in enumerate(pixels):
        for i in range(kh):
            for j in range(kw):
                columns[:, i, j, k] = xpad[b, :, p * sh + i * dh, q * sw + j * dw]
    return columns.reshape(geometry.groups, -1, len(pixels))


def col2im_loops(columns, geometry, image_shape, out_size, batch_last):
    """columns (groups, C/groups * KH * KW, N * OH * OW) -> the (N, C, H, W) image of
    ``image_shape``: every entry added to the pixel im2col_loops read it from."""
    xp = backend.get_array_module(columns)
    (ph, pw), (sh, sw), (dh, dw), (kh, kw) = (geometry.padding, geometry.stride,
                                              geometry.dilation, geometry.kernel)
    n, c, h, w = image_shape
    pixels = pixel_order(n, out_size, batch_last)
    columns = columns.reshape(c, kh, kw, len(pixels))
    xpad = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=columns.dtype)
    for k, (b, p, q) in enumerate(pixels):
        for i in range(kh):
            for j in range(kw):
                xpad[b, :, p * sh + i * dh, q * sw + j * dw] += columns[:, i, j, k]
    return xpad[:, :, ph: ph + h, pw: pw + w]
