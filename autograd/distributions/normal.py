"""The normal (Gaussian) distribution."""
import math

from ..ops.elementwise import erf, erfinv
from . import constraints
from .distribution import Distribution
from .utils import HALF_LOG_TWO_PI, broadcast_all, standard_normal


class Normal(Distribution):
    """N(loc, scale^2), one for each element of the broadcast parameters.

        log p(x) = -(x - loc)^2 / (2 scale^2) - log(scale) - log(2 pi) / 2
        entropy  = 1/2 + log(2 pi) / 2 + log(scale)

    ``rsample`` returns loc + scale * eps with eps ~ N(0, 1), so gradients reach
    loc and scale.
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all("Normal", loc=loc, scale=scale)
        super().__init__(batch_shape=self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale * self.scale

    def rsample(self, sample_shape=()):
        eps = standard_normal(self._extended_shape(sample_shape), like=self.loc)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -0.5 * z * z - self.scale.log() - HALF_LOG_TWO_PI

    def entropy(self):
        return 0.5 + HALF_LOG_TWO_PI + self.scale.log()

    def cdf(self, value):
        """P(X <= value) = (1 + erf((value - loc) / (scale sqrt 2))) / 2."""
        self._validate_sample(value)
        return 0.5 * (1 + erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        """The value with cdf(value) = p: loc + scale sqrt(2) erfinv(2p - 1)."""
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)


