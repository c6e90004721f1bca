"""Matrix functions: inverse, log-determinant, Cholesky factor, triangular solve,
and the diagonal and triangle helpers their gradients are written with.

Batched like PyTorch: a tensor of shape (..., n, n) is a stack of matrices and
each op works on every one of them; ``solve_triangular`` also broadcasts the
batch dims of its two operands.  Below, ^T swaps the last two dims.

The gradients follow from the differentials (M. Giles, "An extended collection
of matrix derivative results for forward and reverse mode automatic
differentiation", 2008; I. Murray, "Differentiation of the Cholesky
decomposition", 2016):

  Y = A^-1        dY = -Y dA Y                      gA = -Y^T gY Y^T
  l = log|det A|  dl = trace(A^-1 dA)               gA = g A^-T
  A = L L^T       L^-1 dL = Phi(L^-1 dA L^-T)        gA = L^-T Phi(L^T gL) L^-1, symmetrised
  X = A^-1 B      dX = A^-1 (dB - dA X)             gB = A^-T gX,  gA = -gB X^T on A's triangle

where Phi keeps the lower triangle of a matrix and halves its diagonal.  Every
backward is written with these same differentiable ops, so second derivatives
need no extra code.

The forwards call NumPy's (or CuPy's) LAPACK routines.  There is no batched
triangular solver in NumPy, so ``solve_triangular`` hands the triangle (the
other half zeroed) to the general solver: the same answer, at LU's cost.
"""
import collections

import numpy

from .. import backend
from ..function import Function, ShapeError
from ..grad_mode import is_grad_enabled, should_check_values
from ..tensor import Tensor
from . import reduce
from .elementwise import exp, where
from .shape import diag, normalize_dim, permute, sum_to, transpose, unsqueeze


class LinAlgError(RuntimeError):
    """A matrix the op cannot work with: singular for ``inverse``, not positive-definite
    for ``cholesky`` (PyTorch's ``torch.linalg.LinAlgError``)."""


def _swap_last_two(t):
    return transpose(t, -2, -1)


# ----------------------------------------------------------------------------
# Checks shared by the ops
# ----------------------------------------------------------------------------
def _check_square(op, a, what="a square matrix"):
    """``a`` must be a float tensor of shape (..., n, n)."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{op}: expected {what} (..., n, n), got shape {tuple(a.shape)}")
    if a.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point tensor, got dtype {a.dtype}")


def _where_in_batch(shape, index):
    """'the matrix' for a single matrix, 'the matrix at batch index (i, j)' in a batch."""
    return "the matrix" if len(shape) == 2 else f"the matrix at batch index {tuple(int(i) for i in index)}"


def _factorize(op, routine, a, failure, other_inputs=()):
    """``routine(a)`` (an ``xp.linalg`` function applied to a batch of matrices), raising
    LinAlgError that names the first matrix it fails on and says ``failure``."""
    xp = backend.get_array_module(a)
    try:
        result = routine(a)
    except numpy.linalg.LinAlgError:   # NumPy stops at the first bad matrix
        index = _first_rejected(routine, a)
    else:
        if xp is numpy or not _failed_on_gpu(result, (a,) + tuple(other_inputs)):
            return result
        bad = ~xp.isfinite(result).all(axis=(-2, -1))
        index = numpy.argwhere(backend.to_numpy(bad).reshape(a.shape[:-2]))[0]
    raise LinAlgError(f"{op}: {_where_in_batch(a.shape, index)} {failure}")


def _failed_on_gpu(result, inputs):
    """CuPy does not raise on a bad matrix: it leaves NaN or inf in the result of finite
    inputs.  Looked for only where reading values is allowed (``should_check_values``)."""
    xp = backend.get_array_module(result)
    return (should_check_values(result) and not bool(xp.isfinite(result).all())
            and all(bool(xp.isfinite(x).all()) for x in inputs))


def _first_rejected(routine, a):
    """The batch index of the first matrix that ``routine`` raises on (NumPy only)."""
    for index in numpy.ndindex(*a.shape[:-2]):
        try:
            routine(a[index])
        except numpy.linalg.LinAlgError:
            return index
    return ()


# ----------------------------------------------------------------------------
# Triangles, diagonals and the trace
# ----------------------------------------------------------------------------
def _triangle_mask(xp, shape, upper, diagonal=0):
    """A boolean (rows, cols) mask of the lower (or upper) triangle from ``diagonal`` on."""
    ones = xp.ones(shape[-2:], dtype=bool)
    return xp.triu(ones, diagonal) if upper else xp.tril(ones, diagonal)


def tril(x, diagonal=0):
    """The lower triangle of each matrix (entries j <= i + diagonal), the rest zero."""
    if x.ndim < 2:
        raise ShapeError(f"tril: expected a matrix (..., m, n), got shape {tuple(x.shape)}")
    mask = _triangle_mask(backend.get_array_module(x.array), x.shape, False, diagonal)
    return where(mask, x, 0.0)


def triu(x, diagonal=0):
    """The upper triangle of each matrix (entries j >= i + diagonal), the rest zero."""
    if x.ndim < 2:
        raise ShapeError(f"triu: expected a matrix (..., m, n), got shape {tuple(x.shape)}")
    mask = _triangle_mask(backend.get_array_module(x.array), x.shape, True, diagonal)
    return where(mask, x, 0.0)


def _diagonal_positions(xp, length, offset):
    """Row and column indices of the ``length`` entries of diagonal ``offset``."""
    steps = xp.arange(length)
    return steps + max(-offset, 0), steps + max(offset, 0)


class Diagonal(Function):
    """The diagonal ``offset`` of each matrix in the last two dims, as a vector (a copy)."""
    saved_inputs, saves_outputs = (), False

    def __init__(self, offset):
        self.offset = offset

    def forward(self, x):
        self.input_shape = x.shape
        return backend.get_array_module(x).diagonal(x, self.offset, -2, -1).copy()

    def backward(self, gy):
        return DiagonalScatter(self.offset, self.input_shape)(gy)


class DiagonalScatter(Function):
    """Vectors written onto diagonal ``offset`` of zero matrices of ``shape``: the
    adjoint of ``Diagonal``, and ``diag_embed``."""
    saved_inputs, saves_outputs = (), False

    def __init__(self, offset, shape):
        self.offset, self.shape = offset, shape

    def forward(self, v):
        xp = backend.get_array_module(v)
        out = xp.zeros(self.shape, dtype=v.dtype)
        rows, cols = _diagonal_positions(xp, v.shape[-1], self.offset)
        out[..., rows, cols] = v
        return out

    def backward(self, gy):
        return Diagonal(self.offset)(gy)


def diagonal(x, offset=0, dim1=0, dim2=1):
    """The diagonal of the matrices spanned by dims ``dim1`` and ``dim2``, put last
    (``torch.diagonal``; ``diagonal(A, dim1=-2, dim2=-1)`` for a batch)."""
    if x.ndim < 2:
        raise ShapeError(f"diagonal: expected at least 2 dims, got shape {tuple(x.shape)}")
    d1, d2 = normalize_dim(dim1, x.ndim, "diagonal"), normalize_dim(dim2, x.ndim, "diagonal")
    if d1 == d2:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, both are {dim1}")
    rest = [d for d in range(x.ndim) if d not in (d1, d2)]
    return Diagonal(int(offset))(permute(x, rest + [d1, d2]))


def diag_embed(v, offset=0):
    """Square matrices with the vectors in v's last dim on diagonal ``offset``, zero elsewhere."""
    if v.ndim < 1:
        raise ShapeError("diag_embed: expected at least 1 dim, got a 0-d tensor")
    n = v.shape[-1] + abs(int(offset))
    return DiagonalScatter(int(offset), v.shape[:-1] + (n, n))(v)


def trace(x):
    """The sum of the main diagonal of a 2-D tensor."""
    if x.ndim != 2:
        raise ShapeError(f"trace: expected a 2-D tensor (a matrix), got shape {tuple(x.shape)}")
    return reduce.sum(diag(x))


# ----------------------------------------------------------------------------
# Inverse and determinants
# ----------------------------------------------------------------------------
class Inverse(Function):
    """Y = A^-1 for each matrix; gA = -Y^T gY Y^T."""
    saved_inputs, saves_outputs = (), True   # backward reads Y, the output, only

    def forward(self, a):
        xp = backend.get_array_module(a)
        return _factorize("inverse", xp.linalg.inv, a, "is singular, so it has no inverse")

    def backward(self, gy):
        y_t = _swap_last_two(self.saved_output())
        return -(y_t @ gy @ y_t)


class Slogdet(Function):
    """(sign(det A), log|det A|) for each matrix; gA = g A^-T for the log.  The sign is
    piecewise constant: as in PyTorch it is an output of the node (it requires grad
    when A does) whose gradient is zero, so backward ignores it."""
    saves_outputs = False

    def forward(self, a):
        xp = backend.get_array_module(a)
        sign, logabsdet = xp.linalg.slogdet(a)
        return xp.asarray(sign), xp.asarray(logabsdet)

    def backward(self, g_sign, g_logabsdet):
        if g_logabsdet is None:
            return None
        a = self.inputs[0]
        return unsqueeze(unsqueeze(g_logabsdet, -1), -1) * _swap_last_two(inverse(a))


def inverse(a):
    """The inverse of each square matrix in ``a`` (..., n, n) (``torch.inverse``)."""
    _check_square("inverse", a)
    return Inverse()(a)


SlogdetResult = collections.namedtuple("slogdet", ["sign", "logabsdet"])


def slogdet(a):
    """(sign, logabsdet) with det A = sign * exp(logabsdet), for each matrix.  The
    sign (-1, 0 or 1) has gradient zero."""
    _check_square("slogdet", a)
    return SlogdetResult(*Slogdet()(a))


def logdet(a):
    """log det A for each matrix: NaN where det A < 0, -inf where it is 0 (``torch.logdet``)."""
    sign, logabsdet = slogdet(a)
    xp = backend.get_array_module(sign.array)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        log_sign = xp.log(sign.array)   # 0 for +1, NaN for -1, -inf for 0: a constant
    return logabsdet + Tensor(log_sign)


def det(a):
    """det A for each matrix, as sign * exp(log|det A|); gA = det(A) A^-T for an
    invertible A (a singular A has log|det A| = -inf, and gets no useful gradient)."""
    sign, logabsdet = slogdet(a)
    return sign * exp(logabsdet)


# ----------------------------------------------------------------------------
# Cholesky factor
# ----------------------------------------------------------------------------
def _lower_with_half_diagonal(x):
    """Phi(x): the lower triangle of each matrix with its diagonal halved."""
    xp = backend.get_array_module(x.array)
    n = x.shape[-1]
    weights = xp.tril(xp.ones((n, n), dtype=x.dtype)) - xp.eye(n, dtype=x.dtype) / 2
    return x * Tensor(weights)


class Cholesky(Function):
    """The lower-triangular L with L L^T = A, for a symmetric positive-definite A.

    Only A's lower triangle is read.  Because A is symmetric, its gradient is
    given as a symmetric matrix, L^-T Phi(L^T gL) L^-1 made symmetric (the
    gradient for symmetric changes of A), as PyTorch does."""
    saved_inputs, saves_outputs = (), True   # backward reads L, the output

    def forward(self, a):
        xp = backend.get_array_module(a)
        return _factorize("cholesky", xp.linalg.cholesky, a, "is not positive-definite")

    def backward(self, gl):
        factor = self.saved_output()
        factor_t = _swap_last_two(factor)
        # gL's upper triangle belongs to entries of L that are always zero: ignore it
        middle = _lower_with_half_diagonal(factor_t @ tril(gl))
        # L^-T middle L^-1, as two triangular solves
        s = solve_triangular(factor_t, middle, upper=True)
        s = solve_triangular(factor, s, upper=False, left=False)
        return (s + _swap_last_two(s)) * 0.5


def cholesky(a, upper=False):
    """L lower-triangular with A = L L^T (or U = L^T with A = U^T U if ``upper``)."""
    _check_square("cholesky", a, "a symmetric positive-definite matrix")
    factor = Cholesky()(a)
    return _swap_last_two(factor) if upper else factor


# ----------------------------------------------------------------------------
# Triangular solve
# ----------------------------------------------------------------------------
class SolveTriangular(Function):
    """X = A^-1 B for triangular A (lower, or upper with ``upper``); batch dims broadcast.

    Only A's triangle is read; with ``unitriangular`` its diagonal is taken as
    ones and not read either, so those entries get no gradient."""
    saved_inputs, saves_outputs = (0,), True   # backward reads A and X

    def __init__(self, upper, unitriangular):
        self.upper, self.unitriangular = upper, unitriangular

    def forward(self, a, b):
        xp = backend.get_array_module(a)
        triangle = xp.where(_triangle_mask(xp, a.shape, self.upper, self._first_diagonal()), a, 0)
        if self.unitriangular:
            triangle = triangle + xp.eye(a.shape[-1], dtype=a.dtype)
        batch = numpy.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        triangle = xp.broadcast_to(triangle, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        return _factorize("solve_triangular", lambda m: xp.linalg.solve(m, b), triangle,
                          "is singular (a zero on its diagonal)", other_inputs=(b,))

    def _first_diagonal(self):
        """The diagonal the triangle starts from: 0, or +-1 when the diagonal is not read."""
        if not self.unitriangular:
            return 0
        return 1 if self.upper else -1

    def backward_for(self, wanted, gx):
        a, b = self.inputs
        x = self.saved_output()
        # gB = A^-T gX: A^T is triangular the other way round
        gb = solve_triangular(_swap_last_two(a), gx, upper=not self.upper,
                              unitriangular=self.unitriangular)
        ga = None
        if wanted[0]:
            full = -(gb @ _swap_last_two(x))
            start = self._first_diagonal()
            ga = sum_to(triu(full, start) if self.upper else tril(full, start), a.shape)
        return ga, (sum_to(gb, b.shape) if wanted[1] else None)

    def explain_error(self, arrays, err):
        a, b = arrays
        return (f"solve_triangular: the batch dims of A {tuple(a.shape)} and B {tuple(b.shape)} "
                "cannot be broadcast together")


def solve_triangular(a, b, *, upper, left=True, unitriangular=False):
    """X with A X = B (``left``) or X A = B (not ``left``), A triangular
    (``torch.linalg.solve_triangular``).  A is (..., n, n); B is (..., n, k) when
    ``left``, (..., k, n) otherwise; batch dims broadcast."""
    _check_square("solve_triangular", a, "a triangular matrix A")
    if b.ndim < 2:
        raise ShapeError(f"solve_triangular: expected B to be a matrix (..., n, k), got shape "
                         f"{tuple(b.shape)}")
    n, b_side = a.shape[-1], (b.shape[-2] if left else b.shape[-1])
    if b_side != n:
        where_n = "rows (dim -2)" if left else "columns (dim -1)"
        raise ShapeError(f"solve_triangular: A of shape {tuple(a.shape)} needs B with {n} "
                         f"{where_n}, got B of shape {tuple(b.shape)}")
    if b.dtype != a.dtype:
        raise TypeError(f"solve_triangular: A and B must have the same dtype, got {a.dtype} "
                        f"and {b.dtype}")
    if left:
        return SolveTriangular(bool(upper), bool(unitriangular))(a, b)
    # X A = B  <=>  A^T X^T = B^T, and A^T is triangular the other way round
    x_t = SolveTriangular(not upper, bool(unitriangular))(_swap_last_two(a), _swap_last_two(b))
    return _swap_last_two(x_t)


# ----------------------------------------------------------------------------
# Factorisations used to build weights (Glow's LU-decomposed 1x1 convolution, an
# orthogonal initialisation): values only, no gradient through them
# ----------------------------------------------------------------------------
def _constant_factorisation(op, a):
    if a.requires_grad and is_grad_enabled():
        raise NotImplementedError(f"{op}: gradients through this factorisation are not implemented; "
                                  "compute it under no_grad(), or from a tensor that needs none")
    _check_square(op, a) if op.startswith("lu") else None


def lu_factor(a, *, pivot=True):
    """(LU, pivots) of square matrices (..., n, n) by Gaussian elimination with partial
    pivoting, as PyTorch packs them: L's entries below the diagonal (its unit diagonal
    implied) and U on and above it in one matrix; pivots 1-based, int32: row k was
    swapped with row pivots[k] - 1 at step k."""
    if not pivot:
        raise NotImplementedError("lu_factor: pivot=False is not implemented")
    _constant_factorisation("lu_factor", a)
    xp = backend.get_array_module(a.array)
    n = a.shape[-1]
    work = a.array.reshape((-1, n, n)).astype(numpy.result_type(a.dtype, numpy.float32), copy=True)
    pivots = xp.zeros(work.shape[:1] + (n,), dtype=numpy.int32)
    for matrix in range(work.shape[0]):
        m = work[matrix]
        for k in range(n):
            p = k + int(xp.argmax(xp.abs(m[k:, k])))
            pivots[matrix, k] = p + 1
            if p != k:
                m[[k, p]] = m[[p, k]]
            if m[k, k] != 0:
                m[k + 1:, k] /= m[k, k]
                m[k + 1:, k + 1:] -= xp.outer(m[k + 1:, k], m[k, k + 1:])
    return Tensor(work.reshape(a.shape)), Tensor(pivots.reshape(a.shape[:-1]))


def lu_unpack(lu, pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) with A = P @ L @ U from ``lu_factor``'s packed form."""
    xp = backend.get_array_module(lu.array)
    n = lu.shape[-1]
    lower = tril(lu, -1) + Tensor(xp.eye(n, dtype=lu.dtype))
    upper = triu(lu)
    order = xp.tile(xp.arange(n), pivots.shape[:-1] + (1,)).reshape(-1, n)
    swaps = pivots.array.reshape(-1, n).astype(int) - 1
    for row in range(order.shape[0]):
        for k in range(n):
            p = swaps[row, k]
            order[row, [k, p]] = order[row, [p, k]]
    # the swaps put row order[i] of A at row i of L U, so P (A = P L U) has P[order[i], i] = 1
    permutation = xp.zeros(order.shape + (n,), dtype=lu.dtype)
    permutation[xp.arange(order.shape[0])[:, None], order, xp.arange(n)[None, :]] = 1
    return Tensor(permutation.reshape(lu.shape)), lower, upper


def lu(a, *, pivot=True):
    """torch.linalg.lu: (P, L, U) with A = P @ L @ U."""
    return lu_unpack(*lu_factor(a, pivot=pivot))


def qr(a, mode="reduced"):
    """(Q, R) with A = Q R, Q's columns orthonormal and R upper triangular."""
    _constant_factorisation("qr", a)
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    xp = backend.get_array_module(a.array)
    q, r = xp.linalg.qr(a.array, mode=mode)
    return QRResult(Tensor(q), Tensor(r))


QRResult = collections.namedtuple("QRResult", ["Q", "R"])
