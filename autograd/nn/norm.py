"""Normalisation layers: BatchNorm1d/2d, InstanceNorm2d, GroupNorm, LayerNorm.

Each normalises (x - mean) / sqrt(var + eps) over some dims, then applies an
optional per-channel scale ``weight`` (init 1) and shift ``bias`` (init 0).
They differ only in which dims the statistics are taken over (ops/norm.py).
"""
from .. import creation
from ..dtypes import int64
from . import functional as F
from .checks import expect_channels, expect_input
from .module import Module
from .parameter import Parameter


def _add_affine_parameters(module, shape, affine, bias, device, dtype):
    """weight (ones) and bias (zeros) of the given shape, or both registered as None."""
    module.register_parameter("weight", Parameter(creation.ones(shape, dtype=dtype, device=device))
                              if affine else None)
    module.register_parameter("bias", Parameter(creation.zeros(shape, dtype=dtype, device=device))
                              if affine and bias else None)


class _NormBase(Module):
    """Affine parameters and (optionally) running statistics for ``num_features`` channels."""

    def __init__(self, num_features, eps, momentum, affine, track_running_stats, device, dtype):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _add_affine_parameters(self, num_features, affine, True, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", creation.zeros((), dtype=int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def _momentum_for_this_step(self):
        """Count the batch; momentum=None means a cumulative average (1 / batches seen)."""
        if not (self.training and self.track_running_stats):
            return 0.0 if self.momentum is None else self.momentum
        self.num_batches_tracked.array[...] += 1
        if self.momentum is None:
            return 1.0 / int(self.num_batches_tracked.array)
        return self.momentum

    def _name(self):
        return f"{type(self).__name__}({self.num_features})"

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    input_dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, x):
        expect_channels(self._name(), x, self.input_dims, self.num_features)
        momentum = self._momentum_for_this_step()
        # batch statistics while training, or always when no running statistics are kept
        use_batch_stats = self.training or not self.track_running_stats
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Statistics per feature over the batch (and length): input (N, C) or (N, C, L)."""
    input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Statistics per channel over the batch and both spatial dims: input (N, C, H, W)."""
    input_dims = (4,)


class InstanceNorm2d(_NormBase):
    """Statistics per sample and channel over H and W (used by WGAN-GP's critic)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, x):
        expect_channels(self._name(), x, (4,), self.num_features)
        # as PyTorch: no batch counting here, and momentum=None leaves running stats alone
        momentum = 0.0 if self.momentum is None else self.momentum
        use_input_stats = self.training or not self.track_running_stats
        return F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                               use_input_stats, momentum, self.eps)


class GroupNorm(Module):
    """Statistics per sample over groups of channels (and all spatial dims)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_groups={num_groups} must divide num_channels={num_channels}")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _add_affine_parameters(self, num_channels, affine, True, device, dtype)

    def forward(self, x):
        expect_input(f"GroupNorm({self.num_groups}, {self.num_channels})", x,
                     f"(N, {self.num_channels}, *)", x.ndim >= 2 and x.shape[1] == self.num_channels)
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class LayerNorm(Module):
    """Statistics per sample over the last dims given by ``normalized_shape``."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape, self.eps = tuple(normalized_shape), eps
        self.elementwise_affine = elementwise_affine
        _add_affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def forward(self, x):
        n = len(self.normalized_shape)
        expect_input(f"LayerNorm({self.normalized_shape})", x, f"(*, {', '.join(map(str, self.normalized_shape))})",
                     x.shape[x.ndim - n:] == self.normalized_shape)
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
