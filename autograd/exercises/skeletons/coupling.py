"""Exercise coupling: the log-determinant of an affine coupling layer.

Math (Dinh et al. 2017, RealNVP).  Split x into halves x1, x2.  An affine
coupling layer keeps x1 and transforms x2 with a scale and shift computed from x1:

    y1 = x1,   y2 = x2 * exp(s(x1)) + t(x1)

Its Jacobian dy/dx is triangular, with 1 for each y1 and exp(s_j) for each y2_j
on the diagonal, so its log-determinant is just

    log |det dy/dx| = sum_j s_j(x1)

Here the scale network is one tanh layer:  s = tanh(a),  a = x1 @ W + b, with
x1 (N, D), W (D, D), b (D,).  The log-determinant, one per sample, is
ld = s.sum(1), of shape (N,).  Backward, with gld of shape (N,):

    gs = gld.reshape(N, 1)   (the same for every j)
    ga = gs * (1 - s^2)      (tanh' = 1 - tanh^2)
    gx1 = ga @ W^T,   gW = x1^T @ ga,   gb = sum over n of ga

Your task: write ``CouplingLogDet.backward`` returning (gx1, gW, gb) with
Tensor ops.  forward saves s as the array ``self.s``; use Tensor(self.s).
(The flow's log-likelihood log p(x) = log p(y) + sum of these log-determinants
is what this gradient trains.)

Hint: the bias was broadcast over the batch, so its gradient sums over it.
"""
from autograd import Function, Tensor, get_array_module  # noqa: F401


class CouplingLogDet(Function):
    def forward(self, x1, w, b):
        xp = get_array_module(x1)
        self.s = xp.tanh(x1 @ w + b)
        return self.s.sum(axis=1)

    def backward(self, gld):
        x1, w, b = self.inputs
        raise NotImplementedError("write CouplingLogDet.backward")
