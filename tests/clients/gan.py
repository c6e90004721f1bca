"""A GAN in the older style much public GAN code is written in: a typed Tensor alias,
Variable, labels made with Tensor(n, 1).fill_(1.0), latent codes from NumPy,
BCELoss, and WGAN's weight clipping through .data."""
import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable

LATENT = 8
IMAGE = (1, 28, 28)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(LATENT, 32, normalize=False),
            *block(32, 64),
            nn.Linear(64, int(np.prod(IMAGE))),
            nn.Tanh(),
        )

    def forward(self, z):
        img = self.model(z)
        return img.view(img.size(0), *IMAGE)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(int(np.prod(IMAGE)), 64),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(64, 1),
            nn.Sigmoid(),
        )

    def forward(self, img):
        return self.model(img.view(img.size(0), -1))


def make_models():
    return [Generator(), Discriminator()]


def train(models, images, labels, checkpoint):
    generator, discriminator = models
    cuda = torch.cuda.is_available()
    Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor
    adversarial_loss = torch.nn.BCELoss()
    optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    rng = np.random.RandomState(0)
    losses = []
    for i in range(6):
        imgs = torch.from_numpy(images[i * 16:(i + 1) * 16]).float() / 127.5 - 1
        imgs = imgs.unsqueeze(1)
        valid = Variable(Tensor(imgs.size(0), 1).fill_(1.0), requires_grad=False)
        fake = Variable(Tensor(imgs.size(0), 1).fill_(0.0), requires_grad=False)
        real_imgs = Variable(imgs.type(Tensor))

        optimizer_G.zero_grad()
        z = Variable(Tensor(rng.normal(0, 1, (imgs.shape[0], LATENT))))
        gen_imgs = generator(z)
        g_loss = adversarial_loss(discriminator(gen_imgs), valid)
        g_loss.backward()
        optimizer_G.step()

        optimizer_D.zero_grad()
        real_loss = adversarial_loss(discriminator(real_imgs), valid)
        fake_loss = adversarial_loss(discriminator(gen_imgs.detach()), fake)
        d_loss = (real_loss + fake_loss) / 2
        d_loss.backward()
        optimizer_D.step()
        for p in discriminator.parameters():
            p.data.clamp_(-0.05, 0.05)
        losses += [d_loss.item(), g_loss.item(), gen_imgs.data[:4].mean().item()]
    return losses
