"""Exercise logsumexp: log(sum(exp(x))) along one dim.

Forward.  y = log sum_j exp(x_j) along the dim (one y per row), computed
stably; with keepdim=False the dim is removed from y.

The question.  Given gy, what is dL/dx_k?  Differentiate y with respect to one
x_k; the result has a name.  Each row's gy and y are shared by every x_k of
that row, so they must be shaped to broadcast against x.

Your task: write ``LogSumExp.backward`` with Tensor ops: ``self.inputs[0]`` is
x, ``self.saved_output()`` is y, ``t.exp()`` and ``t.reshape(shape)`` exist,
and ``kept_shape`` below gives x's shape with the dim set to 1.
"""
from autograd import Function, get_array_module


def kept_shape(shape, dim):
    """``shape`` with the reduced dim set to 1."""
    return tuple(1 if i == dim else s for i, s in enumerate(shape))


class LogSumExp(Function):
    def __init__(self, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim

    def forward(self, x):
        xp = get_array_module(x)
        shift = x.max(axis=self.dim, keepdims=True)
        y = xp.log(xp.exp(x - shift).sum(axis=self.dim, keepdims=True)) + shift
        return y if self.keepdim else y.squeeze(self.dim)

    def backward(self, gy):
        x, y = self.inputs[0], self.saved_output()
        raise NotImplementedError("write LogSumExp.backward")
