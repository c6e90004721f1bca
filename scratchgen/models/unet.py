"""A small U-Net that predicts noise: eps_theta(x_t, t) for a diffusion model.

The network maps a noisy image x_t (N, C, H, W) and its timestep t (N,) to a
tensor of the same shape as x_t (DDPM reads it as the noise eps that was mixed
into the image; see ``ddpm.py``).  It follows the architecture of Ho et al.
(2020, Appendix B), scaled down to train on a CPU:

    t -> sinusoidal embedding -> Linear -> SiLU -> Linear                 the time vector
    x -> Conv3x3
      -> per level: [AvgPool 2x2 below the first level] TimeResidualBlock(s)   the encoder; each
                                                                         level's last map is kept as a skip
      -> TimeResidualBlock -> SelfAttention -> TimeResidualBlock          the middle, lowest resolution
      -> per level, lowest first: [nearest 2x upsampling above the lowest]
         concatenate that level's skip -> TimeResidualBlock(s)            the decoder
      -> GroupNorm -> SiLU -> Conv3x3                                     back to C channels

* **Residual block**: h = Conv(SiLU(GroupNorm(x))); h += Linear(SiLU(time)) as a
  per-channel shift, so every block knows the noise level; h =
  Conv(SiLU(GroupNorm(h))); output h + x (a 1x1 conv on x when the widths differ).
* **Skip connections**: each decoder level concatenates, along the channels, the
  encoder's map of the same resolution, so the fine detail that pooling threw
  away comes back.
* **Resampling without convolutions** (Ho et al.'s ``resamp_with_conv=False``):
  2x2 average pooling down, nearest-neighbour doubling up.  A strided or
  post-upsampling 3x3 convolution at the wider level's width was, at full
  resolution, the most expensive layer of the network.
* **Sinusoidal embedding** (Vaswani et al. 2017): the integer t becomes
  [sin(t w_0), ..., sin(t w_{d/2-1}), cos(t w_0), ..., cos(t w_{d/2-1})] with
  frequencies w_k = 10000^(-k / (d/2)), so nearby timesteps get nearby vectors
  and the network can tell t = 3 from t = 300 at every scale.
* **Self-attention** at the lowest resolution: every pixel looks at every other
  one, softmax(Q^T K / sqrt(C)) weighting V, so the coarse layout of a digit is
  decided globally.

Each level halves H and W, so H and W must be divisible by 2^(levels - 1):
with three levels, 28 x 28 goes 28 -> 14 -> 7 and 32 x 32 goes 32 -> 16 -> 8.
"""
import math

import autograd as torch
from autograd import backend, nn
from autograd.nn import functional as F
from autograd.function import ShapeError


def timestep_embedding(t, dim):
    """Integer timesteps t (N,) -> (N, dim) sinusoidal features (float32, no gradient).

    Half the features are sin(t w_k), half cos(t w_k), w_k = 10000^(-k / (dim/2)).
    """
    if dim % 2:
        raise ValueError(f"timestep_embedding: dim must be even, got {dim}")
    xp = backend.get_array_module(t.array)
    half = dim // 2
    frequencies = xp.exp(-math.log(10000.0) * xp.arange(half, dtype=xp.float64) / half)
    angles = t.array.astype(xp.float64)[:, None] * frequencies[None, :]
    return torch.Tensor(xp.concatenate([xp.sin(angles), xp.cos(angles)], axis=1).astype(xp.float32))


class TimeResidualBlock(nn.Module):
    """A residual block that knows the timestep: GroupNorm-SiLU-Conv twice, with the time
    vector added in between, plus a skip path."""

    def __init__(self, in_channels, out_channels, time_dim, groups):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.norm1 = nn.GroupNorm(_groups_for(groups, in_channels), in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_projection = nn.Linear(time_dim, out_channels)
        self.norm2 = nn.GroupNorm(_groups_for(groups, out_channels), out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.activation = nn.SiLU()
        # the skip path must change the width when the block does
        self.skip = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x, time):
        h = self.conv1(self.activation(self.norm1(x)))
        shift = self.time_projection(self.activation(time))           # (N, out_channels)
        h = h + shift.reshape(shift.shape[0], self.out_channels, 1, 1)
        h = self.conv2(self.activation(self.norm2(h)))
        return h + self.skip(x)


class SelfAttention(nn.Module):
    """Single-head self-attention over the H*W positions of a feature map, with a residual."""

    def __init__(self, channels, groups):
        super().__init__()
        self.channels = channels
        self.norm = nn.GroupNorm(_groups_for(groups, channels), channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)    # queries, keys, values in one product
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).chunk(3, dim=1)
        q, k, v = q.reshape(n, c, h * w), k.reshape(n, c, h * w), v.reshape(n, c, h * w)
        weights = torch.softmax(q.transpose(1, 2) @ k / math.sqrt(c), dim=2)  # (N, HW, HW): query i, key j
        attended = v @ weights.transpose(1, 2)                                # (N, C, HW)
        return x + self.out(attended.reshape(n, c, h, w))


class UNet(nn.Module):
    """eps_theta(x_t, t): (N, C, H, W) images and (N,) integer timesteps -> (N, C, H, W).

    base_channels: the width at full resolution; level i has base_channels * channel_mults[i].
    blocks_per_level: residual blocks per level, on the way down and on the way up.
    attention: self-attention in the middle, at the lowest resolution.
    groups: GroupNorm groups (fewer when a width is not divisible).
    """

    def __init__(self, in_channels=1, base_channels=16, channel_mults=(1, 2, 2), blocks_per_level=1,
                 attention=True, groups=8):
        super().__init__()
        if blocks_per_level < 1 or not channel_mults:
            raise ValueError(f"UNet: need at least one level and one block per level, got "
                             f"channel_mults={channel_mults}, blocks_per_level={blocks_per_level}")
        self.in_channels, self.base_channels = in_channels, base_channels
        self.levels = len(channel_mults)
        widths = [base_channels * mult for mult in channel_mults]
        time_dim = 4 * base_channels
        self.time_mlp = nn.Sequential(nn.Linear(base_channels, time_dim), nn.SiLU(),
                                      nn.Linear(time_dim, time_dim))
        self.conv_in = nn.Conv2d(in_channels, base_channels, 3, padding=1)
        self.down = nn.ModuleList()     # one list of blocks per level
        width = base_channels
        for level_width in widths:
            blocks = [TimeResidualBlock(width if i == 0 else level_width, level_width, time_dim, groups)
                      for i in range(blocks_per_level)]
            self.down.append(nn.ModuleList(blocks))
            width = level_width
        self.middle_block1 = TimeResidualBlock(width, width, time_dim, groups)
        self.middle_attention = SelfAttention(width, groups) if attention else nn.Identity()
        self.middle_block2 = TimeResidualBlock(width, width, time_dim, groups)
        self.up = nn.ModuleList()       # level by level from the lowest; the first block takes the skip too
        for level_width in reversed(widths):
            blocks = [TimeResidualBlock(width + level_width if i == 0 else level_width, level_width, time_dim, groups)
                      for i in range(blocks_per_level)]
            self.up.append(nn.ModuleList(blocks))
            width = level_width
        self.norm_out = nn.GroupNorm(_groups_for(groups, width), width)
        self.conv_out = nn.Conv2d(width, in_channels, 3, padding=1)

    def forward(self, x, t):
        self._check_inputs(x, t)
        time = self.time_mlp(timestep_embedding(t, self.base_channels).to(x.device, x.dtype))
        h, skips = self.conv_in(x), []
        for level, blocks in enumerate(self.down):
            if level > 0:
                h = F.avg_pool2d(h, 2)                     # halve H and W
            for block in blocks:
                h = block(h, time)
            skips.append(h)
        h = self.middle_block2(self.middle_attention(self.middle_block1(h, time)), time)
        for level, blocks in enumerate(self.up):
            if level > 0:
                h = F.interpolate(h, scale_factor=2)       # double H and W (nearest neighbour)
            h = torch.cat([h, skips.pop()], dim=1)         # the encoder's map at this resolution
            for block in blocks:
                h = block(h, time)
        return self.conv_out(F.silu(self.norm_out(h)))

    def _check_inputs(self, x, t):
        factor = 2 ** (self.levels - 1)
        if x.ndim != 4 or x.shape[1] != self.in_channels or x.shape[2] % factor or x.shape[3] % factor:
            raise ShapeError(f"UNet(in_channels={self.in_channels}, levels={self.levels}): expected input "
                             f"(N, {self.in_channels}, H, W) with H and W divisible by {factor}, "
                             f"got {tuple(x.shape)}")
        if t.ndim != 1 or t.shape[0] != x.shape[0] or t.dtype.kind not in "iu":
            raise ShapeError(f"UNet: expected integer timesteps of shape ({x.shape[0]},), one per image, "
                             f"got {t.dtype} {tuple(t.shape)}")


def _groups_for(groups, channels):
    """The largest number of groups, at most ``groups``, that divides both ``groups`` and
    ``channels`` (GroupNorm needs the groups to divide the channels)."""
    return math.gcd(groups, channels)
