"""The log-normal distribution: the law of exp(X) for a normal X."""
from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform


class LogNormal(TransformedDistribution):
    """exp(X) with X ~ Normal(loc, scale) (a TransformedDistribution with ExpTransform).

        mean     = exp(loc + scale^2 / 2)
        mode     = exp(loc - scale^2)
        variance = (exp(scale^2) - 1) exp(2 loc + scale^2)
        entropy  = entropy of the normal + loc
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale * self.scale / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale * self.scale).exp()

    @property
    def variance(self):
        square = self.scale * self.scale
        return square.expm1() * (2 * self.loc + square).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc

    def expand(self, batch_shape):
        base = self.base_dist.expand(batch_shape)
        return LogNormal(base.loc, base.scale, validate_args=False)

    def __repr__(self):
        return f"LogNormal(loc: {self.loc!r}, scale: {self.scale!r})"
