"""Normalisation: batch_norm, instance_norm, group_norm and layer_norm.

All four do the same thing over a different set of elements: subtract the
mean, divide by the standard deviation, then (optionally) scale and shift by
learnt per-channel (or per-feature) ``weight`` and ``bias``::

    y = (x - mean) / sqrt(var + eps) * weight + bias

The variance here is the biased one (divide by n, not n - 1), as in PyTorch.
What differs is which elements share one mean and variance:

=============  ===========================  ===================================
op             input                        statistics over
=============  ===========================  ===================================
batch_norm     (N, C) or (N, C, *spatial)   N and spatial: one pair per channel
instance_norm  (N, C, *spatial)             spatial: one pair per (sample, channel)
group_norm     (N, C, *spatial)             C/G channels and spatial: per (sample, group)
layer_norm     (*, *normalized_shape)       the trailing normalized_shape dims
=============  ===========================  ===================================

``_normalize_composed`` below is the heart of all four.  It is a composition of
differentiable ops (mean, subtract, multiply, rsqrt), so the backward pass,
and the backward of the backward (WGAN-GP's gradient penalty runs through
instance_norm and layer_norm), come from those ops with no extra code.  The four
ops call ``Normalize``, the same computation as a single op whose backward is
written out (about a third of the passes over memory); when a second derivative
is asked for, that backward falls back on the composition.

Running statistics (batch_norm, instance_norm) are buffers, not parameters:
in training they are updated in place, on their ``.data`` arrays, outside the
graph, with::

    running = (1 - momentum) * running + momentum * batch_statistic

where the batch variance is the *unbiased* one (divide by n - 1), as PyTorch
does.  Only a float ``momentum`` is accepted.  PyTorch's ``momentum=None``
(a cumulative average) is a Module setting: the BatchNorm module counts
``num_batches_tracked`` and passes ``momentum = 1 / num_batches_tracked``
to this function.  In evaluation mode the running statistics are used as
constants: no gradient flows into them.
"""
import math
import numbers

from .. import backend
from ..function import Function
from ..tensor import Tensor
from . import reduce
from .shape import reshape


# ----------------------------------------------------------------------------
# The shared pieces
# ----------------------------------------------------------------------------
def _normalize_composed(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over ``dims``, with the biased variance, as a
    composition of differentiable ops: the definition, and the test oracle of ``Normalize``.

    Returns the normalised tensor, and the mean and variance (reduced dims kept
    as size 1), which batch_norm and instance_norm need for their running stats.
    """
    mean = reduce.mean(x, dims, keepdim=True)
    centred = x - mean
    var = reduce.mean(centred * centred, dims, keepdim=True)
    # one rsqrt per statistic, then a multiply over the whole tensor
    return centred * (var + eps).rsqrt(), mean, var


class Normalize(Function):
    """``_normalize_composed`` as one op: its ten or so recorded ops, each a full pass over
    x forward and backward, become three passes forward and one formula backward.

    With xhat = (x - mean) r and r = 1 / sqrt(var + eps), over the n values that share
    a mean, the gradient is (the mean's and the variance's own terms folded in):

        dx = r * (g - mean(g) - xhat * mean(g * xhat))
    """

    def __init__(self, dims, eps):
        self.dims, self.eps = dims, eps

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.mean = x.mean(axis=self.dims, keepdims=True)
        centred = x - self.mean
        self.var = xp.mean(centred * centred, axis=self.dims, keepdims=True)
        self.rstd = (1 / xp.sqrt(self.var + self.eps)).astype(x.dtype, copy=False)
        return centred * self.rstd

    def backward(self, g):
        # xhat and r rebuilt from x, so that the result is differentiable again
        xhat, _, var = _normalize_composed(self.inputs[0], self.dims, self.eps)
        rstd = (var + self.eps).rsqrt()
        mean_g = reduce.mean(g, self.dims, keepdim=True)
        mean_g_xhat = reduce.mean(g * xhat, self.dims, keepdim=True)
        return rstd * (g - mean_g - xhat * mean_g_xhat)

    def backward_arrays(self, g):
        xhat = self.saved_output().array
        mean_g = g.mean(axis=self.dims, keepdims=True)
        mean_g_xhat = (g * xhat).mean(axis=self.dims, keepdims=True)
        return self.rstd * (g - mean_g - xhat * mean_g_xhat)


def _normalize(x, dims, eps):
    """``Normalize``: the normalised tensor and the (constant) mean and variance."""
    op = Normalize(tuple(d % x.ndim for d in dims), eps)
    y = op(x)
    return y, Tensor(op.mean), Tensor(op.var)


def _normalize_with(x, mean, var, eps, shape):
    """(x - mean) / sqrt(var + eps) with given (running) statistics, used as constants."""
    mean = reshape(mean.detach(), shape)
    var = reshape(var.detach(), shape)
    return (x - mean) * (var + eps).rsqrt()


def _affine(y, weight, bias, shape):
    """y * weight + bias, each viewed as ``shape`` so that it broadcasts against y."""
    if weight is not None:
        y = y * reshape(weight, shape)
    if bias is not None:
        y = y + reshape(bias, shape)
    return y


def _update_running(stat, batch_value, momentum):
    """stat <- (1 - momentum) * stat + momentum * batch_value, written into ``stat.array``.

    Raw arrays on purpose: a running statistic is a buffer, not part of the graph.
    """
    data = stat.array
    batch_value = batch_value.reshape(data.shape).astype(data.dtype, copy=False)
    data[...] = (1 - momentum) * data + momentum * batch_value


def _channel_shape(x):
    """(1, C, 1, ..., 1): a per-channel vector viewed to broadcast against x."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _check_input(op, x, what="(N, C) or (N, C, *spatial)"):
    if x.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape {what}, got shape {tuple(x.shape)}")


def _check_per_channel(op, x, **vectors):
    """Each of ``vectors`` (None, or one value per channel of x) must hold C values."""
    channels = x.shape[1]
    for name, t in vectors.items():
        if t is not None and math.prod(t.shape) != channels:
            raise ValueError(
                f"{op}: {name} should have shape ({channels},), one value per channel of the "
                f"input of shape {tuple(x.shape)}, but got shape {tuple(t.shape)}")


def _check_pair(op, running_mean, running_var):
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{op}: running_mean and running_var must either both be None "
                         "or neither be None")


def _check_momentum(op, momentum):
    if not isinstance(momentum, numbers.Real):
        raise TypeError(
            f"{op}: momentum must be a float, got {momentum!r}; for a cumulative average "
            "(momentum=None in PyTorch's BatchNorm modules) the module passes "
            "momentum = 1 / num_batches_tracked")


# ----------------------------------------------------------------------------
# The four ops
# ----------------------------------------------------------------------------
def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel of x (N, C, *spatial) over the batch and spatial dims.

    training=True: use the batch's own mean and biased variance, and, when
    running_mean and running_var are given (Tensors of C values), update them in
    place with ``momentum`` (the variance unbiased).  training=False: normalise
    with the running statistics, which must then be given.
    """
    _check_input("batch_norm", x)
    _check_pair("batch_norm", running_mean, running_var)
    _check_per_channel("batch_norm", x, running_mean=running_mean, running_var=running_var,
                       weight=weight, bias=bias)
    shape = _channel_shape(x)
    if training and x.shape[0] == 0:   # an empty batch: nothing to normalise, no statistic to learn
        return _affine(x, weight, bias, shape)
    if training:
        count = math.prod(x.shape) // x.shape[1]  # values per channel
        if count == 1:
            raise ValueError("batch_norm: Expected more than 1 value per channel when training, "
                             f"got input of shape {tuple(x.shape)}")
        dims = (0,) + tuple(range(2, x.ndim))
        y, mean, var = _normalize(x, dims, eps)
        if running_mean is not None:
            _check_momentum("batch_norm", momentum)
            _update_running(running_mean, mean.array, momentum)
            _update_running(running_var, var.array * (count / (count - 1)), momentum)
    else:
        if running_mean is None:
            raise ValueError("batch_norm: running_mean and running_var must be given in "
                             "evaluation mode (training=False)")
        y = _normalize_with(x, running_mean, running_var, eps, shape)
    return _affine(y, weight, bias, shape)


def instance_norm(x, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample of x (N, C, *spatial) over its spatial dims.

    With use_input_stats (the default) the statistics are each instance's own;
    running_mean and running_var, when given, are updated in place with the
    average over the batch of those statistics (the variances unbiased).
    use_input_stats=False normalises with the running statistics instead.
    """
    _check_input("instance_norm", x, "(N, C, *spatial)")
    _check_pair("instance_norm", running_mean, running_var)
    _check_per_channel("instance_norm", x, running_mean=running_mean, running_var=running_var,
                       weight=weight, bias=bias)
    shape = _channel_shape(x)
    if use_input_stats:
        count = math.prod(x.shape[2:])  # values per instance and channel
        if count == 1:
            raise ValueError("instance_norm: Expected more than 1 spatial element when training, "
                             f"got input of shape {tuple(x.shape)}")
        y, mean, var = _normalize(x, tuple(range(2, x.ndim)), eps)
        if running_mean is not None:
            _check_momentum("instance_norm", momentum)
            _update_running(running_mean, mean.array.mean(axis=0), momentum)
            _update_running(running_var, var.array.mean(axis=0) * (count / (count - 1)), momentum)
    else:
        if running_mean is None:
            raise ValueError("instance_norm: running_mean and running_var must be given "
                             "when use_input_stats=False")
        y = _normalize_with(x, running_mean, running_var, eps, shape)
    return _affine(y, weight, bias, shape)


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels of x (N, C, *spatial) into ``num_groups`` groups of
    consecutive channels and normalise each group of each sample on its own."""
    _check_input("group_norm", x)
    n, channels = x.shape[:2]
    if num_groups < 1 or channels % num_groups:
        raise ValueError(f"group_norm: the number of channels must be divisible by num_groups, "
                         f"got input of shape {tuple(x.shape)} and num_groups={num_groups}")
    _check_per_channel("group_norm", x, weight=weight, bias=bias)
    grouped = reshape(x, (n, num_groups, math.prod(x.shape) // max(n * num_groups, 1)))
    y, _, _ = _normalize(grouped, (2,), eps)
    return _affine(reshape(y, x.shape), weight, bias, _channel_shape(x))


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last dims of x, those given by ``normalized_shape`` (an int
    or a tuple); weight and bias, when given, have shape normalized_shape."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != normalized_shape:
        raise ValueError(f"layer_norm: normalized_shape={normalized_shape} expects an input of "
                         f"shape (*, {', '.join(map(str, normalized_shape))}), "
                         f"got shape {tuple(x.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise ValueError(f"layer_norm: {name} should have shape normalized_shape="
                             f"{normalized_shape}, but got shape {tuple(t.shape)}")
    y, _, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    return _affine(y, weight, bias, normalized_shape)
