"""Helpers shared by the distributions: turning parameters into tensors of one
shape, summing log-densities over event dims, converting probabilities to and
from logits, random draws, and the Gaussian quadratic form."""
import math
import numbers

import numpy

from .. import backend, creation
from ..ops.activation import Softplus
from ..ops.matrix import Diagonal, solve_triangular
from ..ops.reduce import logsumexp, softmax
from ..ops.shape import broadcast_to, reshape, transpose, unsqueeze
from ..tensor import Size, Tensor

HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def as_shape(sample_shape):
    """A sample shape given as a tuple, list, Size or int, as a Size."""
    if isinstance(sample_shape, numbers.Integral):
        return Size((int(sample_shape),))
    return Size(int(s) for s in sample_shape)


def broadcast_all(owner, **parameters):
    """The parameters as float tensors broadcast to one shape, in the order given.

    Numbers become tensors of the dtype and device of the tensor parameters
    (float32 on the default device if there are none).  ``owner`` names the
    distribution in errors."""
    tensors = [v for v in parameters.values() if isinstance(v, Tensor)]
    for name, value in parameters.items():
        if not isinstance(value, (Tensor, numbers.Real)) or isinstance(value, bool):
            raise TypeError(f"{owner}: {name} must be a Tensor or a number, got {type(value).__name__}")
    floats = [t.dtype for t in tensors if t.dtype.kind == "f"]
    dtype = floats[0] if floats else numpy.dtype(numpy.float32)
    device = backend.device_of(tensors[0].array) if tensors else None
    converted = []
    for value in parameters.values():
        if not isinstance(value, Tensor):
            value = creation.tensor(value, dtype=dtype, device=device)
        elif value.dtype.kind != "f":
            value = value.to(dtype=dtype)
        converted.append(value)
    try:
        shape = numpy.broadcast_shapes(*(t.shape for t in converted))
    except ValueError:
        shapes = ", ".join(f"{name} {tuple(t.shape)}" for name, t in zip(parameters, converted))
        raise ValueError(f"{owner}: the parameters' shapes do not broadcast together: {shapes}") from None
    return [broadcast_to(t, shape) for t in converted]


def sum_rightmost(x, n):
    """x summed over its last ``n`` dims (x itself for n = 0)."""
    return x.sum(tuple(range(-n, 0))) if n > 0 else x


def softplus(x):
    """log(1 + e^x), exact for every x (no switch to x itself for large x)."""
    return Softplus(1.0, math.inf)(x)


def clamp_probs(probs):
    """Probabilities kept in [eps, 1 - eps] so that their logs stay finite."""
    eps = float(numpy.finfo(probs.dtype).eps)
    return probs.clamp(eps, 1 - eps)


def probs_to_logits(probs, binary):
    """log(p / (1 - p)) for a Bernoulli (``binary``), else log p."""
    clamped = clamp_probs(probs)
    return clamped.log() - (-clamped).log1p() if binary else clamped.log()


def logits_to_probs(logits, binary):
    """sigmoid(l) for a Bernoulli (``binary``), else softmax over the last dim."""
    return logits.sigmoid() if binary else softmax(logits, -1)


def normalize_logits(logits):
    """Logits shifted so that exp(logits) sums to 1 along the last dim."""
    return logits - logsumexp(logits, -1, keepdim=True)


def standard_normal(shape, like):
    """N(0, 1) draws of ``shape`` with ``like``'s dtype and device, from the library's generator."""
    return creation.randn(tuple(shape), dtype=like.dtype, device=backend.device_of(like.array))


def standard_uniform(shape, like):
    """U[0, 1) draws of ``shape`` with ``like``'s dtype and device."""
    return creation.rand(tuple(shape), dtype=like.dtype, device=backend.device_of(like.array))


# ----------------------------------------------------------------------------
# The Gaussian quadratic form and log-determinant, through a Cholesky factor L
# ----------------------------------------------------------------------------
def squared_mahalanobis(scale_tril, diff):
    """|L^-1 d|^2 = d^T (L L^T)^-1 d for each vector d in ``diff`` (..., n), with L
    lower-triangular (..., n, n); batch dims broadcast.

    With a single L (2-D) every vector is solved for at once, as the columns of
    one right-hand side, rather than with one solve per vector."""
    n = scale_tril.shape[-1]
    if scale_tril.ndim == 2:
        columns = transpose(reshape(diff, (-1, n)), 0, 1)                     # (n, vectors)
        solved = solve_triangular(scale_tril, columns, upper=False)
        return reshape((solved * solved).sum(0), diff.shape[:-1])
    solved = solve_triangular(scale_tril, unsqueeze(diff, -1), upper=False)  # (..., n, 1)
    return (solved * solved).sum((-2, -1))


def half_log_det(scale_tril):
    """sum(log diag L) = log det(L L^T) / 2, for each lower-triangular L."""
    return Diagonal(0)(scale_tril).log().sum(-1)
