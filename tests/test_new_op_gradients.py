"""The ops added for PyTorch programs (issue [1 of 7]): gradients and second
derivatives against finite differences, over hypothesis-drawn shapes and values.

Values are drawn away from each op's kinks (rounding steps, zero for the
products' division form) except where the op's exact formula is the point
(cumprod through zeros).
"""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd.nn import functional as F
from strategies import ANY, POSITIVE, arrays, shapes
from test_op_gradients import check_first_and_second_derivatives, check_gradients, leaf

MATRIX_SHAPES = shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)


def one_dim(ndim):
    return st.integers(-ndim, ndim - 1)


SMOOTH_ELEMENTWISE = {
    "sin": autograd.sin, "cos": autograd.cos, "erf": autograd.erf, "expm1": autograd.expm1,
    "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "logsigmoid": F.logsigmoid,
}


@pytest.mark.parametrize("name", sorted(SMOOTH_ELEMENTWISE))
@given(data=st.data())
def test_smooth_elementwise(name, data):
    x = data.draw(arrays(data.draw(shapes()), ANY))
    check_first_and_second_derivatives(SMOOTH_ELEMENTWISE[name], leaf(x))


@given(data=st.data())
def test_cumsum(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1)), ANY))
    dim = data.draw(one_dim(x.ndim))
    check_first_and_second_derivatives(lambda t: autograd.cumsum(t, dim), leaf(x))


@given(data=st.data())
def test_cumprod_and_prod_including_zeros(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1)), ANY))
    x = numpy.where(numpy.abs(x) < 0.1, 0.1, x)   # exact zeros or not tiny: x / x would lose digits
    zeros = data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size))
    x = numpy.where(numpy.array(zeros).reshape(x.shape), 0.0, x)
    dim = data.draw(one_dim(x.ndim))
    check_first_and_second_derivatives(lambda t: autograd.cumprod(t, dim), leaf(x))
    check_first_and_second_derivatives(lambda t: t.prod(dim), leaf(x))
    check_gradients(autograd.prod, leaf(x))


@given(data=st.data())
def test_flip_roll_movedim(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1)), ANY))
    dims = data.draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True))
    shift = data.draw(st.integers(-5, 5))
    check_first_and_second_derivatives(lambda t: autograd.flip(t, dims), leaf(x))
    check_first_and_second_derivatives(lambda t: autograd.roll(t, shift, dims[0]), leaf(x))
    check_first_and_second_derivatives(lambda t: autograd.movedim(t, dims[0], -1), leaf(x))


@given(data=st.data())
def test_diag_and_triangles(data):
    side = data.draw(st.integers(1, 4))
    offset = data.draw(st.integers(-side, side))
    vector = data.draw(arrays((side,), ANY))
    matrix = data.draw(arrays(data.draw(MATRIX_SHAPES), ANY))
    check_first_and_second_derivatives(lambda t: autograd.diag(t, offset), leaf(vector))
    if matrix.ndim == 2:
        check_first_and_second_derivatives(lambda t: autograd.diag(t, offset), leaf(matrix))
    check_first_and_second_derivatives(lambda t: autograd.triu(t, offset), leaf(matrix))
    check_first_and_second_derivatives(lambda t: autograd.tril(t, offset), leaf(matrix))


@given(data=st.data())
def test_gather_and_index_select_with_repeats(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1)), ANY))
    dim = data.draw(st.integers(0, x.ndim - 1))
    index_shape = tuple(data.draw(st.integers(1, 3)) if d == dim else
                        data.draw(st.integers(1, s)) for d, s in enumerate(x.shape))
    index = data.draw(arrays(index_shape, st.integers(0, x.shape[dim] - 1)).map(
        lambda a: a.astype(numpy.int64)))
    check_first_and_second_derivatives(lambda t: autograd.gather(t, dim, autograd.tensor(index)), leaf(x))
    picks = autograd.tensor(index.reshape(-1)[:4])
    check_first_and_second_derivatives(lambda t: autograd.index_select(t, dim, picks), leaf(x))


@given(data=st.data())
def test_sort_and_topk(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1)), ANY))
    # no ties (a tie is a kink of sort): the drawn order, ties broken by position, as
    # values 0.1 apart; adding arange * 1e-3 made ties of its own (0.003 + 0 = 0 + 0.003)
    ranks = numpy.argsort(numpy.argsort(x, axis=None, kind="stable"), kind="stable").reshape(x.shape)
    x = ranks * 0.1 - 0.05 * x.size
    dim = data.draw(st.integers(0, x.ndim - 1))
    k = data.draw(st.integers(0, x.shape[dim]))
    check_gradients(lambda t: autograd.sort(t, dim, descending=True).values, leaf(x))
    check_gradients(lambda t: autograd.topk(t, k, dim).values, leaf(x))


EINSUMS = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
           ("ij->", [(3, 4)]), ("ij->ji", [(2, 3)]), ("i,j->ij", [(3,), (2,)]),
           ("ij,ij->i", [(2, 3), (2, 3)]), ("...i,...i->...", [(2, 3, 4), (3, 4)]),
           ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)])]


@pytest.mark.parametrize("equation, input_shapes", EINSUMS)
@settings(max_examples=5)
@given(data=st.data())
def test_einsum(equation, input_shapes, data):
    values = [data.draw(arrays(shape, ANY)) for shape in input_shapes]
    if equation.startswith("..."):
        values[1] = numpy.broadcast_to(values[1], (2, 3, 4)).copy()   # same batch dims
    check_first_and_second_derivatives(lambda *ts: autograd.einsum(equation, *ts),
                                       *[leaf(v) for v in values])


@given(data=st.data())
def test_normalize_and_cosine_similarity(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=2)), POSITIVE))
    y = data.draw(arrays(x.shape, POSITIVE))
    check_first_and_second_derivatives(lambda t: F.normalize(t, dim=1), leaf(x))
    check_gradients(lambda a, b: F.cosine_similarity(a, b), leaf(x), leaf(y))


@given(data=st.data())
def test_smooth_l1_and_huber(data):
    x = data.draw(arrays(data.draw(shapes()), ANY))
    target = data.draw(arrays(x.shape, ANY))
    far = numpy.abs(numpy.abs(x - target) - 0.5) > 0.05   # away from the switch at |d| = beta
    x = numpy.where(far, x, x + 0.2)
    check_gradients(lambda t: F.smooth_l1_loss(t, autograd.tensor(target), beta=0.5), leaf(x))
    check_gradients(lambda t: F.huber_loss(t, autograd.tensor(target), delta=0.5), leaf(x))


@given(data=st.data())
def test_index_put_reaches_the_value_and_the_rest_of_the_base(data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1, min_side=2)), ANY))
    stop = data.draw(st.integers(1, x.shape[0]))
    value = data.draw(arrays((stop,) + x.shape[1:], ANY))

    def assign(base, v):
        out = base * 1
        out[:stop] = v * 2
        return out * out

    check_first_and_second_derivatives(assign, leaf(x), leaf(value))


def test_rounding_has_a_zero_gradient():
    x = leaf([0.3, 1.7, -2.4])
    for fn in (autograd.floor, autograd.ceil, autograd.round, autograd.trunc):
        assert not fn(x).requires_grad
    (autograd.remainder(x, 1.0).sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
