"""The categorical distribution over K classes 0..K-1."""
import numpy

from .. import backend
from ..function import ShapeError
from ..grad_mode import no_grad
from ..ops.elementwise import where
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, lazy_property
from .utils import logits_to_probs, normalize_logits, probs_to_logits, standard_uniform


class Categorical(Distribution):
    """A distribution over the classes 0..K-1 along the last dim of ``probs``
    (non-negative weights, normalised here to sum to 1) or of ``logits``
    (unnormalised log-probabilities).  The batch shape is the parameter's shape
    without its last dim; a value is a class index.

        log p(k) = logits[k] - logsumexp(logits) = log(probs[k] / sum(probs))
        entropy  = -sum_k p_k log p_k

    Draws are int64 class indices and are not differentiable (no rsample).
    """
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            given = "both" if probs is not None else "neither"
            raise ValueError(f"Categorical: give exactly one of probs and logits, got {given}")
        name, parameter = ("probs", probs) if probs is not None else ("logits", logits)
        if not isinstance(parameter, Tensor):
            raise TypeError(f"Categorical: {name} must be a Tensor, got {type(parameter).__name__}")
        if parameter.ndim < 1:
            raise ShapeError(f"Categorical: {name} must have at least one dim (the classes, last), "
                             f"got a 0-d tensor")
        if parameter.dtype.kind != "f":
            parameter = parameter.to(dtype=numpy.float32)
        if probs is not None:
            self.probs = parameter / parameter.sum(-1, keepdim=True)
        else:
            self.logits = normalize_logits(parameter)
        self._num_events = parameter.shape[-1]
        super().__init__(batch_shape=parameter.shape[:-1], validate_args=validate_args)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, binary=False)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, binary=False)

    @property
    def param_shape(self):
        return self.__dict__[self._given[0]].shape

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    has_enumerate_support = True

    def enumerate_support(self, expand=True):
        """Every class index, in a new leading dim: shape (K,) + batch_shape (int64), or
        (K,) + (1,) * len(batch_shape) with expand=False."""
        xp = backend.get_array_module(self.__dict__[self._given[0]].array)
        values = xp.arange(self._num_events, dtype=numpy.int64).reshape(
            (-1,) + (1,) * len(self.batch_shape))
        if expand:
            values = xp.broadcast_to(values, (self._num_events,) + tuple(self.batch_shape)).copy()
        return Tensor(values)

    def _nan(self):
        xp = backend.get_array_module(self.probs.array)
        return Tensor(xp.full(tuple(self._batch_shape), xp.nan, dtype=self.probs.dtype))

    @property
    def mean(self):
        return self._nan()   # class labels have no mean, as in PyTorch

    @property
    def variance(self):
        return self._nan()

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        """Inverse-CDF draws: the class k with cdf[k-1] <= u < cdf[k], u ~ U[0, 1)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            probs = self.probs.array
            xp = backend.get_array_module(probs)
            cdf = xp.cumsum(probs, axis=-1)
            cdf = cdf / cdf[..., -1:]
            cdf[..., -1] = 1   # so that u < 1 always falls in a class with positive probability
            u = standard_uniform(shape, like=self.probs).array[..., None]
            return Tensor((cdf <= u).sum(axis=-1).astype(numpy.int64))

    def log_prob(self, value):
        self._validate_sample(value)
        xp = backend.get_array_module(self.logits.array)
        classes = value.array.astype(numpy.int64) if isinstance(value, Tensor) else xp.asarray(value)
        picked = classes[..., None] == xp.arange(self._num_events)   # one-hot, broadcast on logits
        return where(picked, self.logits, 0.0).sum(-1)

    def entropy(self):
        # a class with p = 0 has logit -inf; clamping keeps p log p at 0 instead of NaN
        lowest = float(numpy.finfo(self.logits.dtype).min)
        return -(self.logits.clamp(min=lowest) * self.probs).sum(-1)
