"""Exercise sum_to: undo broadcasting.

Broadcasting lines two shapes up on the right, adds dims in front of the shorter
one and repeats its size-1 dims: adding b of shape (3, 1) to a of shape
(2, 3, 4) uses each element of b eight times.  In backward, each of those uses
received a gradient of its own.

The question.  Given ``array`` (a gradient, of the broadcast shape) and the
``shape`` it was broadcast from, what array of that shape is the gradient of the
original?  Which dims of ``array`` does each element of the original stand
behind, and what becomes of the several gradients it received?

Your task: write ``sum_to_shape(array, shape)``.  It works on raw arrays (NumPy,
or CuPy: use the array's own methods), and returns an array of exactly ``shape``.
``shape`` always broadcasts to ``array.shape``.  Every broadcasting op's backward
in the engine calls it, so ``check`` runs the engine's gradient tests with yours.
"""


def sum_to_shape(array, shape):
    raise NotImplementedError("write sum_to_shape")
