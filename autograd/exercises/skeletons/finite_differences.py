"""Exercise finite_differences: the numeric side of a gradient check.

``autograd.gradcheck`` compares what backward computes with an estimate made
from values of f alone.  For f from R^d to R^n with Jacobian J (n rows, d
columns) and an upstream gradient v (n numbers), backward computes the product
v J (d numbers): the derivative of the number v . f(x) along each x_k.

The question.  How do you estimate the derivative of v . f along x_k from values
of f at points near x, with an error that shrinks as eps^2 and not only as eps?
(Taylor: f(x + h) = f(x) + h f'(x) + h^2 f''(x) / 2 + h^3 f'''(x) / 6 + ...)

Your task: write ``numeric_vjp(f, x, v, eps)``:

    f    a function of a 1-D float64 array (x's size) to a 1-D float64 array
    x    the point, a 1-D float64 array (do not change it)
    v    an (m, n) array: m upstream gradients, one per row
    returns an (m, x.size) array whose row r is v[r] J

gradcheck calls it with the identity stacked on random rows (it then reads J
itself from the first n rows), so every row counts.  ``check`` plugs yours into
gradcheck and runs the engine's gradient-check tests with it.
"""
import numpy  # noqa: F401


def numeric_vjp(f, x, v, eps):
    raise NotImplementedError("write numeric_vjp")
