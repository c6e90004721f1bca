"""Autoencoders: learn a compressed code of the data, with no labels.

An encoder f maps an example x (D values) to a code c = f(x) of k << D numbers,
and a decoder g maps the code back to X = g(c).  Both are trained together to make
the reconstruction match the input, on squared error:

    loss = (1/D) ||x - X||^2 = (1/D) sum_d (x_d - X_d)^2,      X = g(f(x)),

averaged over a batch.  Nothing tells the network what to keep: with only k
numbers to pass through, it has to find the directions in which the data varies.

- ``linear=True``: f and g are single Linear layers.  The best such pair spans the
  same subspace as the first k principal components, so this model can at best
  match PCA (``pca.py``; Baldi and Hornik 1989).
- Otherwise f and g are MLPs (``MLPAutoencoder``) or convolutional networks
  (``ConvAutoencoder``) with ReLU between layers and a sigmoid at the end (pixels
  lie in [0, 1]); being nonlinear, they can beat PCA at the same code size.

An autoencoder has no prior over codes, so it is not a generative model by
itself.  To have something to show as "samples", the model keeps running means and
variances of the codes it sees in training (like BatchNorm's running statistics)
and ``sample`` decodes codes drawn from that diagonal Gaussian.  The pictures
this gives are poor where the codes do not fill their Gaussian: the VAE
(``vae.py``) fixes this by making the codes match N(0, I) on purpose.

The builders ``mlp``, ``conv_encoder`` and ``conv_decoder`` are shared with the VAE.
"""
import math

import autograd as torch
from autograd import nn
from autograd.function import ShapeError
from autograd.nn import functional as F

CODE_MOMENTUM = 0.01   # weight of each batch in the running code statistics


# ----------------------------------------------------------------------------
# Network builders
# ----------------------------------------------------------------------------
def mlp(sizes, activation=nn.ReLU):
    """Linear layers of the given sizes, ``activation`` between them (not after the last)."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), activation()]
    return nn.Sequential(*layers[:-1])


def _check_image_shape(model, input_shape):
    if len(input_shape) != 3 or input_shape[1] % 4 or input_shape[2] % 4:
        raise ValueError(f"{model}: expected input_shape (C, H, W) with H and W multiples of 4 "
                         f"(two stride-2 halvings), got {tuple(input_shape)}")


def conv_encoder(input_shape, width, out_features):
    """(N, C, H, W) -> (N, out_features): two stride-2 convolutions halve H and W twice
    (28 -> 14 -> 7), then one Linear layer."""
    channels, height, width_px = input_shape
    return nn.Sequential(
        nn.Conv2d(channels, width, 4, 2, 1), nn.ReLU(),
        nn.Conv2d(width, 2 * width, 4, 2, 1), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(2 * width * (height // 4) * (width_px // 4), out_features))


def conv_decoder(code_size, width, input_shape):
    """(N, code_size) -> (N, C, H, W), the mirror of ``conv_encoder``: a Linear layer to a
    (2 width, H/4, W/4) map, then two stride-2 transposed convolutions (7 -> 14 -> 28)."""
    channels, height, width_px = input_shape
    return nn.Sequential(
        nn.Linear(code_size, 2 * width * (height // 4) * (width_px // 4)), nn.ReLU(),
        nn.Unflatten(1, (2 * width, height // 4, width_px // 4)),
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.ReLU(),
        nn.ConvTranspose2d(width, channels, 4, 2, 1))


# ----------------------------------------------------------------------------
# The autoencoder
# ----------------------------------------------------------------------------
class Autoencoder(nn.Module):
    """x -> code = encoder(x) -> decoder(code) = X, trained on mean (x - X)^2.

    encoder: (N, *input_shape) -> (N, code_size); decoder: (N, code_size) -> N * D values
    (any shape; reshaped to the input's).  Subclasses build the two networks.
    """

    def __init__(self, input_shape, code_size, encoder, decoder):
        super().__init__()
        if code_size < 1:
            raise ValueError(f"{type(self).__name__}: code_size must be >= 1, got {code_size}")
        self.input_shape, self.code_size = tuple(input_shape), code_size
        self.encoder, self.decoder = encoder, decoder
        self.register_buffer("code_mean", torch.zeros(code_size))
        self.register_buffer("code_var", torch.ones(code_size))

    def _name(self):
        return f"{type(self).__name__}(code_size={self.code_size})"

    def encode(self, x):
        """(N, *input_shape) -> codes (N, code_size)."""
        if tuple(x.shape[1:]) != self.input_shape or x.ndim != len(self.input_shape) + 1:
            raise ShapeError(f"{self._name()}: expected input (N, {', '.join(map(str, self.input_shape))}), "
                             f"got {tuple(x.shape)}")
        return self.encoder(x)

    def decode(self, codes):
        """codes (N, code_size) -> reconstructions (N, *input_shape)."""
        if codes.ndim != 2 or codes.shape[1] != self.code_size:
            raise ShapeError(f"{self._name()}: expected codes (N, {self.code_size}), "
                             f"got {tuple(codes.shape)}")
        return self.decoder(codes).reshape(codes.shape[0], *self.input_shape)

    def forward(self, x):
        return self.decode(self.encode(x))

    def loss(self, x):
        """Mean squared error between x and its reconstruction, over examples and values.
        In training mode the codes also update the running code statistics."""
        codes = self.encode(x)
        if self.training:
            self._track_codes(codes.detach())
        return F.mse_loss(self.decode(codes), x)

    def _track_codes(self, codes):
        """Running mean and variance of the codes, each batch weighted CODE_MOMENTUM."""
        with torch.no_grad():
            keep = 1.0 - CODE_MOMENTUM
            self.code_mean.mul_(keep).add_(codes.mean(dim=0), alpha=CODE_MOMENTUM)
            self.code_var.mul_(keep).add_(codes.var(dim=0, unbiased=False), alpha=CODE_MOMENTUM)

    def sample(self, n):
        """Decode n codes drawn from N(code_mean, diag(code_var)) (see the module docstring)."""
        eps = torch.randn(n, self.code_size, dtype=self.code_mean.dtype, device=self.code_mean.device)
        return self.decode(self.code_mean + self.code_var.sqrt() * eps)


class MLPAutoencoder(Autoencoder):
    """Fully connected: D -> hidden... -> code_size -> ...hidden reversed -> D, ReLU between
    layers and a sigmoid on the output; ``linear=True``: one Linear layer each way, nothing else."""

    def __init__(self, input_shape=(1, 28, 28), code_size=32, hidden=(512, 256), linear=False):
        d = math.prod(input_shape)
        if linear:
            encoder = nn.Sequential(nn.Flatten(), nn.Linear(d, code_size))
            decoder = nn.Linear(code_size, d)
        else:
            encoder = nn.Sequential(nn.Flatten(), mlp([d, *hidden, code_size]))
            decoder = nn.Sequential(mlp([code_size, *reversed(hidden), d]), nn.Sigmoid())
        super().__init__(input_shape, code_size, encoder, decoder)
        self.linear = linear


class ConvAutoencoder(Autoencoder):
    """Convolutional: ``conv_encoder`` to the code, ``conv_decoder`` back, sigmoid output."""

    def __init__(self, input_shape=(1, 28, 28), code_size=32, width=32):
        _check_image_shape("ConvAutoencoder", input_shape)
        super().__init__(input_shape, code_size, conv_encoder(input_shape, width, code_size),
                         nn.Sequential(conv_decoder(code_size, width, input_shape), nn.Sigmoid()))
