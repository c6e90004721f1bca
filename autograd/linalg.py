"""The ``torch.linalg`` namespace: ``import autograd.linalg as linalg``.

The ops themselves (forward, gradients, errors) live in ``ops/matrix.py`` and
``ops/reduce.py``; this module gives them PyTorch's ``linalg`` names and
signatures.
"""
import math

from .function import ShapeError
from .ops import matrix, reduce
from .ops.linalg import matmul  # noqa: F401  (torch.linalg.matmul)
from .ops.matrix import LinAlgError, SlogdetResult, cholesky, det, diagonal as _diagonal  # noqa: F401
from .ops.matrix import lu, lu_factor, qr, solve_triangular  # noqa: F401

__all__ = ["LinAlgError", "cholesky", "det", "diagonal", "inv", "matmul", "matrix_norm", "norm",
           "slogdet", "solve_triangular", "vector_norm"]


def inv(A):
    """The inverse of each square matrix in A (..., n, n)."""
    return matrix.inverse(A)


def slogdet(A):
    """A named tuple (sign, logabsdet) with det A = sign * exp(logabsdet)."""
    return matrix.slogdet(A)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (torch.linalg.diagonal: dims -2, -1 by default)."""
    return _diagonal(A, offset, dim1, dim2)


def vector_norm(x, ord=2, dim=None, keepdim=False):
    """(sum |x|^ord)^(1/ord) over ``dim`` (all elements when None); ord may be a
    positive number or inf."""
    if not (ord == math.inf or (isinstance(ord, (int, float)) and ord > 0)):
        raise ValueError(f"vector_norm: only a positive ord or inf is supported, got ord={ord!r}")
    return reduce.norm(x, ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False):
    """The Frobenius norm of each matrix (the only ``ord`` supported here)."""
    if ord != "fro":
        raise NotImplementedError(f"matrix_norm: only ord='fro' is supported, got ord={ord!r}")
    if A.ndim < 2:
        raise ShapeError(f"matrix_norm: expected a matrix (..., m, n), got shape {tuple(A.shape)}")
    return reduce.norm(A, 2, tuple(dim), keepdim)


def norm(A, ord=None, dim=None, keepdim=False):
    """As ``torch.linalg.norm``: with ord None, the 2-norm of A flattened (or over
    ``dim``); 'fro' for matrices; a number for vectors (1-D A or one ``dim``)."""
    if ord is None:
        return reduce.norm(A, 2, dim, keepdim)
    if ord == "fro":
        return matrix_norm(A, "fro", (-2, -1) if dim is None else dim, keepdim)
    if isinstance(dim, int) or (dim is None and A.ndim == 1):
        return vector_norm(A, ord, dim, keepdim)
    raise NotImplementedError(f"norm: ord={ord!r} is supported for vectors only (a 1-D tensor or "
                              f"an int dim), got shape {tuple(A.shape)} and dim={dim!r}")
