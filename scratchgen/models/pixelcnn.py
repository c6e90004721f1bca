"""PixelCNN (van den Oord, Kalchbrenner and Kavukcuoglu 2016): an exact likelihood, one pixel at a time.

Number the n = H * W pixels of an image in raster order (row by row, left to right
in each row).  Any distribution over images factorises by the chain rule:

    p(x) = prod_{i=1}^{n} p(x_i | x_1, ..., x_{i-1}) = prod_i p(x_i | x_<i).

A PixelCNN is one convolutional network that outputs, at every pixel i at once, the
parameters of p(x_i | x_<i):
- binary images: a logit, p(x_i = 1 | x_<i) = sigmoid(logit_i)  (binarised MNIST);
- 8-bit images: 256 logits, a softmax over the values 0..255     (8-bit MNIST).

For that to be a valid factorisation the output at i must not see x_i or any later
pixel.  *Masked convolutions* enforce it: each kernel is multiplied by a 0/1 mask
that keeps only the taps above the centre row and, on the centre row, left of the
centre.  The first layer uses mask A, which also zeroes the centre (its input is the
image, and pixel i must not see x_i); every later layer uses mask B, which keeps the
centre (its input at i is a feature that already depends only on x_<i).  For a 5 x 5
kernel (1 = kept):

    mask A      mask B
    1 1 1 1 1   1 1 1 1 1
    1 1 1 1 1   1 1 1 1 1
    1 1 0 0 0   1 1 1 0 0
    0 0 0 0 0   0 0 0 0 0
    0 0 0 0 0   0 0 0 0 0

1 x 1 convolutions mix channels at one pixel only, so they need no mask after the
first layer.  The mask multiplies the weight inside ``forward``, so the gradient of a
masked tap is zero too and the weight stays masked whatever the optimiser does.

Training maximises the exact log-likelihood: log p(x) = sum_i log p(x_i | x_<i) is
one forward pass (all conditionals in parallel, as the true x is given), and the loss
is its negative in nats: binary cross-entropy (binary) or cross-entropy (256-way),
summed over pixels.  Bits per dimension are nats / (n log 2).

Sampling has no such shortcut: x_i needs x_<i, so it takes n passes, one per pixel,
for a whole batch at once.  Each pass needs only the logits at pixel i, and those
depend only on a window around it: every masked k x k layer reaches k // 2 pixels up,
left and right, so the network's reach is R = sum over its masked layers of k // 2,
and pass i feeds just rows r - R..r and columns c - R..c + R of the image (zero
padding at the window's edges changes only outputs more than R pixels inside, never
pixel i).  Completing an image whose first pixels are given is the same loop started
at the first missing pixel.

Stacks of masked 3 x 3 convolutions leave a "blind spot" above and to the right of
each pixel (van den Oord et al. 2016, Gated PixelCNN); this small model accepts it.
One image channel only: several channels would need masks across channels as well.
"""
import math

import numpy
from tqdm import tqdm

import autograd as torch
from autograd import nn
from autograd.function import ShapeError
from autograd.nn import functional as F

MASK_TYPES = ("A", "B")


def causal_mask(mask_type, kernel_size):
    """The 0/1 (KH, KW) mask of a masked convolution: the rows above the centre, and on the
    centre row the taps left of it (type A) or left of it and the centre itself (type B)."""
    if mask_type not in MASK_TYPES:
        raise ValueError(f"causal_mask: mask_type must be 'A' or 'B', got {mask_type!r}")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"causal_mask: kernel_size must be odd and positive, got {kernel_size}")
    centre = kernel_size // 2
    mask = numpy.zeros((kernel_size, kernel_size), dtype=numpy.float32)
    mask[:centre, :] = 1
    mask[centre, :centre + (mask_type == "B")] = 1
    return mask


class MaskedConv2d(nn.Conv2d):
    """A same-size Conv2d whose kernel only reaches pixels before the centre in raster order
    (type A) or at and before it (type B); weight (out, in, k, k) as Conv2d's."""

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, bias=True):
        mask = causal_mask(mask_type, kernel_size)
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=bias)
        self.mask_type = mask_type
        # derived from mask_type, so not saved in checkpoints
        self.register_buffer("mask", torch.tensor(mask), persistent=False)

    def _name(self):
        return f"MaskedConv2d({self.in_channels}, {self.out_channels}, type {self.mask_type})"

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ShapeError(f"{self._name()}: expected input (N, {self.in_channels}, H, W), "
                             f"got {tuple(x.shape)}")
        weight = self.weight * self.mask.to(dtype=self.weight.dtype)   # masked taps: no value, no gradient
        return F.conv2d(x, weight, self.bias, padding=self.padding)

    def extra_repr(self):
        return f"{super().extra_repr()}, mask_type={self.mask_type!r}"


class MaskedBottleneckBlock(nn.Module):
    """x + 1x1(relu(maskB kxk(relu(1x1(relu(x)))))): h -> h/2 -> h/2 -> h channels, the block
    of the PixelCNN paper; the bottleneck keeps the kxk convolution cheap."""

    def __init__(self, channels, kernel_size=3):
        super().__init__()
        half = channels // 2
        self.reduce = nn.Conv2d(channels, half, 1)
        self.masked = MaskedConv2d(half, half, kernel_size, "B")
        self.expand = nn.Conv2d(half, channels, 1)

    def forward(self, x):
        h = self.reduce(x.relu())
        h = self.masked(h.relu())
        return x + self.expand(h.relu())


class PixelCNN(nn.Module):
    """mask-A kxk conv (1 -> hidden), ``blocks`` residual blocks, ReLU, 1x1 conv (hidden ->
    output_hidden), ReLU, 1x1 conv to the logits: 1 per pixel (levels=2) or 256 (levels=256).

    Images are (N, 1, H, W) with values in [0, 1]: bits 0/1, or k / 255 for 8-bit images.
    """

    def __init__(self, image_size=28, levels=2, hidden=32, blocks=5, first_kernel=7,
                 block_kernel=3, output_hidden=32):
        super().__init__()
        if levels not in (2, 256):
            raise ValueError(f"PixelCNN: levels must be 2 (binary) or 256 (8-bit), got {levels}")
        if hidden < 2 or hidden % 2:
            raise ValueError(f"PixelCNN: hidden must be an even number >= 2, got {hidden}")
        self.image_size, self.levels = image_size, levels
        self.reach = first_kernel // 2 + blocks * (block_kernel // 2)   # R: how far an output sees
        self.first = MaskedConv2d(1, hidden, first_kernel, "A")
        self.blocks = nn.Sequential(*[MaskedBottleneckBlock(hidden, block_kernel) for _ in range(blocks)])
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(hidden, output_hidden, 1), nn.ReLU(),
                                  nn.Conv2d(output_hidden, 1 if levels == 2 else levels, 1))

    def _check_images(self, x):
        size = self.image_size
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] > size or x.shape[3] > size:
            raise ShapeError(f"PixelCNN: expected images (N, 1, {size}, {size}), got {tuple(x.shape)}")

    def forward(self, x):
        """x (N, 1, h, w) -> logits: (N, 1, h, w) for binary images, (N, 256, h, w) for 8-bit.
        A window of the image (h, w <= image_size) gives the logits of its pixels that are
        more than ``reach`` pixels inside its top, left and right edges (see ``window``)."""
        self._check_images(x)
        return self.head(self.blocks(self.first(x)))

    # -- the likelihood --------------------------------------------------------
    def pixel_nll(self, x):
        """-log p(x_i | x_<i) for every pixel, in nats, (N, 1, H, W)."""
        logits = self(x)
        if self.levels == 2:
            return F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        targets = (x.detach() * 255 + 0.5).long()[:, 0]     # k / 255 -> k (truncation rounds)
        return F.cross_entropy(logits, targets, reduction="none")[:, None]

    def log_prob(self, x):
        """log p(x) = sum_i log p(x_i | x_<i) in nats, one exact value per image, (N,)."""
        self._check_images(x)
        if x.shape[2] != self.image_size:
            raise ShapeError(f"PixelCNN.log_prob: expected whole images (N, 1, {self.image_size}, "
                             f"{self.image_size}), got {tuple(x.shape)}")
        return -self.pixel_nll(x).flatten(1).sum(dim=1)

    def loss(self, x):
        """The mean negative log-likelihood in nats per image (what training minimises)."""
        return -self.log_prob(x).mean()

    def bits_per_dim(self, x):
        """-log2 p(x) / n per image, (N,)."""
        return -self.log_prob(x) / (self.image_size ** 2 * math.log(2))

    # -- sampling -----------------------------------------------------------------
    def draw(self, logits):
        """One value per image, (N,), from the logits of one pixel: (N,) binary, (N, 256) 8-bit."""
        if self.levels == 2:
            u = torch.rand(*logits.shape, dtype=logits.dtype, device=logits.device)
            return (u < logits.sigmoid()).to(dtype=logits.dtype)
        # Gumbel-max: argmax_k (logit_k + g_k) with g_k = -log(-log u_k) is a draw from softmax
        u = torch.rand(*logits.shape, dtype=logits.dtype, device=logits.device).clamp(1e-20, 1.0)
        value = (logits - (-u.log()).log()).argmax(dim=1)
        return value.to(dtype=logits.dtype) / 255

    def sample(self, n=None, given=None, first_pixel=0, progress=False):
        """Images drawn pixel by pixel in raster order, the whole batch at once, (N, 1, H, W).

        Either ``n`` fresh images, or completions of ``given`` (N, 1, H, W): its pixels
        before ``first_pixel`` (raster index) are kept and the rest drawn.  Call under
        ``autograd.no_grad()``; ``progress`` shows a tqdm bar over pixels.
        """
        size = self.image_size
        if given is not None:
            self._check_images(given)
        x = sampling_canvas(self, n, given, first_pixel)
        for i in tqdm(range(first_pixel, size * size), disable=not progress, desc="pixels", leave=False):
            row, column = divmod(i, size)
            rows, columns, (r, c) = self.window(row, column)
            logits = self(x[:, :, rows, columns])[:, :, r, c]
            x[:, 0, row, column] = self.draw(logits[:, 0] if self.levels == 2 else logits)
        return x

    def window(self, row, column):
        """The rows and columns of the image that the logits at (row, column) depend on (``reach``
        up, left and right; nothing below), and where that pixel lies inside them."""
        top, left = max(0, row - self.reach), max(0, column - self.reach)
        right = min(self.image_size, column + self.reach + 1)
        return slice(top, row + 1), slice(left, right), (row - top, column - left)


def sampling_canvas(model, n, given, first_pixel):
    """What raster-order sampling writes into: ``n`` blank images, or a copy of the
    (already checked) ``given`` to complete from raster index ``first_pixel`` on.
    Shared by PixelCNN and PixelRNN, which differ only in how they compute a pixel."""
    name, size = type(model).__name__, model.image_size
    if given is None:
        if n is None or n < 1:
            raise ValueError(f"{name}.sample: give n >= 1 or the images to complete, got n={n}")
        weight = model.first.weight
        x = torch.zeros(n, 1, size, size, dtype=weight.dtype, device=weight.device)
    else:
        x = given.detach().clone()
    if not 0 <= first_pixel <= size * size:
        raise ValueError(f"{name}.sample: first_pixel must be in 0..{size * size}, got {first_pixel}")
    return x
