"""Reference for exercise pixelcnn_masks (the mathematics is in skeletons/pixelcnn_masks.py)."""
import numpy

from autograd import Function, Tensor, get_array_module
from autograd.exercises.im2col import Col2im, Im2col, im2col


def causal_mask(mask_type, out_channels, in_channels, kernel_size):
    """The 0/1 mask (O, C, K, K): rows above the centre, and on the centre row the taps
    left of it (type A) or left of it and the centre (type B), for every channel pair."""
    centre = kernel_size // 2
    taps = numpy.zeros((kernel_size, kernel_size))
    taps[:centre, :] = 1                                  # every row above the centre
    taps[centre, :centre + (mask_type == "B")] = 1        # the centre row, up to the centre
    return numpy.broadcast_to(taps, (out_channels, in_channels, kernel_size, kernel_size)).copy()


class MaskedConv2d(Function):
    def __init__(self, mask_type):
        self.mask_type = mask_type

    def forward(self, x, w):
        xp = get_array_module(x)
        o, c, k, _ = w.shape
        self.mask = xp.asarray(causal_mask(self.mask_type, o, c, k), dtype=w.dtype)
        n, _, h, width = x.shape
        cols = im2col(x, k, 1, k // 2)                    # (N, C*k*k, H*W): same-size output
        y = (w * self.mask).reshape(o, -1) @ cols          # (N, O, H*W)
        return y.reshape(n, o, h, width)

    def backward(self, gy):
        x, w = self.inputs
        n, o, h, width = gy.shape
        k = w.shape[2]
        mask = Tensor(self.mask)
        g = gy.reshape(n, o, h * width)
        cols = Im2col(k, 1, k // 2)(x)
        # a masked tap never reaches y: no gradient, and the optimiser leaves it at 0
        gw = (g @ cols.transpose(1, 2)).sum(0).reshape(w.shape) * mask
        gcols = (w * mask).reshape(o, -1).T @ g            # back through the weight forward used
        return Col2im(x.shape, k, 1, k // 2)(gcols), gw
