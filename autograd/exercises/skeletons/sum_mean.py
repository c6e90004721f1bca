"""Exercise sum_mean: sum and mean over a dim, with and without keepdim.

Math.  y = sum_i x_i over the dim: every x_i contributes once, dy/dx_i = 1, so
each input element gets the gradient of the output element it was summed into:

    gx[..., i, ...] = gy[..., ...]      (copy gy along the reduced dim)

y = mean over the dim = (1/N) sum_i x_i, with N the size of that dim (of all
elements, when dim is None): gx = gy / N, copied along the dim.

Shapes.  x of shape (2, 3, 4) summed over dim=1 gives (2, 4), or (2, 1, 4)
with keepdim=True.  To copy gy back over the reduced dim, first put the dim
back as size 1 (gy.reshape(kept_shape)), then broadcast to x's shape
(g.broadcast_to(x.shape)).  ``kept_shape(shape, dim)`` below gives that shape.

Your task: write ``backward`` for Sum and Mean.

Hint: with keepdim=False the reduced dim is gone from gy, so gy cannot
broadcast against x until you reshape it.
"""
import math

from autograd import Function


def kept_shape(shape, dim):
    """``shape`` with the reduced dim (or every dim, for dim=None) set to 1."""
    return tuple(1 if dim is None or i == dim else s for i, s in enumerate(shape))


class Sum(Function):
    def __init__(self, dim=None, keepdim=False):
        self.dim, self.keepdim = dim, keepdim

    def forward(self, x):
        return x.sum(axis=self.dim, keepdims=self.keepdim)

    def backward(self, gy):
        x, = self.inputs
        raise NotImplementedError("write Sum.backward")


class Mean(Function):
    def __init__(self, dim=None, keepdim=False):
        self.dim, self.keepdim = dim, keepdim

    def forward(self, x):
        return x.mean(axis=self.dim, keepdims=self.keepdim)

    def backward(self, gy):
        x, = self.inputs
        count = math.prod(x.shape) if self.dim is None else x.shape[self.dim]  # noqa: F841
        raise NotImplementedError("write Mean.backward")
