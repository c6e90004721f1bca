"""Coupling flows: NICE (Dinh et al. 2015) and RealNVP (Dinh et al. 2017).

A flow reaches an unknown distribution p_X from a known one, p_Z = N(0, I), through
an invertible map f (x -> z = f(x)) whose parameters a network learns.  The change
of variables formula gives the exact density of every x:

    log p_X(x) = log p_Z(f(x)) + log |det (df/dx)|.

f is a composition f = f_K o ... o f_1, so the log-determinant is a sum over layers,
and sampling runs the inverse: x = f^-1(z), z ~ N(0, I) (``sample`` draws
z ~ N(0, T^2 I) for a temperature T < 1, which trades variety for clean samples).

Coupling layers.  A binary mask b splits x into a part x_b that passes unchanged
and a part that is transformed with a scale s and shift t computed from x_b alone:

    affine (RealNVP):    y = b * x + (1 - b) * (x * exp(s(b * x)) + t(b * x))
    additive (NICE):     y = b * x + (1 - b) * (x + t(b * x))

The Jacobian dy/dx is triangular (ordering the kept dimensions first): the kept part
is the identity, the transformed part depends on itself only elementwise, and the
block below the diagonal (d y_transformed / d x_kept, where s and t live) never enters
the determinant.  So

    log |det dy/dx| = sum_j (1 - b_j) s_j(b * x)     (0 for the additive coupling),

however complicated the networks s and t are, and the inverse is as cheap:

    x = b * y + (1 - b) * (y - t(b * y)) * exp(-s(b * y)).

Here s = scale * tanh(raw_s), with one learned scale per channel: tanh bounds the
log-scale so that one step cannot blow up, the scale lets it grow where it must.
NICE's couplings keep volume, so NICE ends with a learned diagonal scaling
z = exp(S) * h (log-det sum S) to let the density contract.

Masks: the checkerboard (b = 1 where row + column is even, or odd) and the
channel-wise mask (b = 1 on the first half of the channels, or the second).
Successive couplings alternate the mask, so every value is transformed.

Multi-scale (RealNVP, section 3.6).  ``squeeze`` turns each 2 x 2 block of a
C x H x W tensor into channels, C x H x W -> 4C x H/2 x W/2 (a permutation: log-det 0).
One level is: checkerboard couplings, squeeze, channel-wise couplings, and then half
of the channels are *factored out*: they are final latent values, and only the other
half is transformed further.  After the last level come a few checkerboard couplings.

The networks s, t are small CNNs with batch normalisation inside them.  In eval mode
BatchNorm is a fixed affine map (running statistics), and in train mode it depends on
the batch of x_b only; either way s and t are functions of the kept part, so the
flow stays exactly invertible and the normalisation never enters the Jacobian.

Images.  8-bit pixels k are dequantised, x = (k + u) / 256 with u ~ U[0, 1)
(``dequantize``), and mapped to the real line by the logit transform

    y = logit(alpha + (1 - 2 alpha) x),
    log |det dy/dx| = sum [log(1 - 2 alpha) - log p - log(1 - p)],  p = alpha + (1 - 2 alpha) x,

so ``log_prob(x)`` is a density over [0, 1]^D that counts every Jacobian term: the
logit's, each coupling's, and NICE's scaling.  In bits per dimension of 8-bit images
(``scratchgen.metrics.bits_per_dim_8bit``) it is (-log p(x) + D log 256) / (D log 2).
"""
import math

import numpy

import autograd as torch
from autograd import nn
from autograd.distributions import Normal
from autograd.function import ShapeError

from ..metrics import bits_per_dim_8bit

COUPLINGS = ("affine", "additive")


def standard_normal_log_prob(z):
    """log N(z; 0, I) of each example, summed over all but the batch dim."""
    standard = Normal(z.new_zeros(()), z.new_ones(()))
    return standard.log_prob(z).flatten(1).sum(dim=1)


def dequantize(pixels):
    """Pixel values k in {0, ..., 255} (a float Tensor) -> (k + u) / 256, u ~ U[0, 1)."""
    return (pixels + torch.rand_like(pixels)) / 256


# ----------------------------------------------------------------------------
# Squeeze and masks
# ----------------------------------------------------------------------------
def squeeze(x):
    """(N, C, H, W) -> (N, 4C, H/2, W/2): each 2 x 2 block of pixels becomes 4 channels."""
    n, c, h, w = x.shape
    if h % 2 or w % 2:
        raise ShapeError(f"squeeze: expected an even height and width, got {tuple(x.shape)}")
    x = x.reshape(n, c, h // 2, 2, w // 2, 2)
    return x.permute(0, 1, 3, 5, 2, 4).reshape(n, 4 * c, h // 2, w // 2)


def unsqueeze(x):
    """The inverse of ``squeeze``: (N, 4C, H, W) -> (N, C, 2H, 2W)."""
    n, c4, h, w = x.shape
    if c4 % 4:
        raise ShapeError(f"unsqueeze: expected a channel count divisible by 4, got {tuple(x.shape)}")
    x = x.reshape(n, c4 // 4, 2, 2, h, w)
    return x.permute(0, 1, 4, 2, 5, 3).reshape(n, c4 // 4, 2 * h, 2 * w)


def checkerboard_mask(shape, parity):
    """(1, C, H, W) float mask: 1 where (row + column) % 2 == parity, the same in every channel."""
    channels, height, width = shape
    rows, columns = numpy.indices((height, width))
    board = ((rows + columns) % 2 == parity).astype(numpy.float32)
    return numpy.broadcast_to(board, (1, channels, height, width)).copy()


def channel_mask(shape, parity):
    """(1, C, ...) float mask: 1 on the first half of the channels (parity 0) or the second (1).

    shape is (C, H, W) for images or (D,) for vectors, where it halves the D values."""
    channels = shape[0]
    if channels < 2:
        raise ValueError(f"channel_mask: need at least 2 channels to split, got shape {shape}")
    first_half = numpy.arange(channels) < channels // 2
    keep = (first_half if parity == 0 else ~first_half).astype(numpy.float32)
    per_channel = keep.reshape(1, channels, *([1] * (len(shape) - 1)))
    return numpy.broadcast_to(per_channel, (1, *shape)).copy()


# ----------------------------------------------------------------------------
# The coupling layer and the networks inside it
# ----------------------------------------------------------------------------
def conv_net(channels, hidden, out_channels, norm=True):
    """The s/t network of an image coupling: 3x3 conv, 1x1 conv, 3x3 conv, with BatchNorm and
    ReLU between.  The last layer starts at zero, so every coupling starts as the identity."""
    def normalised(layer, width):
        return [layer, nn.BatchNorm2d(width)] if norm else [layer]
    net = nn.Sequential(*normalised(nn.Conv2d(channels, hidden, 3, padding=1), hidden), nn.ReLU(),
                        *normalised(nn.Conv2d(hidden, hidden, 1), hidden), nn.ReLU(),
                        nn.Conv2d(hidden, out_channels, 3, padding=1))
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


class PreActivationResidualBlock(nn.Module):
    """x + conv(relu(bn(conv(relu(bn(x)))))): two 3x3 convolutions that refine x
    rather than replace it, so a deeper network still starts close to its input."""

    def __init__(self, width, norm=True):
        super().__init__()
        layers = []
        for _ in range(2):
            layers += ([nn.BatchNorm2d(width)] if norm else []) + [nn.ReLU(), nn.Conv2d(width, width, 3, padding=1)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


def resnet_net(channels, hidden, out_channels, blocks, norm=True):
    """A deeper s/t network: 3x3 conv in, ``blocks`` residual blocks, then BatchNorm,
    ReLU and a 3x3 conv out (zero at the start, as in ``conv_net``)."""
    net = nn.Sequential(nn.Conv2d(channels, hidden, 3, padding=1),
                        *[PreActivationResidualBlock(hidden, norm) for _ in range(blocks)],
                        *([nn.BatchNorm2d(hidden)] if norm else []), nn.ReLU(),
                        nn.Conv2d(hidden, out_channels, 3, padding=1))
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


def mlp_net(dim, hidden, out_features, layers=2):
    """The s/t network of a coupling on D-dimensional points: ``layers`` hidden ReLU layers."""
    sizes = [dim] + [hidden] * layers
    parts = []
    for size_in, size_out in zip(sizes[:-1], sizes[1:]):
        parts += [nn.Linear(size_in, size_out), nn.ReLU()]
    net = nn.Sequential(*parts, nn.Linear(hidden, out_features))
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


class Coupling(nn.Module):
    """One affine (RealNVP) or additive (NICE) coupling with a fixed mask b.

    mask: a (1, C, ...) array of 0s and 1s, 1 where values pass unchanged.
    net: maps b * x (N, C, ...) to (N, 2C, ...) (raw_s, t) for affine, (N, C, ...) t for additive.
    """

    def __init__(self, mask, net, coupling="affine"):
        super().__init__()
        if coupling not in COUPLINGS:
            raise ValueError(f"Coupling: coupling must be one of {COUPLINGS}, got {coupling!r}")
        self.coupling, self.net = coupling, net
        self.register_buffer("mask", torch.tensor(mask), persistent=False)
        channels = mask.shape[1]
        # one learned scale per channel (per value for vectors) for s = scale * tanh(raw_s)
        self.scale = nn.Parameter(torch.ones(1, channels, *([1] * (mask.ndim - 2))))

    def _shift_and_log_scale(self, kept):
        """t and s from the kept part, both zero where the mask keeps values."""
        out = self.net(kept)
        free = 1 - self.mask
        if self.coupling == "additive":
            return out * free, None
        raw_s, t = out.chunk(2, dim=1)
        return t * free, self.scale * raw_s.tanh() * free

    def _check(self, x, name):
        if tuple(x.shape[1:]) != tuple(self.mask.shape[1:]):
            raise ShapeError(f"Coupling.{name}: expected input (N, {', '.join(map(str, self.mask.shape[1:]))}), "
                             f"got {tuple(x.shape)}")

    def forward(self, x):
        """x -> (y, log |det dy/dx| per example)."""
        self._check(x, "forward")
        kept = x * self.mask
        t, s = self._shift_and_log_scale(kept)
        if s is None:
            return x + t, _zeros_per_example(x)
        y = kept + (1 - self.mask) * (x * s.exp() + t)
        return y, s.flatten(1).sum(dim=1)

    def inverse(self, y):
        """y -> x, undoing ``forward`` exactly (up to rounding)."""
        self._check(y, "inverse")
        kept = y * self.mask
        t, s = self._shift_and_log_scale(kept)
        if s is None:
            return y - t
        return kept + (1 - self.mask) * ((y - t) * (-s).exp())


def _zeros_per_example(x):
    return torch.zeros(len(x), dtype=x.dtype, device=x.device)


class FlowSequence(nn.Module):
    """Invertible layers one after the other; the log-determinants add up."""

    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        log_det = _zeros_per_example(x)
        for layer in self.layers:
            x, layer_log_det = layer(x)
            log_det = log_det + layer_log_det
        return x, log_det

    def inverse(self, y):
        for layer in reversed(self.layers):
            y = layer.inverse(y)
        return y


class Squeeze(nn.Module):
    """``squeeze`` as a flow layer: a permutation of the values, so log-det 0."""

    def forward(self, x):
        return squeeze(x), _zeros_per_example(x)

    def inverse(self, y):
        return unsqueeze(y)


class DiagonalScaling(nn.Module):
    """NICE's last layer: z = exp(S) * h with one learned S per value; log-det sum(S)."""

    def __init__(self, shape):
        super().__init__()
        self.log_scale = nn.Parameter(torch.zeros(1, *shape))

    def forward(self, x):
        return x * self.log_scale.exp(), self.log_scale.flatten().sum() + _zeros_per_example(x)

    def inverse(self, y):
        return y * (-self.log_scale).exp()


def image_couplings(shape, count, mask_kind, hidden, coupling, norm, first_parity=0, blocks=0):
    """``count`` couplings on (C, H, W) tensors with alternating checkerboard or channel masks;
    their networks are ``conv_net`` (blocks=0) or ``resnet_net`` with that many residual blocks."""
    make_mask = checkerboard_mask if mask_kind == "checkerboard" else channel_mask
    out_channels = shape[0] * (2 if coupling == "affine" else 1)

    def network():
        if blocks:
            return resnet_net(shape[0], hidden, out_channels, blocks, norm)
        return conv_net(shape[0], hidden, out_channels, norm)
    return [Coupling(make_mask(shape, (first_parity + k) % 2), network(), coupling) for k in range(count)]


# ----------------------------------------------------------------------------
# The multi-scale image flow
# ----------------------------------------------------------------------------
class RealNVP(nn.Module):
    """Multi-scale coupling flow over images in [0, 1]^(C x H x W) (see the module docstring).

    image_shape: (C, H, W).  initial_squeeze: squeeze once before the first level, so its
    networks see H/2 x W/2 maps (4x fewer positions: much cheaper on a CPU).  levels: the
    number of levels that end by factoring out half of the channels.  couplings: per stage
    (checkerboard, then channel-wise, in each level); final_couplings: checkerboard couplings
    after the last level.  coupling: "affine" (RealNVP) or "additive" (NICE).
    """

    def __init__(self, image_shape=(1, 28, 28), levels=1, couplings=3, final_couplings=4, hidden=32,
                 coupling="affine", initial_squeeze=True, norm=True, alpha=0.05, blocks=0):
        super().__init__()
        if coupling not in COUPLINGS:
            raise ValueError(f"RealNVP: coupling must be one of {COUPLINGS}, got {coupling!r}")
        if not 0 <= alpha < 0.5:
            raise ValueError(f"RealNVP: alpha must be in [0, 0.5), got {alpha}")
        self.image_shape, self.alpha, self.coupling = tuple(image_shape), alpha, coupling
        self.initial_squeeze = initial_squeeze
        shape = self._squeezed(self.image_shape) if initial_squeeze else self.image_shape
        self.levels = nn.ModuleList()
        self.factored_shapes = []           # the shape of each part of z, in order
        for _ in range(levels):
            squeezed = self._squeezed(shape)
            self.levels.append(FlowSequence(
                image_couplings(shape, couplings, "checkerboard", hidden, coupling, norm, blocks=blocks)
                + [Squeeze()]
                + image_couplings(squeezed, couplings, "channel", hidden, coupling, norm, blocks=blocks)))
            shape = (squeezed[0] // 2, *squeezed[1:])
            self.factored_shapes.append(shape)
        self.final = FlowSequence(image_couplings(shape, final_couplings, "checkerboard", hidden, coupling, norm,
                                                  blocks=blocks))
        self.factored_shapes.append(shape)
        self.num_dims = int(numpy.prod(self.image_shape))
        self.scaling = DiagonalScaling((self.num_dims,)) if coupling == "additive" else None

    def _squeezed(self, shape):
        c, h, w = shape
        if h % 2 or w % 2:
            raise ValueError(f"RealNVP: cannot squeeze {c} x {h} x {w} maps (odd side); use fewer "
                             f"levels or initial_squeeze=False for image shape {self.image_shape}")
        return (4 * c, h // 2, w // 2)

    # -- the flow in logit space: y <-> z ---------------------------------
    def forward(self, y):
        """y (N, C, H, W) in logit space -> (z (N, D), log |det dz/dy| (N,))."""
        if tuple(y.shape[1:]) != self.image_shape or y.ndim != 4:
            raise ShapeError(f"RealNVP: expected input (N, {', '.join(map(str, self.image_shape))}), "
                             f"got {tuple(y.shape)}")
        h = squeeze(y) if self.initial_squeeze else y
        log_det, parts = _zeros_per_example(y), []
        for level in self.levels:
            h, level_log_det = level(h)
            log_det = log_det + level_log_det
            h, factored = h.chunk(2, dim=1)          # half of the channels leave the flow here
            parts.append(factored.flatten(1))
        h, final_log_det = self.final(h)
        z = torch.cat(parts + [h.flatten(1)], dim=1)
        log_det = log_det + final_log_det
        if self.scaling is not None:
            z, scaling_log_det = self.scaling(z)
            log_det = log_det + scaling_log_det
        return z, log_det

    def inverse(self, z):
        """z (N, D) -> y (N, C, H, W), undoing ``forward``."""
        if z.ndim != 2 or z.shape[1] != self.num_dims:
            raise ShapeError(f"RealNVP.inverse: expected z (N, {self.num_dims}), got {tuple(z.shape)}")
        if self.scaling is not None:
            z = self.scaling.inverse(z)
        sizes = [int(numpy.prod(shape)) for shape in self.factored_shapes]
        parts = [part.reshape(len(z), *shape)
                 for part, shape in zip(z.split(sizes, dim=1), self.factored_shapes)]
        h = self.final.inverse(parts[-1])
        for level, factored in zip(reversed(self.levels), reversed(parts[:-1])):
            h = level.inverse(torch.cat([h, factored], dim=1))
        return unsqueeze(h) if self.initial_squeeze else h

    # -- images in [0, 1] <-> logit space ------------------------------------
    def to_logit(self, x):
        """x in [0, 1] -> (y = logit(alpha + (1 - 2 alpha) x), log |det dy/dx| per example)."""
        p = self.alpha + (1 - 2 * self.alpha) * x
        log_p, log_one_minus_p = p.log(), torch.log1p(-p)
        log_det = (math.log(1 - 2 * self.alpha) - log_p - log_one_minus_p).flatten(1).sum(dim=1)
        return log_p - log_one_minus_p, log_det

    def from_logit(self, y):
        """The inverse of ``to_logit``: x = (sigmoid(y) - alpha) / (1 - 2 alpha)."""
        return (y.sigmoid() - self.alpha) / (1 - 2 * self.alpha)

    # -- the model's interface ----------------------------------------------
    def log_prob(self, x):
        """log p(x) per example, a density over dequantised images x in [0, 1]^D."""
        y, logit_log_det = self.to_logit(x)
        z, flow_log_det = self(y)
        return standard_normal_log_prob(z) + flow_log_det + logit_log_det

    def bits_per_dim(self, x):
        """Per example: -log2 of the 8-bit likelihood bound, per dimension (see the docstring)."""
        return bits_per_dim_8bit(-self.log_prob(x), self.num_dims)

    def loss(self, x):
        """Mean bits/dim of a batch of dequantised images: what training minimises."""
        return self.bits_per_dim(x).mean()

    def sample(self, n, temperature=1.0, device=None):
        """n images in [0, 1], (n, C, H, W), from z ~ N(0, temperature^2 I)."""
        z = torch.randn(n, self.num_dims, device=device, dtype=self.final.layers[0].scale.dtype)
        return self.from_logit(self.inverse(z * temperature)).clamp(0.0, 1.0)


# ----------------------------------------------------------------------------
# The flow for 2-D (or D-dimensional) points
# ----------------------------------------------------------------------------
class PointFlow(nn.Module):
    """Couplings with MLP networks on (N, D) points, alternating which half passes unchanged."""

    def __init__(self, dim=2, couplings=8, hidden=64, coupling="affine", layers=2):
        super().__init__()
        if coupling not in COUPLINGS:
            raise ValueError(f"PointFlow: coupling must be one of {COUPLINGS}, got {coupling!r}")
        self.dim = dim
        out_features = dim * (2 if coupling == "affine" else 1)
        steps = [Coupling(channel_mask((dim,), k % 2), mlp_net(dim, hidden, out_features, layers), coupling)
                 for k in range(couplings)]
        if coupling == "additive":
            steps.append(DiagonalScaling((dim,)))
        self.flow = FlowSequence(steps)

    def _check(self, x, name):
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ShapeError(f"PointFlow.{name}: expected points (N, {self.dim}), got {tuple(x.shape)}")

    def forward(self, x):
        """x (N, D) -> (z (N, D), log |det dz/dx| (N,))."""
        self._check(x, "forward")
        return self.flow(x)

    def inverse(self, z):
        self._check(z, "inverse")
        return self.flow.inverse(z)

    def log_prob(self, x):
        z, log_det = self(x)
        return standard_normal_log_prob(z) + log_det

    def loss(self, x):
        """Mean negative log-likelihood in nats per point."""
        return -self.log_prob(x).mean()

    def sample(self, n, temperature=1.0, device=None):
        dtype = self.flow.layers[0].scale.dtype
        return self.inverse(torch.randn(n, self.dim, device=device, dtype=dtype) * temperature)
