"""The continuous uniform distribution."""
from .. import backend
from ..grad_mode import should_check_values
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, standard_uniform


class Uniform(Distribution):
    """Uniform on the half-open interval [low, high), one for each element of the
    broadcast parameters.

        log p(x) = -log(high - low) for low <= x < high, -inf outside
        entropy  = log(high - low)

    ``rsample`` returns low + (high - low) u with u ~ U[0, 1), so gradients reach
    low and high.
    """
    arg_constraints = {"low": constraints.real, "high": constraints.real}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all("Uniform", low=low, high=high)
        super().__init__(batch_shape=self.low.shape, validate_args=validate_args)

    def _check_arguments(self):
        super()._check_arguments()
        if not should_check_values(self.low.array):
            return
        ordered = self.low.array < self.high.array
        if not bool(ordered.all()):
            bad = int((~ordered).sum())
            raise ValueError(f"Uniform: low must be less than high, got {bad} of {ordered.size} "
                             f"pairs with low >= high (shape {tuple(self.low.shape)})")

    @property
    def support(self):
        return constraints.half_open_interval(self.low.array, self.high.array,
                                              "in [low, high)")

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def mode(self):
        xp = backend.get_array_module(self.low.array)
        return Tensor(xp.full(self.low.shape, xp.nan, dtype=self.low.dtype))

    @property
    def variance(self):
        width = self.high - self.low
        return width * width / 12

    def rsample(self, sample_shape=()):
        u = standard_uniform(self._extended_shape(sample_shape), like=self.low)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        self._validate_sample(value)
        xp = backend.get_array_module(self.low.array)
        raw = value.array if isinstance(value, Tensor) else value
        inside = (self.low.array <= raw) & (raw < self.high.array)
        outside_penalty = Tensor(xp.where(inside, 0.0, -xp.inf).astype(self.low.dtype))
        return outside_penalty - (self.high - self.low).log()

    def entropy(self):
        return (self.high - self.low).log()
