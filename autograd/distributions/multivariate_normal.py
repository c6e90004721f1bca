"""The multivariate normal distribution over vectors."""
import numpy

from ..function import ShapeError
from ..ops.matrix import cholesky, inverse
from ..ops.shape import broadcast_to, squeeze, transpose, unsqueeze
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, lazy_property
from .utils import HALF_LOG_TWO_PI, half_log_det, squared_mahalanobis, standard_normal

_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


class MultivariateNormal(Distribution):
    """N(loc, S) over vectors of size n, with the covariance S given by exactly one of
    ``covariance_matrix`` (S), ``precision_matrix`` (S^-1) or ``scale_tril`` (L,
    lower-triangular with a positive diagonal, S = L L^T).  Everything is computed
    through L, found by a Cholesky factorisation when not given.

        log p(x) = -n log(2 pi) / 2 - sum(log diag L) - |L^-1 (x - loc)|^2 / 2
        entropy  = n (1 + log(2 pi)) / 2 + sum(log diag L)

    ``rsample`` returns loc + L eps with eps ~ N(0, I_n), so gradients reach loc
    and the matrix.  Batch dims of loc and of the matrix broadcast.
    """
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        given = {name: m for name, m in zip(_MATRICES, (covariance_matrix, precision_matrix, scale_tril))
                 if m is not None}
        if len(given) != 1:
            got = ", ".join(given) if given else "none"
            raise ValueError("MultivariateNormal: give exactly one of covariance_matrix, "
                             f"precision_matrix and scale_tril, got {got}")
        (name, matrix), = given.items()
        _check_shapes(loc, name, matrix)
        batch_shape = numpy.broadcast_shapes(loc.shape[:-1], matrix.shape[:-2])
        n = loc.shape[-1]
        self.loc = broadcast_to(loc, batch_shape + (n,))
        setattr(self, name, broadcast_to(matrix, batch_shape + (n, n)))
        super().__init__(batch_shape, event_shape=(n,), validate_args=validate_args)
        # L without the broadcast batch dims: the factorisations run once per distinct matrix
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(inverse(matrix))

    @lazy_property
    def scale_tril(self):
        return broadcast_to(self._unbroadcasted_scale_tril, self._batch_shape + self._event_shape * 2)

    @lazy_property
    def covariance_matrix(self):
        factor = self._unbroadcasted_scale_tril
        return broadcast_to(factor @ transpose(factor, -2, -1),
                            self._batch_shape + self._event_shape * 2)

    @lazy_property
    def precision_matrix(self):
        factor = self._unbroadcasted_scale_tril
        return broadcast_to(inverse(factor @ transpose(factor, -2, -1)),
                            self._batch_shape + self._event_shape * 2)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        factor = self._unbroadcasted_scale_tril
        return broadcast_to((factor * factor).sum(-1), self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        eps = standard_normal(self._extended_shape(sample_shape), like=self.loc)
        return self.loc + squeeze(self._unbroadcasted_scale_tril @ unsqueeze(eps, -1), -1)

    def log_prob(self, value):
        self._validate_sample(value)
        n = self._event_shape[0]
        distance = squared_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * distance - n * HALF_LOG_TWO_PI - half_log_det(self._unbroadcasted_scale_tril)

    def entropy(self):
        n = self._event_shape[0]
        value = n * (0.5 + HALF_LOG_TWO_PI) + half_log_det(self._unbroadcasted_scale_tril)
        return broadcast_to(value, tuple(self._batch_shape))


def _check_shapes(loc, name, matrix):
    for label, value in (("loc", loc), (name, matrix)):
        if not isinstance(value, Tensor):
            raise TypeError(f"MultivariateNormal: {label} must be a Tensor, got {type(value).__name__}")
    if loc.ndim < 1:
        raise ShapeError("MultivariateNormal: loc must have at least one dim (..., n), got a 0-d tensor")
    n = loc.shape[-1]
    if matrix.ndim < 2 or matrix.shape[-2:] != (n, n):
        raise ShapeError(f"MultivariateNormal: {name} must have shape (..., n, n) with "
                         f"n = loc.shape[-1] = {n}, got shape {tuple(matrix.shape)}")
    try:
        numpy.broadcast_shapes(loc.shape[:-1], matrix.shape[:-2])
    except ValueError:
        raise ShapeError(f"MultivariateNormal: the batch dims of loc {tuple(loc.shape)} and "
                         f"{name} {tuple(matrix.shape)} do not broadcast together") from None
