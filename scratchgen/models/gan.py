"""DCGAN's generator and discriminator, after the model of the seed notes: the lecture
notes on deep generative models this project started from, whose DCGAN ``Generator`` and
``Discriminator`` classes ("the seed's") must run here as written.

A GAN trains two networks against each other (Goodfellow et al. 2014):

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))]

The discriminator D learns to tell real images from generated ones; the
generator G learns to make D wrong.  DCGAN (Radford et al. 2016) builds both
from convolutions: G grows a 4x4 feature map into an image with transposed
convolutions, D shrinks an image to one score with strided convolutions.

At image_size=64, channels=3, latent_dim=100, feature_dim=64 these are the
seed's ``Generator`` and ``Discriminator`` parameter for parameter
(``tests/test_seed_dcgan.py`` holds the seed's classes as written).
"""
import math

from autograd import nn


def _blocks(image_size):
    """How many doubling blocks sit between the 4x4 map and the last layer."""
    if image_size not in (32, 64):
        raise ValueError(f"image_size must be 32 or 64, got {image_size}")
    return int(math.log2(image_size)) - 3  # 64 -> 3 blocks, 32 -> 2


def dcgan_init_(module):
    """DCGAN's initialisation: conv weights N(0, 0.02), norm weights N(1, 0.02), biases 0."""
    name = type(module).__name__
    if "Conv" in name:
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif "Norm" in name and getattr(module, "weight", None) is not None:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class Generator(nn.Module):
    """z (N, latent_dim) -> image (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, latent_dim=100, feature_dim=64, channels=3, image_size=64):
        super().__init__()
        n_blocks = _blocks(image_size)
        width = feature_dim * 2 ** n_blocks          # channels of the 4x4 map (512 for the seed)
        # l1 and l2_5 are the seed's attribute names, kept because they are the state-dict
        # keys ("l1.0.weight"): l1 is layer 1 (z -> the 4x4 map), l2_5 layers 2 to 5 (the
        # transposed convolutions up to the image)
        self.l1 = nn.Sequential(
            nn.Linear(latent_dim, width * 4 * 4, bias=False),
            nn.BatchNorm1d(width * 4 * 4),
            nn.ReLU(),
        )
        layers = []
        for i in range(n_blocks):                     # each block doubles the size, halves the width
            layers.append(nn.Sequential(
                nn.ConvTranspose2d(width >> i, width >> (i + 1), 5, 2, padding=2, output_padding=1,
                                   bias=False),
                nn.BatchNorm2d(width >> (i + 1)),
                nn.ReLU(),
            ))
        layers += [nn.ConvTranspose2d(feature_dim, channels, 5, 2, padding=2, output_padding=1),
                   nn.Tanh()]
        self.l2_5 = nn.Sequential(*layers)
        self.apply(dcgan_init_)

    def forward(self, z):
        y = self.l1(z)
        y = y.view(y.size(0), -1, 4, 4)
        return self.l2_5(y)


class Discriminator(nn.Module):
    """image (N, channels, image_size, image_size) -> score (N,): a probability with
    ``sigmoid=True`` (DCGAN), a raw critic value without (WGAN).  ``norm`` is
    "batch" (DCGAN, WGAN) or "instance" (WGAN-GP, whose gradient penalty is per
    example, so the critic must not mix examples through batch statistics)."""

    def __init__(self, channels=3, feature_dim=64, image_size=64, sigmoid=True, norm="batch"):
        super().__init__()
        if norm not in ("batch", "instance"):
            raise ValueError(f"norm must be 'batch' or 'instance', got {norm!r}")
        n_blocks = _blocks(image_size)
        layers = [nn.Conv2d(channels, feature_dim, 4, 2, 1), nn.LeakyReLU(0.2)]
        for i in range(n_blocks):
            width_in, width_out = feature_dim << i, feature_dim << (i + 1)
            normalise = (nn.BatchNorm2d(width_out) if norm == "batch"
                         else nn.InstanceNorm2d(width_out, affine=True))
            layers.append(nn.Sequential(nn.Conv2d(width_in, width_out, 4, 2, 1), normalise,
                                        nn.LeakyReLU(0.2)))
        layers.append(nn.Conv2d(feature_dim << n_blocks, 1, 4))  # 4x4 -> 1x1
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.ls = nn.Sequential(*layers)   # "ls", the layers: the seed's name and state-dict key
        self.apply(dcgan_init_)

    def forward(self, x):
        return self.ls(x).view(-1)


def gradient_penalty(critic, real, fake, e=None):
    """WGAN-GP's penalty (Gulrajani et al. 2017): E[(||grad_x critic(x_hat)||_2 - 1)^2]
    at random points x_hat = e * real + (1 - e) * fake, e ~ U[0, 1] per example.

    The gradient is taken with ``create_graph=True``, so the penalty is itself a
    function of the critic's weights and trains them through second derivatives.
    """
    import autograd
    if e is None:  # the mixing weights; tests pass their own
        e = autograd.rand(real.shape[0], 1, 1, 1, dtype=real.dtype, device=real.device)
    x_hat = (e * real + (1 - e) * fake.detach()).detach().requires_grad_()
    grads, = autograd.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = grads.flatten(1).norm(dim=1)
    return ((norms - 1) ** 2).mean()
