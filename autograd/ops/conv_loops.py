"""Deliberately simple convolutions, written as loops: read these first.

These are the definitions that ``conv.py`` computes fast.  They work on raw
arrays, have no gradient, and serve as the test oracle for the im2col versions.

Convolution (cross-correlation), for every output pixel (p, q):
    y[n, o, p, q] = sum over c, i, j of
                    xpad[n, c, p*sh + i*dh, q*sw + j*dw] * w[o, c, i, j]
Transposed convolution sends every input pixel the other way: input pixel
(p, q) adds x[n, c, p, q] * w[c, o, i, j] into output pixel (p*sh + i*dh, q*sw + j*dw),
before the padding is cropped off.
"""
from .. import backend
from .conv import ConvGeometry, pair


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
