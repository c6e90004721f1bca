"""PixelRNN with Row LSTM layers (van den Oord, Kalchbrenner and Kavukcuoglu 2016).

The same factorisation as PixelCNN (``pixelcnn.py``): in raster order,

    p(x) = prod_i p(x_i | x_<i),

and one network outputs every conditional's logit at once, given the true image.  What
changes is how the context reaches pixel i.  A Row LSTM runs an LSTM down the image one
row at a time; the state of a whole row is computed at once, from

- the previous row's state, through a 1-D convolution of width k along the row
  (state-to-state), and
- the current row's input features, through a 1-D convolution of width k along the
  row that is masked to keep only the pixel itself and those to its left
  (input-to-state; the features at pixel i already see only x_<i).

With gates in PyTorch's order (input, forget, cell, output):

    i, f, g, o = chunks of  K_ss * h_{r-1}  +  K_is * x_r
    c_r = sigmoid(f) c_{r-1} + sigmoid(i) tanh(g),     h_r = sigmoid(o) tanh(c_r)

Every row's state depends only on earlier rows and on its own pixels at or left of each
position, so causality holds: the logits at pixel i never see x_i or a later pixel
(``tests/test_pixelrnn.py`` checks it as a property of the gradient).

The receptive field.  The state at (r, c) sees row r - 1 at columns c - 1 .. c + 1
(width 3), which saw row r - 2 at c - 2 .. c + 2, and so on: a triangle opening upwards.
Pixels of earlier rows outside the triangle (far to the left or right) are not seen,
however many layers there are; that is the Row LSTM's blind spot, a different shape from
PixelCNN's (above and to the right).  The paper's Diagonal BiLSTM covers every earlier
pixel.

The network: a masked 7 x 7 convolution (mask A, as PixelCNN's first layer), ``layers``
Row LSTM layers each with a residual connection, then two 1 x 1 convolutions to one
logit per pixel (binary images).  Training maximises the exact log-likelihood; sampling
draws pixel by pixel, 784 passes, each through the rows up to the pixel's own (later
rows cannot change it).
"""
import math

import numpy
from tqdm import tqdm

import autograd as torch
from autograd import nn
from autograd.function import ShapeError
from autograd.nn import functional as F
from autograd.ops.recurrent import lstm_update

from .pixelcnn import MaskedConv2d, sampling_canvas


class RowMaskedConv(nn.Module):
    """A (1, k) convolution along each row that sees only the pixel and its left
    neighbours (the input-to-state convolution), same width in and out."""

    def __init__(self, in_channels, out_channels, width):
        super().__init__()
        if width < 1 or width % 2 == 0:
            raise ValueError(f"RowMaskedConv: width must be odd and positive, got {width}")
        self.conv = nn.Conv2d(in_channels, out_channels, (1, width), padding=(0, width // 2))
        mask = numpy.zeros((1, width), dtype=numpy.float32)
        mask[0, :width // 2 + 1] = 1           # left of the centre and the centre: mask B
        self.register_buffer("mask", torch.tensor(mask), persistent=False)

    def forward(self, x):
        weight = self.conv.weight * self.mask.to(dtype=self.conv.weight.dtype)
        return F.conv2d(x, weight, self.conv.bias, padding=self.conv.padding)


class RowLSTM(nn.Module):
    """One Row LSTM layer: (N, C, H, W) features -> (N, hidden, H, W) states, row by row."""

    def __init__(self, channels, hidden, width=3):
        super().__init__()
        self.hidden = hidden
        self.input_to_state = RowMaskedConv(channels, 4 * hidden, width)
        self.state_to_state = nn.Conv1d(hidden, 4 * hidden, width, padding=width // 2)

    def forward(self, x):
        n, _, rows, width = x.shape
        projected = self.input_to_state(x).unbind(2)        # every row's input part at once
        h = torch.zeros(n, self.hidden, width, dtype=x.dtype, device=x.device)
        c = h
        states = []
        for r in range(rows):
            gates = projected[r] + self.state_to_state(h)     # (N, 4 hidden, W)
            h, c = lstm_update(gates, c, dim=1)    # the LSTM's cell update, in one op
            states.append(h)
        return torch.stack(states, dim=2)                 # (N, hidden, H, W)


class ResidualRowLSTM(nn.Module):
    """x + 1x1(RowLSTM(x)): the paper's residual connection around each layer."""

    def __init__(self, channels, width=3):
        super().__init__()
        self.lstm = RowLSTM(channels, channels, width)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        return x + self.out(self.lstm(x))


class PixelRNN(nn.Module):
    """mask-A kxk conv (1 -> hidden), ``layers`` residual Row LSTM layers, ReLU, 1x1 conv
    (hidden -> output_hidden), ReLU, 1x1 conv to one logit per pixel.  Binary images
    (N, 1, H, W) with values 0 or 1."""

    levels = 2

    def __init__(self, image_size=28, hidden=16, layers=2, first_kernel=7, width=3, output_hidden=32):
        super().__init__()
        for key, value in (("image_size", image_size), ("hidden", hidden), ("layers", layers),
                           ("output_hidden", output_hidden)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"PixelRNN: {key} must be a positive integer, got {value!r}")
        self.image_size = image_size
        self.first = MaskedConv2d(1, hidden, first_kernel, "A")
        self.layers = nn.Sequential(*[ResidualRowLSTM(hidden, width) for _ in range(layers)])
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(hidden, output_hidden, 1), nn.ReLU(),
                                  nn.Conv2d(output_hidden, 1, 1))

    def _check_images(self, x, whole=False):
        size = self.image_size
        ok = x.ndim == 4 and x.shape[1] == 1 and x.shape[3] == size and x.shape[2] <= size
        if not ok or (whole and x.shape[2] != size):
            raise ShapeError(f"PixelRNN: expected images (N, 1, {size}, {size}), got {tuple(x.shape)}")

    def forward(self, x):
        """x (N, 1, h, W) -> logits (N, 1, h, W); h <= image_size: the first h rows, whose
        logits do not depend on later rows."""
        self._check_images(x)
        return self.head(self.layers(self.first(x)))

    def pixel_nll(self, x):
        """-log p(x_i | x_<i) for every pixel, in nats, (N, 1, H, W)."""
        return F.binary_cross_entropy_with_logits(self(x), x, reduction="none")

    def log_prob(self, x):
        """log p(x) in nats, exact, one value per image, (N,)."""
        self._check_images(x, whole=True)
        return -self.pixel_nll(x).flatten(1).sum(dim=1)

    def loss(self, x):
        return -self.log_prob(x).mean()

    def bits_per_dim(self, x):
        return -self.log_prob(x) / (self.image_size ** 2 * math.log(2))

    def draw(self, logits):
        u = torch.rand(*logits.shape, dtype=logits.dtype, device=logits.device)
        return (u < logits.sigmoid()).to(dtype=logits.dtype)

    def sample(self, n=None, given=None, first_pixel=0, progress=False):
        """Images drawn pixel by pixel in raster order (see PixelCNN.sample: the same
        arguments).  Each pass runs the rows up to the pixel's own only."""
        size = self.image_size
        if given is not None:
            self._check_images(given, whole=True)
        x = sampling_canvas(self, n, given, first_pixel)
        for i in tqdm(range(first_pixel, size * size), disable=not progress, desc="pixels", leave=False):
            row, column = divmod(i, size)
            logits = self(x[:, :, :row + 1])[:, 0, row, column]
            x[:, 0, row, column] = self.draw(logits)
        return x
