"""The Laplace (double exponential) distribution."""
import math

import numpy

from .. import backend, creation
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class Laplace(Distribution):
    """Laplace(loc, scale), one for each element of the broadcast parameters.

        log p(x) = -log(2 scale) - |x - loc| / scale
        cdf(x)   = 1/2 - sign(x - loc) (exp(-|x - loc| / scale) - 1) / 2
        entropy  = 1 + log(2 scale)

    ``rsample`` inverts the cdf at u ~ U(-1, 1) (as PyTorch, u > -1 + eps):
    loc - scale sign(u) log(1 - |u|), so gradients reach loc and scale.
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all("Laplace", loc=loc, scale=scale)
        super().__init__(batch_shape=self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale * self.scale

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = float(numpy.finfo(self.loc.dtype).eps)
        u = creation.rand(tuple(shape), dtype=self.loc.dtype, device=backend.device_of(self.loc.array))
        u = u * (2 - eps) + (eps - 1)                     # U(-1 + eps, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        self._validate_sample(value)
        gap = value - self.loc
        return 0.5 - 0.5 * gap.sign() * (-gap.abs() / self.scale).expm1()

    def icdf(self, value):
        """loc - scale sign(p - 1/2) log(1 - 2 |p - 1/2|)."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
