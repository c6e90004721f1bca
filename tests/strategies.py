"""What the op tests draw from: small shapes, float64 arrays kept away from kinks
and singularities, dims for reductions, and the tables of ops beside their
NumPy references (the idea comes from minitorch: each op is listed once, and the
value tests and the gradient tests both loop over the same list).

Everything is small on purpose. ``gradcheck`` runs one backward pass per output
element and two forward passes per input element, so an input has at most
``MAX_ELEMENTS`` elements.
"""
import dataclasses
import math
from typing import Callable

import numpy
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd

MAX_ELEMENTS = 24   # per input
MAX_SIDE = 4
MAX_DIMS = 3


def size_of(shape):
    return math.prod(shape)


# ----------------------------------------------------------------------------
# Shapes
# ----------------------------------------------------------------------------
def shapes(min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE):
    """A shape with at most MAX_ELEMENTS elements; () is a 0-d tensor."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side).filter(lambda s: size_of(s) <= MAX_ELEMENTS)


@st.composite
def broadcastable_shapes(draw, num_shapes=2):
    """``num_shapes`` shapes that broadcast together, e.g. ((3, 1), (4,)) -> (3, 4).
    Each one keeps some trailing dims of a random result shape and has some sizes set to 1."""
    result = draw(shapes(min_dims=1, min_side=2))  # sizes of 1 come from the inputs below
    inputs = []
    for _ in range(num_shapes):
        trailing = result[draw(st.integers(0, len(result)), label="leading dims dropped"):]
        inputs.append(tuple(draw(st.sampled_from([size, 1])) for size in trailing))
    return tuple(inputs)


def matmul_shapes():
    """Two shapes that np.matmul accepts: 1-D operands (vector @ matrix, matrix @
    vector, vector @ vector) and batch dims that broadcast, e.g. (2, 1, 3, 4) @ (5, 4, 2)."""
    return hnp.mutually_broadcastable_shapes(
        signature=numpy.matmul.signature, max_dims=2, max_side=3,  # "(n?,k),(k,m?)->(n?,m?)"
    ).filter(lambda b: max(size_of(s) for s in (*b.input_shapes, b.result_shape)) <= MAX_ELEMENTS
             ).map(lambda b: b.input_shapes)


@st.composite
def reshape_targets(draw, shape):
    """Another shape with as many elements as ``shape``; sometimes one size is -1 (inferred)."""
    remaining, target = size_of(shape), []
    while remaining > 1:
        factor = draw(st.sampled_from([d for d in range(2, remaining + 1) if remaining % d == 0]))
        target.append(factor)
        remaining //= factor
    target += [1] * draw(st.integers(0, 2))
    target = list(draw(st.permutations(target)))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return tuple(target)


@st.composite
def broadcast_targets(draw, shape, max_elements=2 * MAX_ELEMENTS):
    """A shape that ``shape`` broadcasts to: sizes of 1 grow, new dims appear in front."""
    new_dims = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 2)))]
    grown = [draw(st.integers(1, 3)) if size == 1 else size for size in shape]
    target = tuple(new_dims + grown)
    assume(size_of(target) <= max_elements)
    return target


# ----------------------------------------------------------------------------
# Dims and keepdim for reductions
# ----------------------------------------------------------------------------
@st.composite
def one_dim(draw, ndim):
    """One dim of an ndim-dim tensor, as PyTorch accepts it: 0..ndim-1 or -ndim..-1."""
    return draw(st.integers(-ndim, ndim - 1))


@st.composite
def dim_arguments(draw, ndim, allow_none=True):
    """A `dim` argument: None (all dims), one int, or a tuple of distinct dims; negative dims too."""
    if ndim == 0:
        return None  # reducing a 0-d tensor over dim 0 has its own test
    kinds = ["none", "int", "tuple"] if allow_none else ["int", "tuple"]
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(one_dim(ndim))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(draw(st.sampled_from([d, d - ndim])) for d in chosen)


def reduced_count(shape, dim):
    """How many elements each output of a reduction over ``dim`` sums up."""
    if dim is None:
        return size_of(shape)
    dims = (dim,) if isinstance(dim, int) else dim
    return math.prod(shape[d] for d in dims)


# ----------------------------------------------------------------------------
# Values: float64, bounded, and away from kinks and singularities
# ----------------------------------------------------------------------------
def floats_between(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def floats_away_from(points, margin=0.1, low=-2, high=2):
    """Floats in [low, high] at least ``margin`` from each of ``points`` (kinks, bounds, poles):
    drawn from the intervals between them, so no draw is thrown away."""
    edges = sorted(p for p in points if low < p < high)
    starts = [low] + [p + margin for p in edges]
    ends = [p - margin for p in edges] + [high]
    return st.one_of([floats_between(a, b) for a, b in zip(starts, ends) if a < b])


ANY = floats_between(-2, 2)
POSITIVE = floats_between(0.2, 3)                         # log, sqrt, the base of pow
ABOVE_MINUS_ONE = floats_between(-0.8, 2)                 # log1p
AWAY_FROM_ZERO = floats_away_from([0], margin=0.1)        # abs, relu & co have a kink at 0
NONZERO = floats_away_from([0], margin=0.25)              # a divisor
EXPONENTS = floats_between(-2, 2)
# maximum/minimum have a kink where a == b. Draw a from one grid and b from the
# grid shifted by half a step: |a - b| >= 0.1 however they broadcast.
EVEN_TENTHS = st.integers(-10, 10).map(lambda k: 0.2 * k)        # -2.0, -1.8, ..., 2.0
ODD_TENTHS = st.integers(-10, 9).map(lambda k: 0.2 * k + 0.1)    # -1.9, -1.7, ..., 1.9


def arrays(shape, elements=ANY):
    """A float64 NumPy array of ``shape`` with values from ``elements``."""
    return hnp.arrays(numpy.float64, shape, elements=elements)


@st.composite
def distinct_arrays(draw, shape, gap=0.1):
    """Values at least ``gap`` apart in a random order: max/min/amax have no ties,
    and the variance over any two or more elements is well above 0."""
    ranks = numpy.array(draw(st.permutations(range(size_of(shape)))), dtype=numpy.float64)
    start = draw(floats_between(-1, 1))
    return (start + gap * ranks).reshape(shape)


@st.composite
def distinct_magnitude_arrays(draw, shape, gap=0.1):
    """Values with random signs whose absolute values are at least 0.2 and ``gap``
    apart: |x| has no kink at 0 and amax(|x|) (the inf-norm) has no ties."""
    ranks = numpy.array(draw(st.permutations(range(size_of(shape)))), dtype=numpy.float64)
    negative = draw(hnp.arrays(bool, len(ranks)))
    magnitudes = 0.2 + gap * ranks
    return numpy.where(negative, -magnitudes, magnitudes).reshape(shape)


# ----------------------------------------------------------------------------
# Indices for getitem
# ----------------------------------------------------------------------------
def basic_indices(shape):
    """Ints, slices (with steps, negative too), None and Ellipsis, as NumPy reads them."""
    return hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True)


@st.composite
def indices_with_repeats(draw, shape):
    """(:, [2, 0, 2]) or (:, [2, 0, 2], 1): an integer array along one dim that picks some
    position twice, so the backward must add both gradients into that position."""
    dim = draw(st.integers(0, len(shape) - 1))
    size = shape[dim]
    picks = draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=4))
    picks = draw(st.permutations(picks + [picks[0]]))  # picks[0] appears at least twice
    index = (slice(None),) * dim + (numpy.array(picks),)
    if dim + 1 < len(shape) and draw(st.booleans(), label="and an int for the next dim"):
        index += (draw(st.integers(-shape[dim + 1], shape[dim + 1] - 1)),)
    return index


def integer_array_indices(shape):
    """A tuple of integer arrays, one per dim, broadcast together (repeats are likely)."""
    return hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(max_dims=2, max_side=3))


@st.composite
def boolean_masks(draw, shape):
    """A boolean mask over the first few dims of ``shape`` (all of them, or fewer)."""
    mask_dims = draw(st.integers(1, len(shape)))
    return draw(hnp.arrays(bool, shape[:mask_dims]))


# ----------------------------------------------------------------------------
# The op tables: each op once, with its NumPy reference and the values it takes
# ----------------------------------------------------------------------------
NO_PARAMETERS = st.just({})


@dataclasses.dataclass(frozen=True)
class ElementwiseOp:
    """y = function(x, **parameters), applied to every element."""
    name: str
    function: Callable                 # autograd's op
    reference: Callable                # the same in NumPy
    elements: st.SearchStrategy = ANY  # the values x is drawn from
    parameters: st.SearchStrategy = NO_PARAMETERS  # keyword arguments, e.g. {"alpha": 0.5}
    method: Callable = None            # the same op as a Tensor method, where there is one

    def __str__(self):
        return self.name


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def _keywords(**strategies):
    """Keyword arguments drawn from the given strategies: {"alpha": 0.37}."""
    return st.fixed_dictionaries(strategies)


ELEMENTWISE_OPS = [
    ElementwiseOp("neg", autograd.neg, numpy.negative, method=lambda x: x.neg()),
    ElementwiseOp("exp", autograd.exp, numpy.exp, method=lambda x: x.exp()),
    ElementwiseOp("log", autograd.log, numpy.log, POSITIVE, method=lambda x: x.log()),
    ElementwiseOp("log1p", autograd.log1p, numpy.log1p, ABOVE_MINUS_ONE, method=lambda x: x.log1p()),
    ElementwiseOp("sqrt", autograd.sqrt, numpy.sqrt, POSITIVE, method=lambda x: x.sqrt()),
    ElementwiseOp("abs", autograd.abs, numpy.abs, AWAY_FROM_ZERO, method=lambda x: x.abs()),
    ElementwiseOp("relu", autograd.relu, lambda x: numpy.maximum(x, 0), AWAY_FROM_ZERO,
                  method=lambda x: x.relu()),
    ElementwiseOp("leaky_relu", autograd.leaky_relu,
                  lambda x, negative_slope: numpy.where(x > 0, x, negative_slope * x),
                  AWAY_FROM_ZERO, _keywords(negative_slope=floats_between(0.01, 0.5))),
    ElementwiseOp("sigmoid", autograd.sigmoid, _sigmoid, floats_between(-4, 4),
                  method=lambda x: x.sigmoid()),
    ElementwiseOp("tanh", autograd.tanh, numpy.tanh, method=lambda x: x.tanh()),
    ElementwiseOp("softplus", autograd.softplus,
                  lambda x, beta: numpy.log1p(numpy.exp(beta * x)) / beta, floats_between(-3, 3),
                  _keywords(beta=floats_between(0.5, 3))),
    ElementwiseOp("silu", autograd.silu, lambda x: x * _sigmoid(x), floats_between(-4, 4)),
    ElementwiseOp("elu", autograd.elu,
                  lambda x, alpha: numpy.where(x > 0, x, alpha * numpy.expm1(x)), AWAY_FROM_ZERO,
                  _keywords(alpha=floats_between(0.1, 2))),
]


@dataclasses.dataclass(frozen=True)
class BinaryOp:
    """y = function(a, b), broadcasting a against b."""
    name: str
    function: Callable
    reference: Callable
    a_elements: st.SearchStrategy = ANY
    b_elements: st.SearchStrategy = ANY
    method: Callable = None            # a.op(b)
    operator: Callable = None          # a + b, a ** b, ...

    def __str__(self):
        return self.name


BINARY_OPS = [
    BinaryOp("add", autograd.add, numpy.add, method=lambda a, b: a.add(b), operator=lambda a, b: a + b),
    BinaryOp("sub", autograd.sub, numpy.subtract, method=lambda a, b: a.sub(b),
             operator=lambda a, b: a - b),
    BinaryOp("mul", autograd.mul, numpy.multiply, method=lambda a, b: a.mul(b),
             operator=lambda a, b: a * b),
    BinaryOp("div", autograd.div, numpy.divide, ANY, NONZERO, method=lambda a, b: a.div(b),
             operator=lambda a, b: a / b),
    BinaryOp("pow", autograd.pow, numpy.power, POSITIVE, EXPONENTS, method=lambda a, b: a.pow(b),
             operator=lambda a, b: a ** b),
    BinaryOp("maximum", autograd.maximum, numpy.maximum, EVEN_TENTHS, ODD_TENTHS,
             method=lambda a, b: a.maximum(b)),
    BinaryOp("minimum", autograd.minimum, numpy.minimum, EVEN_TENTHS, ODD_TENTHS,
             method=lambda a, b: a.minimum(b)),
]


@dataclasses.dataclass(frozen=True)
class ReductionOp:
    """y = function(x, dim, keepdim, **parameters), reducing over dim: None (all dims),
    an int or a tuple of ints."""
    name: str
    function: Callable
    reference: Callable                    # reference(x, axis=dim, keepdims=keepdim, **parameters)
    values: Callable = arrays              # shape -> strategy of input arrays
    parameters: st.SearchStrategy = NO_PARAMETERS
    min_count: int = 1                     # fewest elements one output may reduce
    dim_required: bool = False             # dim=None is not accepted
    method: Callable = None                # method(x, dim, keepdim, **parameters)

    def __str__(self):
        return self.name


def _numpy_var(x, axis, keepdims, unbiased):
    return numpy.var(x, axis=axis, keepdims=keepdims, ddof=1 if unbiased else 0)


def _numpy_std(x, axis, keepdims, unbiased):
    return numpy.std(x, axis=axis, keepdims=keepdims, ddof=1 if unbiased else 0)


def _numpy_logsumexp(x, axis, keepdims):
    return numpy.log(numpy.sum(numpy.exp(x), axis=axis, keepdims=keepdims))


def _numpy_norm(x, axis, keepdims, p):
    if p == math.inf:
        return numpy.amax(numpy.abs(x), axis=axis, keepdims=keepdims)
    return numpy.sum(numpy.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1 / p)


REDUCTION_OPS = [
    ReductionOp("sum", autograd.sum, numpy.sum, method=lambda x, dim, keepdim: x.sum(dim, keepdim)),
    ReductionOp("mean", autograd.mean, numpy.mean,
                method=lambda x, dim, keepdim: x.mean(dim, keepdim)),
    ReductionOp("var", lambda x, dim, keepdim, unbiased: autograd.var(x, dim, unbiased, keepdim),
                _numpy_var, parameters=_keywords(unbiased=st.booleans()), min_count=2,
                method=lambda x, dim, keepdim, unbiased: x.var(dim, unbiased, keepdim)),
    ReductionOp("std", lambda x, dim, keepdim, unbiased: autograd.std(x, dim, unbiased, keepdim),
                _numpy_std, distinct_arrays, _keywords(unbiased=st.booleans()), min_count=2,
                method=lambda x, dim, keepdim, unbiased: x.std(dim, unbiased, keepdim)),
    ReductionOp("amax", autograd.amax, numpy.amax, distinct_arrays,
                method=lambda x, dim, keepdim: x.amax(dim, keepdim)),
    ReductionOp("amin", autograd.amin, numpy.amin, distinct_arrays,
                method=lambda x, dim, keepdim: x.amin(dim, keepdim)),
    ReductionOp("logsumexp", autograd.logsumexp, _numpy_logsumexp, dim_required=True,
                method=lambda x, dim, keepdim: x.logsumexp(dim, keepdim)),
    ReductionOp("norm", lambda x, dim, keepdim, p: autograd.norm(x, p, dim, keepdim),
                _numpy_norm, distinct_magnitude_arrays,
                _keywords(p=st.sampled_from([2, 1, 3, math.inf])),
                method=lambda x, dim, keepdim, p: x.norm(p, dim, keepdim)),
]


@dataclasses.dataclass(frozen=True)
class AlongDimOp:
    """y = function(x, dim): same shape as x, normalized along one dim."""
    name: str
    function: Callable
    reference: Callable                    # reference(x, axis=dim)
    method: Callable = None

    def __str__(self):
        return self.name


def _numpy_log_softmax(x, axis):
    shifted = x - numpy.max(x, axis=axis, keepdims=True)
    return shifted - numpy.log(numpy.sum(numpy.exp(shifted), axis=axis, keepdims=True))


ALONG_DIM_OPS = [
    AlongDimOp("softmax", autograd.softmax, lambda x, axis: numpy.exp(_numpy_log_softmax(x, axis)),
               method=lambda x, dim: x.softmax(dim)),
    AlongDimOp("log_softmax", autograd.log_softmax, _numpy_log_softmax,
               method=lambda x, dim: x.log_softmax(dim)),
]


# ----------------------------------------------------------------------------
# Inputs for each op, shared by the value tests and the gradient tests
# ----------------------------------------------------------------------------
def elementwise_inputs(op):
    """(x, keyword arguments) for an ElementwiseOp."""
    return st.tuples(shapes().flatmap(lambda shape: arrays(shape, op.elements)), op.parameters)


def binary_inputs(op):
    """(a, b) for a BinaryOp, of two shapes that broadcast together."""
    return broadcastable_shapes().flatmap(
        lambda pair: st.tuples(arrays(pair[0], op.a_elements), arrays(pair[1], op.b_elements)))


@st.composite
def binary_inputs_with_a_number(draw, op):
    """(a, b) where one of them is a Python float: x + 2.0, 2.0 - x, x ** 1.5, 1.5 ** x, ..."""
    shape = draw(shapes())
    if draw(st.booleans(), label="number on the right"):
        return draw(arrays(shape, op.a_elements)), draw(op.b_elements)
    return draw(op.a_elements), draw(arrays(shape, op.b_elements))


@st.composite
def clamp_inputs(draw):
    """(x, min, max): min only, max only, or both (min < max); x keeps 0.1 from the bounds."""
    low = draw(floats_between(-1.5, 1))
    high = low + draw(floats_between(0.3, 1.5))
    low, high = draw(st.sampled_from([(low, None), (None, high), (low, high)]))
    x = draw(arrays(draw(shapes()), floats_away_from([b for b in (low, high) if b is not None])))
    return x, low, high


def where_inputs():
    """(condition, a, b), all three broadcasting together; the condition is a bool array or Tensor."""
    def draw_arrays(three_shapes):
        condition_shape, a_shape, b_shape = three_shapes
        condition = hnp.arrays(bool, condition_shape)
        condition = st.one_of(condition, condition.map(autograd.tensor))
        return st.tuples(condition, arrays(a_shape), arrays(b_shape))
    return broadcastable_shapes(num_shapes=3).flatmap(draw_arrays)


@st.composite
def reduction_inputs(draw, op):
    """(x, dim, keepdim, keyword arguments) for a ReductionOp."""
    shape = draw(shapes(min_dims=1 if op.dim_required else 0))
    dim = draw(dim_arguments(len(shape), allow_none=not op.dim_required))
    assume(reduced_count(shape, dim) >= op.min_count)  # var needs two elements, unbiased
    return draw(op.values(shape)), dim, draw(st.booleans()), draw(op.parameters)


@st.composite
def along_one_dim_inputs(draw, values=distinct_arrays):
    """(x, dim, keepdim) with dim a single int, negative too: for max(x, dim) and softmax."""
    shape = draw(shapes(min_dims=1))
    return draw(values(shape)), draw(one_dim(len(shape))), draw(st.booleans())


def array_of(shape_strategy):
    return shape_strategy.flatmap(arrays)


@st.composite
def reshape_inputs(draw):
    x = draw(array_of(shapes()))
    return x, draw(reshape_targets(x.shape))


@st.composite
def transpose_inputs(draw):
    x = draw(array_of(shapes(min_dims=1)))
    return x, draw(one_dim(x.ndim)), draw(one_dim(x.ndim))


@st.composite
def permute_inputs(draw):
    """(x, dims): a permutation of x's dims, some written as negative dims."""
    x = draw(array_of(shapes(min_dims=1)))
    order = draw(st.permutations(range(x.ndim)))
    return x, tuple(draw(st.sampled_from([d, d - x.ndim])) for d in order)


@st.composite
def squeeze_inputs(draw):
    x = draw(array_of(shapes(max_side=2)))  # many sizes of 1
    return x, draw(dim_arguments(x.ndim))


@st.composite
def unsqueeze_inputs(draw):
    x = draw(array_of(shapes()))
    return x, draw(one_dim(x.ndim + 1))


@st.composite
def flatten_inputs(draw):
    """(x, start_dim, end_dim) with start_dim at or before end_dim."""
    x = draw(array_of(shapes(min_dims=1)))
    start, end = sorted([draw(one_dim(x.ndim)), draw(one_dim(x.ndim))], key=lambda d: d % x.ndim)
    return x, start, end


@st.composite
def expand_inputs(draw):
    """(x, target shape, the same as expand's sizes: -1 for some dims that keep their size)."""
    x = draw(array_of(shapes()))
    target = draw(broadcast_targets(x.shape))
    new_dims = len(target) - x.ndim
    sizes = list(target)
    for i in range(new_dims, len(target)):
        if target[i] == x.shape[i - new_dims] and draw(st.booleans(), label="write it as -1"):
            sizes[i] = -1
    return x, target, tuple(sizes)


@st.composite
def repeat_inputs(draw):
    x = draw(array_of(shapes()))
    repeats = draw(st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 1))
    assume(x.size * math.prod(repeats) <= 2 * MAX_ELEMENTS)
    return x, tuple(repeats)


@st.composite
def cat_inputs(draw):
    """(arrays, dim): 1 to 3 arrays whose shapes differ only along dim."""
    shape = draw(shapes(min_dims=1))
    dim = draw(one_dim(len(shape)))
    pieces = []
    for _ in range(draw(st.integers(1, 3))):
        piece_shape = list(shape)
        piece_shape[dim] = draw(st.integers(1, 3))
        pieces.append(draw(arrays(tuple(piece_shape))))
    return pieces, dim


@st.composite
def stack_inputs(draw):
    """(arrays, dim): 1 to 3 arrays of one shape, and a dim of the stacked result."""
    shape = draw(shapes(max_dims=2))
    pieces = draw(st.lists(arrays(shape), min_size=1, max_size=3))
    return pieces, draw(one_dim(len(shape) + 1))


@st.composite
def split_inputs(draw):
    """(x, split_size_or_sections, dim, which outputs to use)."""
    x = draw(array_of(shapes(min_dims=1)))
    dim = draw(one_dim(x.ndim))
    length = x.shape[dim]
    if draw(st.booleans(), label="split by size"):
        how = draw(st.integers(1, length + 1))
        count = -(-length // how)
    else:  # sections, e.g. [1, 3] for a length of 4
        cuts = sorted(draw(st.sets(st.integers(1, length - 1)))) if length > 1 else []
        how = [b - a for a, b in zip([0] + cuts, cuts + [length])]
        count = len(how)
    used = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True))
    return x, how, dim, used


@st.composite
def chunk_inputs(draw):
    x = draw(array_of(shapes(min_dims=1)))
    return x, draw(st.integers(1, 4)), draw(one_dim(x.ndim))


@st.composite
def pad_inputs(draw):
    """(x, pad, value) with pad in PyTorch's order: (left, right) of the last dim first."""
    x = draw(array_of(shapes(min_dims=1)))
    pairs = draw(st.integers(1, x.ndim))
    pad = tuple(draw(st.lists(st.integers(0, 2), min_size=2 * pairs, max_size=2 * pairs)))
    return x, pad, draw(ANY)


def matmul_inputs():
    return matmul_shapes().flatmap(lambda pair: st.tuples(arrays(pair[0]), arrays(pair[1])))


MATMUL_SHAPES = {  # every kind of operand, whatever the random draws happen to cover
    "vector @ matrix": ((3,), (3, 2)),
    "matrix @ vector": ((2, 3), (3,)),
    "vector @ vector": ((3,), (3,)),
    "(B,n,k) @ (k,m)": ((2, 2, 3), (3, 2)),
    "(B,1,n,k) @ (C,k,m)": ((2, 1, 2, 3), (3, 3, 2)),
    "vector @ batch": ((3,), (2, 3, 2)),
}
