"""Likelihoods in the units papers report, and the importance-weighted bound.

    bits_per_dim            nats per example -> bits per dimension
    bits_per_dim_8bit       the same, for a density over dequantised images scaled to [0, 1]
    rescaling_log_det       D log 256: the correction between the two
    log_mean_exp            log (1/k) sum_i exp(v_i), computed stably
    iwae_bound              the importance-weighted bound on log p(x) from k log-weights

``bits_per_dim``, ``bits_per_dim_8bit`` and ``log_mean_exp`` / ``iwae_bound`` accept
NumPy values (float64) and autograd Tensors; given Tensors they return Tensors, so
they can be used inside a loss.
"""
import math

import numpy

import autograd

LOG2 = math.log(2.0)


# ============================================================================
# Likelihoods: nats -> bits per dimension, and the corrections between spaces
# ============================================================================
def bits_per_dim(nll_nats, num_dims):
    """Negative log-likelihood in nats (per example, summed over its dimensions) -> bits per dimension.

        bpd = nll / (D log 2)

    ``nll_nats`` may be a number, a NumPy array (one value per example) or a Tensor.
    This is the plain change of units; for a model of dequantised images scaled to
    [0, 1] use ``bits_per_dim_8bit``, which adds the correction D log 256 first.
    """
    _check_num_dims(num_dims)
    return nll_nats / (num_dims * LOG2)


def rescaling_log_det(num_dims, scale=256.0):
    """D log(scale): the nats gained by squeezing D values into an interval ``scale`` times smaller.

    Images x in {0, ..., 255}^D are dequantised as u = x + v, v ~ U[0, 1)^D, and scaled
    y = u / 256 in [0, 1)^D.  A model density q over y is a density over u of
        q_u(u) = q(u / 256) 256^(-D),   so   log q_u(u) = log q(y) - D log 256.
    The probability of the discrete image is the mass of its unit cube, and by Jensen
        log P(x) = log E_v[q_u(x + v)] >= E_v[log q(y)] - D log 256,
    so nll_8bit <= nll_scaled + D log 256: this function returns D log 256.
    """
    _check_num_dims(num_dims)
    return num_dims * math.log(scale)


def bits_per_dim_8bit(nll_scaled, num_dims, scale=256.0):
    """Bits per dimension of 8-bit images, from the NLL (nats) of a density over the [0, 1] scale.

        bpd = (nll_scaled + D log 256) / (D log 2) = nll_scaled / (D log 2) + 8

    ``nll_scaled`` = -log q(y) for y = (x + v) / 256 dequantised as in ``rescaling_log_det``
    (average it over examples and noise draws).  A model that works in logit space,
    z = logit(alpha + (1 - 2 alpha) y), first converts its density with
        nll_scaled = nll_logit - logit_log_det(y, alpha).
    For example the uniform density on [0, 1]^D has nll_scaled = 0, hence exactly 8 bits/dim.
    """
    return bits_per_dim(nll_scaled + rescaling_log_det(num_dims, scale), num_dims)


def _check_num_dims(num_dims):
    if isinstance(num_dims, bool) or not isinstance(num_dims, (int, numpy.integer)) or num_dims <= 0:
        raise ValueError(f"num_dims must be a positive integer (e.g. 784 for MNIST), got {num_dims!r}")


# ============================================================================
# Importance-weighted bounds
# ============================================================================
def log_mean_exp(values, axis=0):
    """log( (1/k) sum_i exp(v_i) ) along ``axis`` (k = its length), without overflow or underflow.

        log_mean_exp(v) = m + log( (1/k) sum_i exp(v_i - m) ),   m = max_i v_i

    Every exp(v_i - m) is at most 1 and the largest is exactly 1, so neither the sum
    nor its log can overflow or become log(0), for values near +-1000 as for values
    near 0.  Where all values are -inf the result is -inf.  NumPy in, NumPy out
    (float64); a Tensor in gives a Tensor out (autograd's logsumexp, differentiable).
    """
    if isinstance(values, autograd.Tensor):
        return autograd.logsumexp(values, dim=axis) - math.log(values.shape[axis])
    values = numpy.asarray(values, dtype=numpy.float64)
    k = values.shape[axis]
    if k == 0:
        raise ValueError("log_mean_exp: cannot average over an empty axis")
    m = numpy.max(values, axis=axis, keepdims=True)
    m = numpy.where(numpy.isfinite(m), m, 0.0)      # all -inf (or an inf): keep exp well defined
    with numpy.errstate(divide="ignore"):
        result = m + numpy.log(numpy.mean(numpy.exp(values - m), axis=axis, keepdims=True))
    return numpy.squeeze(result, axis=axis)


def iwae_bound(log_weights):
    """The importance-weighted lower bound on log p(x), one value per example.

    ``log_weights`` has shape (k, N): w_ij = log p(x_j, z_ij) - log q(z_ij | x_j) for
    k samples z_ij ~ q(z | x_j).  The bound (Burda et al. 2016) is

        L_k(x_j) = log (1/k) sum_i exp(w_ij)  <=  log p(x_j),

    computed with ``log_mean_exp``.  L_1 is the ELBO; by Jensen L_k >= mean_i w_ij,
    and in expectation L_k never decreases with k and tends to log p(x) as k grows.
    """
    if not isinstance(log_weights, autograd.Tensor):
        log_weights = numpy.asarray(log_weights, dtype=numpy.float64)
    if log_weights.ndim != 2:
        raise ValueError(f"iwae_bound: log_weights must have shape (k, N), got {tuple(log_weights.shape)}")
    return log_mean_exp(log_weights, axis=0)
