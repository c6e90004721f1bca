"""Exercise pixelcnn_masks: the masks that make a convolution autoregressive.

Math (van den Oord et al. 2016, PixelRNN/PixelCNN, section 3.5).  Number the
pixels of an H x W image in raster order: row by row from the top, left to right
in each row.  A PixelCNN models p(x) = prod_i p(x_i | x_<i) with one network that
outputs the parameters of every p(x_i | x_<i) at once.  That is a valid
factorisation only if the output at pixel i depends on no pixel at or after i:

    d output_i / d x_j = 0   for every j >= i in raster order.

Convolutions are made to respect it by multiplying each K x K kernel (K odd) by
a 0/1 mask that keeps only the taps that look at earlier pixels: the rows above
the centre, and on the centre row the taps left of the centre.  The first layer,
whose input is the image, uses mask A, which also drops the centre (output i must
not see x_i).  Every later layer uses mask B, which keeps the centre: its input
at pixel i is a feature that already depends on x_<i only.  The mask is the same
for every pair of channels: a weight (O, C, K, K) gets a mask (O, C, K, K).
(``scratchgen.models.pixelcnn`` uses these masks, on one image channel.)

A masked convolution here is a same-size convolution (stride 1, padding K // 2)
with the weight w * mask, as in the forward below (it uses im2col, as in the
conv2d exercise).

The question.  Which taps may a layer keep, so that a stack (one layer A, then
layers B) is causal and sees as much of the past as it may?  And since forward
uses w * mask, what gradient does a masked tap of w receive?

Your task:
  1. ``causal_mask(mask_type, out_channels, in_channels, kernel_size)``: the mask,
     a NumPy array (O, C, K, K) of zeros and ones, for mask_type "A" or "B";
  2. write MaskedConv2d.backward: returns (gx, gw) with Tensor ops (``Im2col``
     and ``Col2im`` are each other's backward, as in the conv2d exercise).
The check builds a stack of your layers (one A, then B) and measures which input
pixels each output pixel depends on: none at or after it, and every one before
it that the reference masks reach.  Then it compares your gradients with finite
differences.

Hint: draw the mask of a 5 x 5 kernel on paper first, the centre circled.
"""
import numpy  # noqa: F401

from autograd import Function, Tensor, get_array_module  # noqa: F401
from autograd.exercises.im2col import Col2im, Im2col, im2col  # noqa: F401


def causal_mask(mask_type, out_channels, in_channels, kernel_size):
    raise NotImplementedError("write causal_mask")


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
        raise NotImplementedError("write MaskedConv2d.backward")
