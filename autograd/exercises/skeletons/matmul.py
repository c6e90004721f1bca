"""Exercise matmul: the matrix product, to second order.

Math.  C = A B with A (n, k), B (k, m), C (n, m):  C[i, j] = sum_p A[i, p] B[p, j].

    dL/dA[i, p] = sum_j dL/dC[i, j] B[p, j]   ->  gA = gC B^T     (n, m)(m, k)
    dL/dB[p, j] = sum_i A[i, p] dL/dC[i, j]   ->  gB = A^T gC     (k, n)(n, m)

Check the shapes: gA must be (n, k) like A, gB (k, m) like B.

Your task: write ``MatMul.backward``.  Tensor ops you may use: ``x @ y``
(matmul) and ``x.T`` (transpose).  Second derivatives are checked too.

Hint: if you are unsure of the order, write down the shapes: only one order
of the three factors' shapes fits.
"""
from autograd import Function


class MatMul(Function):
    def forward(self, a, b):
        return a @ b

    def backward(self, gc):
        a, b = self.inputs
        raise NotImplementedError("write MatMul.backward")
