"""Exercise coupling: the log-determinant of an affine coupling layer.

Forward (Dinh et al. 2017, RealNVP).  Split x into halves x1, x2.  An affine
coupling layer keeps x1 and transforms x2 with a scale and shift from x1:

    y1 = x1,   y2 = x2 * exp(s(x1)) + t(x1)

Its Jacobian dy/dx is triangular, with 1 for each y1 and exp(s_j) for each y2_j
on the diagonal, so its log-determinant is sum_j s_j(x1).  Here the scale
network is one tanh layer:

    a = x1 @ W + b,   s = tanh(a),   ld = s.sum(1)      (one per sample, shape (N,))

with x1 (N, D), W (D, D), b (D,).

The question.  Given gld = dL/dld (N,), what are dL/dx1, dL/dW and dL/db?
Go back through the sum, the tanh and the linear layer in turn; b is added to
every sample.

Your task: write ``CouplingLogDet.backward`` returning (gx1, gW, gb) with
Tensor ops.  forward saves s as the array ``self.s``; use Tensor(self.s).
(The flow's log-likelihood log p(x) = log p(y) + the sum of these
log-determinants is what this gradient trains.)
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
