"""KL divergence KL(p || q) = E_p[log p(X) - log q(X)] in closed form, for pairs of
distributions registered with ``register_kl``.

The implementation for (type(p), type(q)) is the registered pair that matches
most closely: the first pair found along the two classes' method resolution
orders (p's class first), so a subclass uses its parent's formula unless it has
its own.
"""
import math

from .. import backend
from ..ops.elementwise import where
from ..ops.matrix import solve_triangular
from ..tensor import Tensor
from .bernoulli import Bernoulli
from .categorical import Categorical
from .independent import Independent
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform
from .utils import half_log_det, softplus, squared_mahalanobis, sum_rightmost

_REGISTRY = {}   # (type of p, type of q) -> function(p, q)


def register_kl(type_p, type_q):
    """Decorator: ``@register_kl(P, Q)`` makes the function KL(p || q) for p a P, q a Q."""
    def decorate(function):
        _REGISTRY[(type_p, type_q)] = function
        return function
    return decorate


def _lookup(type_p, type_q):
    matches = [(i + j, i, pair) for i, p_class in enumerate(type_p.__mro__)
               for j, q_class in enumerate(type_q.__mro__)
               if (pair := (p_class, q_class)) in _REGISTRY]
    return _REGISTRY[min(matches)[2]] if matches else None


def kl_divergence(p, q):
    """KL(p || q), one value per element of the broadcast batch shapes."""
    function = _lookup(type(p), type(q))
    if function is None:
        raise NotImplementedError(f"kl_divergence: no formula for KL({type(p).__name__} || "
                                  f"{type(q).__name__}); register one with register_kl")
    return function(p, q)


def _inf_where(condition, values):
    """values with +inf wherever ``condition`` (a boolean array) holds."""
    return where(condition, Tensor(backend.get_array_module(condition).asarray(math.inf, values.dtype)),
                 values)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """log(s_q / s_p) + (s_p^2 + (m_p - m_q)^2) / (2 s_q^2) - 1/2, written with r = (s_p / s_q)^2
    as (r + ((m_p - m_q) / s_q)^2 - 1 - log r) / 2."""
    ratio = p.scale / q.scale
    variance_ratio = ratio * ratio
    shift = (p.loc - q.loc) / q.scale
    return 0.5 * (variance_ratio + shift * shift - 1 - variance_ratio.log())


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    """(log det S_q - log det S_p + trace(S_q^-1 S_p) + |L_q^-1 (m_q - m_p)|^2 - n) / 2,
    with trace(S_q^-1 S_p) = |L_q^-1 L_p|^2 (squared Frobenius norm)."""
    if p.event_shape != q.event_shape:
        raise ValueError(f"kl_divergence: MultivariateNormal distributions over vectors of "
                         f"different sizes, {tuple(p.event_shape)} and {tuple(q.event_shape)}")
    n = p.event_shape[0]
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    log_det_gap = half_log_det(lq) - half_log_det(lp)
    whitened = solve_triangular(lq, lp, upper=False)
    trace = (whitened * whitened).sum((-2, -1))
    distance = squared_mahalanobis(lq, q.loc - p.loc)
    return log_det_gap + 0.5 * (trace + distance - n)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """The base distributions' KL summed over the reinterpreted dims."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            f"kl_divergence: Independent distributions with different reinterpreted_batch_ndims "
            f"({p.reinterpreted_batch_ndims} and {q.reinterpreted_batch_ndims})")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p log(p / q) + (1 - p) log((1 - p) / (1 - q)), with log p = -softplus(-l) and
    log(1 - p) = -softplus(l) for logits l; +inf where q puts no mass on a value p can take."""
    ones = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    ones = where(p.probs.array == 0, 0.0, _inf_where(q.probs.array == 0, ones))
    zeros = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    zeros = where(p.probs.array == 1, 0.0, _inf_where(q.probs.array == 1, zeros))
    return ones + zeros


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """sum_k p_k (log p_k - log q_k); classes with p_k = 0 add nothing, classes with
    p_k > 0 = q_k make it +inf."""
    terms = p.probs * (p.logits - q.logits)
    terms = where(p.probs.array == 0, 0.0, _inf_where(q.probs.array == 0, terms))
    return terms.sum(-1)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((high_q - low_q) / (high_p - low_p)) when [low_p, high_p) lies inside
    [low_q, high_q), else +inf."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _inf_where((q.low.array > p.low.array) | (q.high.array < p.high.array), result)
