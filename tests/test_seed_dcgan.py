"""The seed notes' DCGAN, written as a PyTorch user would, with only the import changed.

The seed notes are the lecture notes on deep generative models this project started
from; the classes below are their DCGAN ``Generator`` and ``Discriminator``.

Generator: Linear -> BatchNorm1d -> ReLU, reshape to (dim*8, 4, 4), then
ConvTranspose2d(k5, s2, p2, output_padding 1) + BatchNorm2d + ReLU blocks that
double the size, and a last ConvTranspose2d + Tanh: (N, in_dim) -> (N, 3, 64, 64).
Discriminator: Conv2d(k4, s2, p1) + LeakyReLU(0.2), then Conv2d + BatchNorm2d +
LeakyReLU(0.2) blocks, a final 4x4 Conv2d and a Sigmoid: (N, 3, 64, 64) -> (N,).
"""
import numpy

import autograd as torch
from autograd import nn


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


class Generator(nn.Module):
    """Input shape: (N, in_dim); output shape: (N, 3, 64, 64)."""

    def __init__(self, in_dim, feature_dim=64):
        super().__init__()

        def dconv_bn_relu(in_dim, out_dim):
            return nn.Sequential(
                nn.ConvTranspose2d(in_dim, out_dim, 5, 2, padding=2, output_padding=1, bias=False),
                nn.BatchNorm2d(out_dim),
                nn.ReLU(),
            )

        self.l1 = nn.Sequential(
            nn.Linear(in_dim, feature_dim * 8 * 4 * 4, bias=False),
            nn.BatchNorm1d(feature_dim * 8 * 4 * 4),
            nn.ReLU(),
        )
        self.l2_5 = nn.Sequential(
            dconv_bn_relu(feature_dim * 8, feature_dim * 4),
            dconv_bn_relu(feature_dim * 4, feature_dim * 2),
            dconv_bn_relu(feature_dim * 2, feature_dim),
            nn.ConvTranspose2d(feature_dim, 3, kernel_size=5, stride=2, padding=2, output_padding=1),
            nn.Tanh(),
        )
        self.apply(weights_init)

    def forward(self, x):
        y = self.l1(x)
        y = y.view(y.size(0), -1, 4, 4)
        y = self.l2_5(y)
        return y


class Discriminator(nn.Module):
    """Input shape: (N, 3, 64, 64); output shape: (N,)."""

    def __init__(self, in_dim, feature_dim=64):
        super().__init__()

        def conv_bn_lrelu(in_dim, out_dim):
            return nn.Sequential(
                nn.Conv2d(in_dim, out_dim, 4, 2, 1),
                nn.BatchNorm2d(out_dim),
                nn.LeakyReLU(0.2),
            )

        # Remove the last sigmoid layer for WGAN.
        self.ls = nn.Sequential(
            nn.Conv2d(in_dim, feature_dim, kernel_size=4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            conv_bn_lrelu(feature_dim, feature_dim * 2),
            conv_bn_lrelu(feature_dim * 2, feature_dim * 4),
            conv_bn_lrelu(feature_dim * 4, feature_dim * 8),
            nn.Conv2d(feature_dim * 8, 1, kernel_size=4, stride=1, padding=0),
            nn.Sigmoid(),
        )
        self.apply(weights_init)

    def forward(self, x):
        y = self.ls(x)
        y = y.view(-1)
        return y


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_seed_models_have_the_seed_parameter_counts_and_keys():
    G, D = Generator(100), Discriminator(3)
    # counted by hand from the layer shapes of the seed's (100, 64) configuration
    linear = 100 * 8192 + 2 * 8192
    deconvs = (512 * 256 + 256 * 128 + 128 * 64) * 25 + 2 * (256 + 128 + 64) + 64 * 3 * 25 + 3
    assert count(G) == linear + deconvs == 5_142_083
    convs = (3 * 64 + 64 * 128 + 128 * 256 + 256 * 512) * 16 + 64 + 128 + 256 + 512 + 512 * 16 + 1
    assert count(D) == convs + 2 * (128 + 256 + 512) == 2_766_529
    keys = list(G.state_dict())
    assert keys[:6] == ["l1.0.weight", "l1.1.weight", "l1.1.bias", "l1.1.running_mean",
                        "l1.1.running_var", "l1.1.num_batches_tracked"]
    assert keys[-2:] == ["l2_5.3.weight", "l2_5.3.bias"]
    assert G.state_dict()["l2_5.0.0.weight"].shape == (512, 256, 5, 5)
    assert "ls.2.0.weight" in D.state_dict() and D.state_dict()["ls.5.weight"].shape == (1, 512, 4, 4)


def test_seed_models_output_shapes():
    G, D = Generator(10, feature_dim=8), Discriminator(3, feature_dim=8)
    images = G(torch.randn(2, 10))
    assert images.shape == (2, 3, 64, 64)
    assert -1 <= images.min().item() and images.max().item() <= 1
    scores = D(images)
    assert scores.shape == (2,)


def test_seed_training_loop_lowers_the_discriminator_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    z_dim, batch = 16, 8
    G, D = Generator(z_dim, feature_dim=16), Discriminator(3, feature_dim=16)
    criterion = nn.BCELoss()
    opt_D = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.999))
    opt_G = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.999))
    r_imgs = torch.rand(batch, 3, 64, 64) * 2 - 1   # one fixed "real" batch
    z_fixed = torch.randn(batch, z_dim)

    def d_loss():
        f_imgs = G(z_fixed)
        r_logit, f_logit = D(r_imgs.detach()), D(f_imgs.detach())
        r_label, f_label = torch.ones((batch,)), torch.zeros((batch,))
        return (criterion(r_logit, r_label) + criterion(f_logit, f_label)) / 2

    losses = []
    for _ in range(30):
        # train D on real and detached fake
        loss_D = d_loss()
        D.zero_grad()
        loss_D.backward()
        opt_D.step()
        losses.append(loss_D.item())
        # then G, to fool D
        f_logit = D(G(torch.randn(batch, z_dim)))
        loss_G = criterion(f_logit, torch.ones((batch,)))
        G.zero_grad()
        loss_G.backward()
        opt_G.step()
    assert numpy.isfinite(losses).all()
    assert numpy.mean(losses[-5:]) < numpy.mean(losses[:5]) - 0.05
