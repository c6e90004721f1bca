"""im2col and col2im for the convolution exercises: the slow, readable version.

im2col turns every k x k window of the (zero-padded) input into one column:

    cols[n, (c, i, j), (p, q)] = xpad[n, c, p*s + i, q*s + j]

of shape (N, C*k*k, OH*OW), so that a convolution is one matrix product.
col2im is its adjoint: it adds each column's entries back to the pixels they
came from (where windows overlap a pixel gets several) and crops the padding.
Being adjoint, each is the other's backward; both are Functions here, so a
backward written with them stays differentiable.

The library's own convolution (autograd/ops/conv.py, by way of
autograd/ops/im2col.py) does the same with strided views; this file loops over
the k*k window offsets for clarity.
"""
from .. import backend
from ..function import Function


def output_size(size, k, stride, padding):
    return (size + 2 * padding - k) // stride + 1


def im2col(x, k, stride, padding):
    """(N, C, H, W) array -> (N, C*k*k, OH*OW) array."""
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    oh, ow = output_size(h, k, stride, padding), output_size(w, k, stride, padding)
    xpad = xp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = xp.zeros((n, c, k, k, oh, ow), dtype=x.dtype)
    for i in range(k):
        for j in range(k):  # every window's (i, j) element, for all windows at once
            cols[:, :, i, j] = xpad[:, :, i: i + stride * oh: stride, j: j + stride * ow: stride]
    return cols.reshape(n, c * k * k, oh * ow)


def col2im(cols, image_shape, k, stride, padding):
    """(N, C*k*k, OH*OW) array -> (N, C, H, W) array, adding overlapping entries."""
    xp = backend.get_array_module(cols)
    n, c, h, w = image_shape
    oh, ow = output_size(h, k, stride, padding), output_size(w, k, stride, padding)
    cols = cols.reshape(n, c, k, k, oh, ow)
    xpad = xp.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    for i in range(k):
        for j in range(k):
            xpad[:, :, i: i + stride * oh: stride, j: j + stride * ow: stride] += cols[:, :, i, j]
    return xpad[:, :, padding: padding + h, padding: padding + w]


class Im2col(Function):
    def __init__(self, k, stride, padding):
        self.k, self.stride, self.padding = k, stride, padding

    def forward(self, x):
        self.image_shape = x.shape
        return im2col(x, self.k, self.stride, self.padding)

    def backward(self, gcols):
        return Col2im(self.image_shape, self.k, self.stride, self.padding)(gcols)


class Col2im(Function):
    def __init__(self, image_shape, k, stride, padding):
        self.image_shape = tuple(image_shape)
        self.k, self.stride, self.padding = k, stride, padding

    def forward(self, cols):
        return col2im(cols, self.image_shape, self.k, self.stride, self.padding)

    def backward(self, gx):
        return Im2col(self.k, self.stride, self.padding)(gx)
