"""Reinterpreting batch dims of a distribution as event dims."""
from ..tensor import Size
from .distribution import Distribution
from .utils import as_shape, sum_rightmost


class Independent(Distribution):
    """Treats the rightmost ``reinterpreted_batch_ndims`` batch dims of
    ``base_distribution`` as event dims: an event is a block of independent
    coordinates, and its log-density (and entropy) is the sum of the base's over
    those dims.

        log p(x) = sum over the reinterpreted dims of base.log_prob(x)

    A diagonal Gaussian over vectors, for example, is
    ``Independent(Normal(loc, scale), 1)`` with loc and scale of shape (..., n).
    """
    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n = int(reinterpreted_batch_ndims)
        batch = tuple(base_distribution.batch_shape)
        if not 0 <= n <= len(batch):
            raise ValueError(
                f"Independent: reinterpreted_batch_ndims must be between 0 and "
                f"len(base_distribution.batch_shape) = {len(batch)}, got {reinterpreted_batch_ndims}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        split = len(batch) - n
        super().__init__(batch[:split], batch[split:] + tuple(base_distribution.event_shape),
                         validate_args=validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def support(self):
        return self.base_dist.support

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        # the base checks the value; its log-densities are summed over the new event dims
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def expand(self, batch_shape):
        moved = self._event_shape[:self.reinterpreted_batch_ndims]
        base = self.base_dist.expand(Size(as_shape(batch_shape) + moved))
        return Independent(base, self.reinterpreted_batch_ndims, validate_args=False)

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
