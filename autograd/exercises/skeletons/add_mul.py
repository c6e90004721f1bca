"""Exercise add_mul: broadcasting addition and multiplication.

Forward.  c = a + b and c = a * b, elementwise, after broadcasting: if a has
shape (3, 1) and b has shape (4,), c has shape (3, 4), and each a[i, 0] is used
in 4 elements of c, each b[j] in 3.

The question.  Given gc = dL/dc (a Tensor of c's shape), what are dL/da and
dL/db?  Work out dc/da and dc/db for one element first; then ask what a value
used k times receives.  Each gradient must come back in its own input's shape.

Your task: write ``backward`` for Add and Mul.  It receives gc and returns
(ga, gb), Tensors of the shapes of a and b.  ``self.inputs`` holds (a, b) as
Tensors; ``sum_to(g, shape)`` (imported below) sums a Tensor down to a shape.
Write it with Tensor ops (*, +, sum_to): then the backward pass is itself
differentiable.  ``python -m autograd.exercises hint add_mul`` helps, one step
at a time.
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
