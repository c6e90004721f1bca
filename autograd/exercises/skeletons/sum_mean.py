"""Exercise sum_mean: sum and mean over a dim, with and without keepdim.

Forward.  y = sum over the dim of x; y = mean over the dim = the sum divided by
N, the number of elements reduced (all of them when dim is None).  x of shape
(2, 3, 4) summed over dim=1 gives (2, 4), or (2, 1, 4) with keepdim=True.

The question.  Given gy (y's shape), what is dL/dx (x's shape)?  How much does
each x_i change the y it was reduced into?  Then: how does a Tensor of y's
shape become one of x's shape, when keepdim=False has removed the dim?

Your task: write ``backward`` for Sum and Mean with Tensor ops
(``t.reshape(shape)``, ``t.broadcast_to(shape)``); ``kept_shape(shape, dim)``
below gives x's shape with the reduced dims set to 1.
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
