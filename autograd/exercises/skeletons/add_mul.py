"""Exercise add_mul: broadcasting addition and multiplication.

Math.  For c = a + b and c = a * b, elementwise:

    dc/da = 1,  dc/db = 1           (add)
    dc/da = b,  dc/db = a           (mul)

so with the incoming gradient gc = dL/dc:  ga = gc (add), ga = gc * b (mul).

Broadcasting.  If a has shape (3, 1) and b has shape (4,), then c has shape
(3, 4): each a[i, 0] was used 4 times and each b[j] 3 times.  A value used k
times receives the sum of its k gradients, so each gradient must be summed
back to its input's shape.  ``sum_to(g, shape)`` does exactly that.

Your task: write ``backward`` for Add and Mul.  It receives gc (a Tensor) and
returns (ga, gb), Tensors of the shapes of a and b.  ``self.inputs`` holds
(a, b) as Tensors.  Write it with Tensor ops (*, +, sum_to): then the backward
pass is itself differentiable.

Hint: compute the full-size gradient first (shape of c), then sum_to(it, a.shape).
"""
from autograd import Function
from autograd.ops.shape import sum_to  # noqa: F401  (you will need it)


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, gc):
        a, b = self.inputs
        raise NotImplementedError("write Add.backward")


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, gc):
        a, b = self.inputs
        raise NotImplementedError("write Mul.backward")
