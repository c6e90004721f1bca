"""Exercise matmul: the matrix product, to second order.

Forward.  C = A B with A (n, k), B (k, m), C (n, m):  C[i, j] = sum_p A[i, p] B[p, j].

The question.  Given gC = dL/dC (n, m), what are dL/dA (n, k) and dL/dB (k, m)?
Write dL/dA[i, p] as a sum over the elements of C that A[i, p] reaches, then
recognise the sum as a matrix product.  The shapes allow only one answer.

Your task: write ``MatMul.backward``.  Tensor ops you may use: ``x @ y`` and
``x.T`` (transpose).  Second derivatives are checked too.
"""
from autograd import Function


class MatMul(Function):
    def forward(self, a, b):
        return a @ b

    def backward(self, gc):
        a, b = self.inputs
        raise NotImplementedError("write MatMul.backward")
