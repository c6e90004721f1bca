"""The matrix ops against PyTorch in float64 (rtol 1e-6): values and gradients of
inverse, det, slogdet, logdet, cholesky, solve_triangular, diagonal, tril/triu,
diag_embed and the linalg norms.

Each case is written once against ``L(m)`` (``autograd.linalg`` or
``torch.linalg``) or ``M(m)`` (``autograd.ops.matrix`` or ``torch`` itself, for
the top-level names).  Matrices are well-conditioned (c I + noise, or
symmetric positive-definite), so both libraries' gradients are accurate.

The whole module is skipped when torch is not installed.
"""
import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import autograd.linalg  # noqa: E402
from autograd.ops import matrix  # noqa: E402

from .helpers import check_both_raise, check_parity  # noqa: E402

RNG = numpy.random.default_rng(7)


def L(m):
    return autograd.linalg if m is autograd else torch.linalg


def M(m):
    return matrix if m is autograd else torch


def near_identity(*shape, diagonal=3.0):
    n = shape[-1]
    return diagonal * numpy.eye(n) + RNG.uniform(-0.5, 0.5, shape)


def spd(*shape):
    n = shape[-1]
    a = RNG.standard_normal(shape)
    return a @ numpy.swapaxes(a, -1, -2) / n + numpy.eye(n)


def case(name, fn, arrays):
    return pytest.param(fn, arrays, id=name)


CASES = [
    case("inv", lambda m, a: L(m).inv(a), [near_identity(3, 3)]),
    case("inv_batch", lambda m, a: L(m).inv(a), [near_identity(2, 4, 3, 3)]),
    case("inverse_top_level", lambda m, a: M(m).inverse(a), [near_identity(2, 3, 3)]),
    case("det", lambda m, a: L(m).det(a), [near_identity(2, 3, 3, diagonal=0.5)]),
    case("det_top_level", lambda m, a: M(m).det(a), [near_identity(4, 4)]),
    case("slogdet", lambda m, a: tuple(L(m).slogdet(a)), [near_identity(3, 3, 3, diagonal=0.2)]),
    case("slogdet_top_level", lambda m, a: tuple(M(m).slogdet(a)), [near_identity(2, 2, diagonal=-1.0)]),
    case("logdet", lambda m, a: M(m).logdet(a), [spd(2, 3, 3)]),
    case("cholesky", lambda m, a: L(m).cholesky(a), [spd(4, 4)]),
    case("cholesky_batch", lambda m, a: L(m).cholesky(a), [spd(2, 3, 3)]),
    case("cholesky_upper", lambda m, a: L(m).cholesky(a, upper=True), [spd(3, 3)]),
    case("cholesky_then_inverse", lambda m, a: L(m).inv(L(m).cholesky(a)), [spd(3, 3)]),
    case("diagonal", lambda m, a: M(m).diagonal(a), [RNG.standard_normal((3, 4))]),
    case("diagonal_offset_dims", lambda m, a: M(m).diagonal(a, 1, 0, 2), [RNG.standard_normal((3, 2, 4))]),
    case("linalg_diagonal", lambda m, a: L(m).diagonal(a, offset=-1), [RNG.standard_normal((2, 3, 3))]),
    case("tril", lambda m, a: M(m).tril(a), [RNG.standard_normal((2, 3, 4))]),
    case("tril_offset", lambda m, a: M(m).tril(a, -1), [RNG.standard_normal((4, 3))]),
    case("triu_offset", lambda m, a: M(m).triu(a, 1), [RNG.standard_normal((2, 3, 3))]),
    case("diag_embed", lambda m, v: M(m).diag_embed(v), [RNG.standard_normal((2, 3))]),
    case("diag_embed_offset", lambda m, v: M(m).diag_embed(v, -1), [RNG.standard_normal((3,))]),
    case("vector_norm", lambda m, x: L(m).vector_norm(x), [RNG.standard_normal((3, 4))]),
    case("vector_norm_ord1_dim", lambda m, x: L(m).vector_norm(x, 1, dim=1), [RNG.standard_normal((3, 4))]),
    case("vector_norm_ord3_keepdim", lambda m, x: L(m).vector_norm(x, 3, dim=0, keepdim=True),
         [RNG.standard_normal((3, 4))]),
    case("matrix_norm", lambda m, x: L(m).matrix_norm(x), [RNG.standard_normal((2, 3, 4))]),
    case("norm_default", lambda m, x: L(m).norm(x), [RNG.standard_normal((3, 4))]),
    case("norm_fro", lambda m, x: L(m).norm(x, "fro"), [RNG.standard_normal((3, 4))]),
    case("norm_vector_ord", lambda m, x: L(m).norm(x, 1), [RNG.standard_normal(5)]),
]


@pytest.mark.parametrize("fn, arrays", CASES)
def test_matrix_op(fn, arrays):
    check_parity(fn, arrays)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_solve_triangular(upper, left, unitriangular):
    a = near_identity(2, 3, 3, diagonal=2.0)      # both triangles are read by nobody but the op
    b = RNG.standard_normal((4, 1, 3, 2) if left else (4, 1, 2, 3))   # batch dims broadcast
    check_parity(lambda m, a, b: L(m).solve_triangular(a, b, upper=upper, left=left,
                                                       unitriangular=unitriangular), [a, b])


def test_cholesky_gradient_of_a_function_of_the_whole_factor():
    # every entry of L, the zero upper ones included, reaches the output
    check_parity(lambda m, a: (L(m).cholesky(a) * L(m).cholesky(a).sum()).exp().sum(), [spd(3, 3)])


def test_second_derivatives_agree():
    """d/dA of <grad of log|det A|, v>: the backward pass itself differentiated."""
    a = near_identity(3, 3)

    def hessian_vector(m, a):
        (g,) = m.autograd.grad(L(m).slogdet(a).logabsdet, [a], create_graph=True)
        y = L(m).cholesky(a @ a.transpose(-2, -1))
        (h,) = m.autograd.grad((y * y.exp()).sum(), [a], create_graph=True)
        return (g * g).sum() + (h * h).sum()

    check_parity(hessian_vector, [a])


@pytest.mark.parametrize("op", ["inv", "cholesky", "det", "slogdet"])
def test_both_refuse_a_non_square_matrix(op):
    check_both_raise(lambda m, a: getattr(L(m), op)(a), [RNG.standard_normal((3, 2))], op, [(3, 2)])


def test_both_refuse_a_matrix_that_is_not_positive_definite():
    check_both_raise(lambda m, a: L(m).cholesky(a), [numpy.array([[1.0, 2.0], [2.0, 1.0]])], "cholesky", [])
