"""The Bernoulli distribution: 1 with probability p, 0 otherwise."""
from .. import backend
from ..function import Function
from ..grad_mode import no_grad
from ..ops.activation import sigmoid
from ..ops.shape import sum_to
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, lazy_property
from .utils import broadcast_all, logits_to_probs, probs_to_logits, standard_uniform


class Bernoulli(Distribution):
    """Bernoulli(p), given by ``probs`` p or by ``logits`` l = log(p / (1 - p)).

        log p(x) = x log p + (1 - x) log(1 - p) = x l - softplus(l)
        entropy  = softplus(l) - p l

    with softplus(l) = log(1 + e^l), both computed without cancellation
    (``LogLikelihood``).  Values are 0. or 1. in the parameters' dtype.
    Draws are not differentiable (no rsample).
    """
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            given = "both" if probs is not None else "neither"
            raise ValueError(f"Bernoulli: give exactly one of probs and logits, got {given}")
        if probs is not None:
            self.probs, = broadcast_all("Bernoulli", probs=probs)
            shape = self.probs.shape
        else:
            self.logits, = broadcast_all("Bernoulli", logits=logits)
            shape = self.logits.shape
        super().__init__(batch_shape=shape, validate_args=validate_args)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, binary=True)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, binary=True)

    @property
    def _parameter(self):
        return self.__dict__[self._given[0]]

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        """1 where p > 1/2, 0 where p < 1/2, NaN at p = 1/2 (no single mode)."""
        p = self.probs.array
        xp = backend.get_array_module(p)
        return Tensor(xp.where(p == 0.5, xp.nan, (p > 0.5)).astype(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            u = standard_uniform(shape, like=self._parameter)
            return Tensor((u.array < self.probs.array).astype(u.dtype))

    def log_prob(self, value):
        self._validate_sample(value)
        return log_likelihood(self.logits, value)

    def entropy(self):
        return -log_likelihood(self.logits, self.probs)


class LogLikelihood(Function):
    """x l - softplus(l), the log-probability of x in {0, 1} under logits l (and, at
    x = p, minus the entropy).  Computed as -(max(-l, 0) + (1 - x) l + log1p(e^-|l|)):
    the two large terms cancel before the small one is added, so a result as small
    as log sigmoid(40) = -4e-18 is not rounded to 0.  Gradients: x - sigmoid(l)
    for l, and l for x."""
    saves_outputs = False

    def forward(self, logits, value):
        xp = backend.get_array_module(logits)
        large = xp.maximum(-logits, 0) + (1 - value) * logits
        return -(large + xp.log1p(xp.exp(-xp.abs(logits))))

    def backward(self, gy):
        logits, value = self.inputs
        g_logits = None
        if self.needs_input_grad[0]:
            g_logits = sum_to(gy * (value - sigmoid(logits)), logits.shape)
        g_value = sum_to(gy * logits, value.shape) if self.needs_input_grad[1] else None
        return g_logits, g_value


def log_likelihood(logits, value):
    if not isinstance(value, Tensor):
        value = Tensor(backend.get_array_module(logits.array).asarray(value, dtype=logits.dtype))
    elif value.dtype != logits.dtype:
        value = value.to(dtype=logits.dtype)
    return LogLikelihood()(logits, value)
