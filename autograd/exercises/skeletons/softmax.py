"""Exercise softmax: softmax along one dim, to second order.

Math.  y_i = exp(x_i) / sum_j exp(x_j) along the dim.  Its Jacobian is

    dy_i/dx_k = y_i (delta_ik - y_k)        (delta_ik = 1 if i = k, else 0)

so, with gy the incoming gradient,

    gx_k = sum_i gy_i y_i (delta_ik - y_k) = y_k (gy_k - sum_i gy_i y_i).

The sum runs along the softmax dim only, one sum per row; keep that dim
(keepdim=True) so that it broadcasts back against y.

Your task: write ``Softmax.backward`` with Tensor ops (``self.saved_output()``
is y).  Second derivatives are checked too.

Hint: every x_k changes every y_i of its row (through the denominator), which
is where the - sum_i gy_i y_i term comes from.
"""
from autograd import Function, get_array_module


class Softmax(Function):
    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = get_array_module(x)
        e = xp.exp(x - x.max(axis=self.dim, keepdims=True))  # shifted: exp cannot overflow
        return e / e.sum(axis=self.dim, keepdims=True)

    def backward(self, gy):
        raise NotImplementedError("write Softmax.backward")
