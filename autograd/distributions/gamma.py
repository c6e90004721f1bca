"""The gamma and beta distributions (their densities need log-gamma)."""
import numpy

from .. import backend
from ..grad_mode import STATE
from ..ops.elementwise import digamma, lgamma, where
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


def _xlogy(x, y):
    """x log y, taken as 0 where x = 0 (also where y = 0, as PyTorch's xlogy)."""
    zero = x.array == 0
    return where(zero, 0.0, x * where(zero, 1.0, y).log())


def _standard_gamma(concentration, shape):
    """Gamma(concentration, 1) draws of ``shape`` from the library's generator (no gradient),
    at least the smallest positive number (as PyTorch, so that log stays finite)."""
    xp = backend.get_array_module(concentration.array)
    alpha = xp.broadcast_to(concentration.array, shape)
    draws = backend.rng(xp).standard_gamma(alpha).astype(concentration.dtype)
    return Tensor(xp.maximum(draws, numpy.finfo(concentration.dtype).tiny))


def _refuse_concentration_gradient(op, *concentrations):
    if STATE.grad_enabled and any(c.requires_grad for c in concentrations):
        raise NotImplementedError(
            f"{op}.rsample: the gradient with respect to the concentration (PyTorch's implicit "
            "reparameterisation of gamma draws) is not implemented; detach the concentration, "
            "or use sample()")


class Gamma(Distribution):
    """Gamma(concentration a, rate b) on the positive numbers:

        log p(x) = a log b + (a - 1) log x - b x - lgamma(a)
        mean a / b,  variance a / b^2,  mode max((a - 1) / b, 0)
        entropy  = a - log b + lgamma(a) + (1 - a) digamma(a)

    ``rsample`` is Gamma(a, 1) / b: gradients reach the rate only (see
    ``_refuse_concentration_gradient``).
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all("Gamma", concentration=concentration, rate=rate)
        super().__init__(batch_shape=self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / (self.rate * self.rate)

    def rsample(self, sample_shape=()):
        _refuse_concentration_gradient("Gamma", self.concentration)
        shape = self._extended_shape(sample_shape)
        draws = _standard_gamma(self.concentration.detach(), tuple(shape))
        return draws / self.rate

    def log_prob(self, value):
        self._validate_sample(value)
        a, b = self.concentration, self.rate
        return _xlogy(a, b) + _xlogy(a - 1, value) - b * value - lgamma(a)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1 - a) * digamma(a)


class Beta(Distribution):
    """Beta(concentration1 a, concentration0 b) on [0, 1]:

        log p(x) = (a - 1) log x + (b - 1) log(1 - x) - log B(a, b),
        log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)
        mean a / (a + b),  variance a b / ((a + b)^2 (a + b + 1))
        entropy = log B(a, b) - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b)

    Draws are X / (X + Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1).
    """
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(
            "Beta", concentration1=concentration1, concentration0=concentration0)
        super().__init__(batch_shape=self.concentration1.shape, validate_args=validate_args)

    def _log_beta(self):
        a, b = self.concentration1, self.concentration0
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        a, b = self.concentration1, self.concentration0
        return (a - 1) / (a + b - 2)

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total * total * (total + 1))

    def rsample(self, sample_shape=()):
        _refuse_concentration_gradient("Beta", self.concentration1, self.concentration0)
        shape = tuple(self._extended_shape(sample_shape))
        x = _standard_gamma(self.concentration1.detach(), shape)
        y = _standard_gamma(self.concentration0.detach(), shape)
        eps = float(numpy.finfo(x.dtype).eps)
        return (x / (x + y)).clamp(float(numpy.finfo(x.dtype).tiny), 1 - eps)

    def log_prob(self, value):
        self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return _xlogy(a - 1, value) + _xlogy(b - 1, 1 - value) - self._log_beta()

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return (self._log_beta() - (a - 1) * digamma(a) - (b - 1) * digamma(b)
                + (a + b - 2) * digamma(a + b))
