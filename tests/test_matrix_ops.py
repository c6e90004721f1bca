"""The matrix ops of ``autograd/ops/matrix.py``: values against NumPy and the
defining identities, first and second derivatives against finite differences
(on well-conditioned matrices, so that central differences are accurate), the
errors, and what their backward passes read (in-place changes).

Matrices are drawn as c I + small noise (invertible with a bounded condition
number) or M M^T / n + I (symmetric positive-definite), in batches of shape
(), (2,) or (2, 1).
"""
import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import autograd
import autograd.linalg as linalg
from autograd.ops import matrix
from strategies import arrays, floats_between

BATCHES = [(), (2,), (2, 1)]


# ----------------------------------------------------------------------------
# Matrices
# ----------------------------------------------------------------------------
@st.composite
def near_identity(draw, diagonal=3.0, batch=None, n=None):
    """diagonal * I + noise with entries in [-0.5, 0.5]: every row's off-diagonal
    sum stays below the diagonal, so the matrix (and each of its triangles) is
    invertible with a condition number below about 3."""
    batch = draw(st.sampled_from(BATCHES)) if batch is None else batch
    n = draw(st.integers(1, 3)) if n is None else n
    noise = draw(arrays(batch + (n, n), floats_between(-0.5, 0.5)))
    return diagonal * numpy.eye(n) + noise


@st.composite
def positive_definite(draw, batch=None, n=None):
    """M M^T / n + I: symmetric with eigenvalues in [1, 5]."""
    batch = draw(st.sampled_from(BATCHES)) if batch is None else batch
    n = draw(st.integers(1, 3)) if n is None else n
    m = draw(arrays(batch + (n, n), floats_between(-2, 2)))
    return m @ numpy.swapaxes(m, -1, -2) / n + numpy.eye(n)


def f64_tensor(array):
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64))


def leaf(array):
    return autograd.tensor(numpy.asarray(array, dtype=numpy.float64), requires_grad=True)


def symmetric(x):
    """(X + X^T) / 2: cholesky reads one triangle, so finite differences must move
    both triangles together to see the gradient of a function of symmetric matrices."""
    return (x + x.transpose(-2, -1)) * 0.5


def check_both_orders(fn, *inputs):
    for check in (autograd.gradcheck, autograd.gradgradcheck):
        result = check(fn, inputs)
        for pair in result.jacobians:   # NaN would slip through the tolerance test
            assert numpy.isfinite(pair.analytic).all()


# ----------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------
@given(near_identity())
def test_inverse_times_matrix_is_identity(a):
    y = matrix.inverse(autograd.tensor(a))
    assert_allclose(y.numpy() @ a, numpy.broadcast_to(numpy.eye(a.shape[-1]), a.shape), atol=1e-12)


@given(near_identity(diagonal=0.0).filter(lambda a: (abs(numpy.linalg.det(a)) > 1e-3).all()))
def test_slogdet_and_det_match_numpy(a):
    sign, logabsdet = matrix.slogdet(autograd.tensor(a))
    expected_sign, expected_log = numpy.linalg.slogdet(a)
    assert_allclose(sign.numpy(), expected_sign)
    assert_allclose(logabsdet.numpy(), expected_log, rtol=1e-10, atol=1e-12)
    assert_allclose(matrix.det(autograd.tensor(a)).numpy(), numpy.linalg.det(a), rtol=1e-10, atol=1e-12)
    assert_allclose(linalg.det(autograd.tensor(a)).numpy(), numpy.linalg.det(a), rtol=1e-10, atol=1e-12)


def test_slogdet_sign_has_no_gradient_and_logdet_is_nan_for_a_negative_determinant():
    a = leaf([[0.0, 1.0], [1.0, 0.0]])   # det = -1
    sign, logabsdet = linalg.slogdet(a)
    assert sign.item() == -1
    assert autograd.grad(sign.sum(), [a], allow_unused=True) == (None,)   # as in PyTorch
    assert logabsdet.requires_grad and logabsdet.item() == pytest.approx(0.0)
    result = linalg.slogdet(a)   # a named tuple, as torch.linalg.slogdet's
    assert result.sign.item() == -1 and result.logabsdet is result[1]
    assert numpy.isnan(matrix.logdet(a).item())
    assert matrix.logdet(leaf(numpy.diag([2.0, 3.0]))).item() == pytest.approx(numpy.log(6.0))


@given(positive_definite())
def test_cholesky_is_lower_triangular_and_reproduces_the_matrix(a):
    lower = matrix.cholesky(autograd.tensor(a)).numpy()
    assert_allclose(numpy.triu(lower, 1), 0.0)
    assert (numpy.diagonal(lower, 0, -2, -1) > 0).all()
    assert_allclose(lower @ numpy.swapaxes(lower, -1, -2), a, rtol=1e-12, atol=1e-12)
    upper = linalg.cholesky(autograd.tensor(a), upper=True).numpy()
    assert_allclose(upper, numpy.swapaxes(lower, -1, -2))


@given(near_identity(diagonal=2.0), st.booleans(), st.booleans(), st.integers(1, 3), st.data())
def test_solve_triangular_solves_with_the_triangle_only(a, upper, unitriangular, k, data):
    n = a.shape[-1]
    b = data.draw(arrays((2,) * (len(a.shape) > 2) + (n, k)), label="b")
    x = linalg.solve_triangular(autograd.tensor(a), autograd.tensor(b), upper=upper,
                                unitriangular=unitriangular).numpy()
    triangle = numpy.triu(a) if upper else numpy.tril(a)
    if unitriangular:
        triangle = triangle - numpy.diagonal(triangle, 0, -2, -1)[..., None] * numpy.eye(n) + numpy.eye(n)
    assert_allclose(triangle @ x, numpy.broadcast_to(b, x.shape), atol=1e-10)
    # on the right: X A = B
    x_right = linalg.solve_triangular(autograd.tensor(a), autograd.tensor(numpy.swapaxes(b, -1, -2)),
                                      upper=upper, left=False, unitriangular=unitriangular).numpy()
    assert_allclose(x_right @ triangle, numpy.broadcast_to(numpy.swapaxes(b, -1, -2), x_right.shape),
                    atol=1e-10)


def test_solve_triangular_broadcasts_batch_dims():
    a = numpy.tril(numpy.eye(3) * 2 + 0.3)[None]                  # (1, 3, 3)
    b = numpy.arange(24.0).reshape(4, 3, 2)                       # (4, 3, 2)
    x = linalg.solve_triangular(autograd.tensor(a), autograd.tensor(b), upper=False)
    assert x.shape == (4, 3, 2)
    assert_allclose(a @ x.numpy(), b, atol=1e-12)


def test_diagonal_tril_triu_and_diag_embed_match_numpy():
    x = numpy.arange(24.0).reshape(2, 3, 4)
    t = autograd.tensor(x)
    assert_allclose(matrix.diagonal(t, 1, -2, -1).numpy(), numpy.diagonal(x, 1, -2, -1))
    assert_allclose(matrix.diagonal(t, -1, 0, 2).numpy(), numpy.diagonal(x, -1, 0, 2))
    assert_allclose(linalg.diagonal(t).numpy(), numpy.diagonal(x, 0, -2, -1))
    assert_allclose(matrix.tril(t, -1).numpy(), numpy.tril(x, -1))
    assert_allclose(matrix.triu(t, 1).numpy(), numpy.triu(x, 1))
    v = numpy.array([[1.0, 2.0], [3.0, 4.0]])
    embedded = matrix.diag_embed(autograd.tensor(v), 1).numpy()
    assert embedded.shape == (2, 3, 3)
    assert_allclose(embedded[1], numpy.diag([3.0, 4.0], 1))


def test_linalg_norms():
    x = numpy.array([[3.0, -4.0], [1.0, 2.0]])
    t = autograd.tensor(x)
    assert linalg.norm(t).item() == pytest.approx(numpy.linalg.norm(x))
    assert linalg.norm(t, "fro").item() == pytest.approx(numpy.linalg.norm(x, "fro"))
    assert_allclose(linalg.vector_norm(t, 1, dim=1).numpy(), numpy.abs(x).sum(1))
    assert_allclose(linalg.norm(t, numpy.inf, dim=0).numpy(), numpy.abs(x).max(0))
    assert_allclose(linalg.matrix_norm(t).numpy(), numpy.linalg.norm(x))
    with pytest.raises(NotImplementedError, match="ord=2"):
        linalg.norm(t, 2)


# ----------------------------------------------------------------------------
# First and second derivatives
# ----------------------------------------------------------------------------
@given(near_identity())
def test_inverse_derivatives(a):
    check_both_orders(matrix.inverse, leaf(a))


@given(near_identity())
def test_logabsdet_and_det_derivatives(a):
    check_both_orders(lambda x: matrix.slogdet(x).logabsdet, leaf(a))
    check_both_orders(matrix.det, leaf(a))


@given(positive_definite())
def test_cholesky_derivatives(a):
    check_both_orders(lambda x: matrix.cholesky(symmetric(x)), leaf(a))


@given(near_identity(diagonal=2.0), st.booleans(), st.booleans(), st.booleans(), st.data())
def test_solve_triangular_derivatives(a, upper, left, unitriangular, data):
    n = a.shape[-1]
    b_shape = (n, 2) if left else (2, n)
    b = data.draw(arrays(data.draw(st.sampled_from([(), (2,)]), label="b batch") + b_shape), label="b")
    check_both_orders(lambda x, y: linalg.solve_triangular(x, y, upper=upper, left=left,
                                                           unitriangular=unitriangular),
                      leaf(a), leaf(b))


def test_solve_triangular_gives_no_gradient_to_entries_it_does_not_read():
    a, b = leaf(numpy.eye(3) * 2 + 0.5), leaf(numpy.ones((3, 2)))
    linalg.solve_triangular(a, b, upper=False, unitriangular=True).sum().backward()
    assert_allclose(numpy.triu(a.grad.numpy()), 0.0)   # upper triangle and diagonal unread
    assert (numpy.tril(a.grad.numpy(), -1)[numpy.tril_indices(3, -1)] != 0).all()


@given(arrays((2, 3, 3)), st.integers(-1, 1))
def test_diagonal_triangle_and_diag_embed_derivatives(x, offset):
    check_both_orders(lambda t: matrix.diagonal(t, offset, -2, -1), leaf(x))
    check_both_orders(lambda t: matrix.tril(t, offset) * matrix.triu(t, -offset), leaf(x))
    check_both_orders(lambda v: matrix.diag_embed(v * v, offset), leaf(x[0]))


def test_cholesky_gradient_is_symmetric_as_pytorch_gives_it():
    a = leaf(numpy.array([[4.0, 1.0], [1.0, 3.0]]))
    (matrix.cholesky(a) * autograd.tensor(numpy.array([[1.0, 0.0], [2.0, 3.0]]))).sum().backward()
    assert_allclose(a.grad.numpy(), a.grad.numpy().T)


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("op, what", [(matrix.inverse, "square matrix"),
                                      (matrix.slogdet, "square matrix"),
                                      (matrix.det, "square matrix"),
                                      (matrix.cholesky, "symmetric positive-definite matrix")])
def test_a_non_square_input_is_refused_naming_the_op_and_shape(op, what):
    with pytest.raises(ValueError) as info:
        op(autograd.zeros(3, 2, dtype=autograd.float64))
    message = str(info.value)
    assert op.__name__ in message and what in message and "(3, 2)" in message


def test_cholesky_names_the_matrix_that_is_not_positive_definite():
    batch = numpy.stack([numpy.eye(2), numpy.array([[1.0, 2.0], [2.0, 1.0]])])
    expected = r"cholesky: the matrix at batch index \(1,\) is not positive-definite"
    with pytest.raises(matrix.LinAlgError, match=expected):
        matrix.cholesky(autograd.tensor(batch))
    assert linalg.LinAlgError is matrix.LinAlgError and issubclass(linalg.LinAlgError, RuntimeError)


def test_inverse_of_a_singular_matrix_raises():
    with pytest.raises(linalg.LinAlgError, match="inverse: the matrix is singular"):
        linalg.inv(autograd.tensor(numpy.ones((2, 2))))


def test_solve_triangular_checks_shapes_and_keyword():
    a, b = autograd.eye(3, dtype=autograd.float64), autograd.ones(2, 4, dtype=autograd.float64)
    with pytest.raises(ValueError, match=r"solve_triangular: A of shape \(3, 3\) needs B with 3 rows"):
        linalg.solve_triangular(a, b, upper=False)
    with pytest.raises(TypeError):
        linalg.solve_triangular(a, b)   # upper is required, as in PyTorch
    with pytest.raises(ValueError, match="cannot be broadcast"):
        linalg.solve_triangular(f64_tensor(numpy.eye(3) + numpy.zeros((2, 3, 3))),
                                f64_tensor(numpy.ones((4, 3, 1))), upper=False)


# ----------------------------------------------------------------------------
# What backward reads: an in-place change of it in between is refused
# ----------------------------------------------------------------------------
def test_changing_the_inverse_in_place_before_backward_is_refused():
    a = leaf(numpy.eye(2) * 2)
    y = matrix.inverse(a)
    z = y * 1.0
    y.data.add_(0)          # not counted: written through .data
    y.add_(1.0)             # counted: Inverse's backward reads y
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*Inverse"):
        (z.sum() + y.sum()).backward()


def test_changing_the_input_of_cholesky_in_place_is_fine_it_reads_only_its_output():
    base = leaf(numpy.array([[4.0, 1.0], [1.0, 3.0]]))
    a = base * 1.0
    lower = matrix.cholesky(a)
    a.mul_(2.0)
    lower.sum().backward()
    expected = leaf(numpy.array([[4.0, 1.0], [1.0, 3.0]]))
    matrix.cholesky(expected * 1.0).sum().backward()
    assert_allclose(base.grad.numpy(), expected.grad.numpy())


def test_changing_the_triangular_matrix_in_place_before_backward_is_refused():
    base = leaf(numpy.eye(2) * 2)
    a = base * 1.0
    x = linalg.solve_triangular(a, leaf(numpy.ones((2, 1))), upper=True)
    a.add_(1.0)
    with pytest.raises(RuntimeError, match="SolveTriangular"):
        x.sum().backward()
