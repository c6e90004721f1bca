"""Training GANs: DCGAN as the seed notes describe it, WGAN and WGAN-GP.

(The seed notes are the lecture notes on deep generative models this project started
from; "the seed's" Generator and Discriminator are their DCGAN classes.)

DCGAN: each step first trains the discriminator D on a real batch (label 1)
and a detached fake batch (label 0), D's loss being the mean of the two binary
cross-entropies; then the generator G, whose loss is the cross-entropy of D's
verdict on fresh fakes against the label 1 (the non-saturating loss: G
maximises log D(G(z)) rather than minimising log(1 - D(G(z))), which gives
strong gradients early on, when D rejects every fake).

WGAN (Arjovsky et al. 2017): the critic has no sigmoid and estimates the
Wasserstein distance, E[critic(real)] - E[critic(fake)], which it maximises
while G minimises it; the critic must stay 1-Lipschitz, which WGAN enforces
crudely by clipping every weight to [-c, c] after each step (RMSprop).

WGAN-GP (Gulrajani et al. 2017): instead of clipping, a gradient penalty
pushes the critic's gradient norm towards 1 (``models/gan.py``).  The penalty
is per example, so the critic uses InstanceNorm instead of BatchNorm.

In all three, G is updated once every ``n_critic`` critic steps.
"""
import numpy

import autograd as torch
from autograd import backend, nn

from .. import viz
from ..data import canonical_name
from ..metrics import image_quality
from ..models.gan import Discriminator, Generator, gradient_penalty
from .family import ModelFamily


class DCGAN(ModelFamily):
    name = "dcgan"
    description = "DCGAN (the seed's Generator/Discriminator), BCE loss, Adam"
    # 32 x 32 MNIST (padded from 28), sized for 10 minutes on 2 CPU cores.  lr None means
    # 5e-4 at 32 x 32, where it reached a Frechet distance of 65 against 2e-4's 139 after
    # 4000 steps (see docs/results.md), and DCGAN's 2e-4 at 64 x 64, where 5e-4 made
    # the seed's model collapse within 15 steps on emoji
    defaults = {"steps": 4000, "image_size": 32, "latent_dim": 64, "feature_dim": 32, "lr": None,
                "beta1": 0.5, "beta2": 0.999, "n_critic": 1, "ema_decay": 0.999}

    def build(self):
        c = self.config
        channels = c["channels"]
        self.G = Generator(c["latent_dim"], c["feature_dim"], channels, c["image_size"]).to(self.device)
        self.D = Discriminator(channels, c["feature_dim"], c["image_size"]).to(self.device)
        betas, lr = (c["beta1"], c["beta2"]), self.learning_rate()
        self.modules = {"generator": self.G, "discriminator": self.D}
        self.optimizers = {"generator": torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas),
                           "discriminator": torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)}
        self.criterion = nn.BCELoss()
        self.add_generator_average()

    def learning_rate(self):
        if self.config["lr"] is not None:
            return self.config["lr"]
        return 5e-4 if self.config["image_size"] == 32 else 2e-4

    def add_generator_average(self):
        """Samples come from a moving average of G's weights (``ema_decay`` 0 turns it off):
        the GAN game makes G's weights circle rather than settle, and their average draws
        cleaner images than any single step's weights."""
        if self.config["ema_decay"] > 0:
            self.G_average = torch.optim.ExponentialMovingAverage(self.G, self.config["ema_decay"])
            self.modules["generator_average"] = self.G_average

    def update_generator_average(self):
        if self.config["ema_decay"] > 0:
            self.G_average.update(self.G)

    @classmethod
    def prepare(cls, images, config):
        """uint8 -> [-1, 1] (G ends in tanh), padded to the model's image size."""
        x = images.astype(numpy.float32) / 127.5 - 1
        pad = (config["image_size"] - x.shape[-1]) // 2
        if pad > 0:
            x = numpy.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-1.0)
        return x

    def noise(self, n):
        return torch.randn(n, self.config["latent_dim"], device=self.device)

    def train_step(self, real, step):
        n = real.shape[0]
        ones, zeros = torch.ones(n, device=self.device), torch.zeros(n, device=self.device)
        # D first: real images towards 1, fakes towards 0; detached, so this step changes D only
        fake = self.G(self.noise(n))
        loss_d = (self.criterion(self.D(real), ones) + self.criterion(self.D(fake.detach()), zeros)) / 2
        self.optimizers["discriminator"].zero_grad()
        loss_d.backward()
        self.optimizers["discriminator"].step()
        losses = {"loss_d": loss_d.item()}
        if step % self.config["n_critic"] == 0:
            # then G: make the updated D say 1 on the same fakes (G's graph is still there,
            # so G runs once per step, not twice)
            losses["loss_g"] = self.update_generator(self.criterion(self.D(fake), ones))
        return losses

    def update_generator(self, loss_g):
        """One optimiser step of G on ``loss_g``, then the average follows; returns the loss.
        The backward pass stops at G's weights: D's weight gradients from this loss would
        be thrown away by D's next zero_grad, and skipping them saves about 5% of a step."""
        self.optimizers["generator"].zero_grad()
        loss_g.backward(inputs=list(self.G.parameters()))
        self.optimizers["generator"].step()
        self.update_generator_average()
        return loss_g.item()

    def generator(self):
        """The generator that samples: the weight average where the run keeps one."""
        return self.G_average if self.config["ema_decay"] > 0 else self.G

    def sample(self, n):
        images = self.generator()(self.noise(n))
        return (backend.to_numpy(images.array) + 1) / 2

    def save_pictures(self, folder):
        """samples/interpolation.png: 8 straight walks between pairs of latent points, 10 steps
        each; a generator that learned a smooth map morphs one digit into another."""
        rows, steps = 8, 10
        start, end = self.noise(rows), self.noise(rows)
        weights = torch.linspace(0, 1, steps, device=self.device).reshape(1, steps, 1)
        walks = start.unsqueeze(1) * (1 - weights) + end.unsqueeze(1) * weights
        images = self.generator()(walks.reshape(rows * steps, -1))
        images = (backend.to_numpy(images.array) + 1) / 2
        viz.save_interpolation(images.reshape(rows, steps, *images.shape[1:]), folder / "interpolation.png",
                               title="latent interpolation")

    def evaluate(self, test_images):
        """Frechet distance in the MNIST classifier's features, confidence and class coverage
        of 10,000 samples against the test set (only meaningful for MNIST-like data); 10,000
        as in the floor that ``python -m scratchgen.metrics --floor`` prints."""
        if canonical_name(self.config["data"]) != "mnist":
            return {"image_metrics": "none: the shipped classifier only knows MNIST digits"}
        samples = self.sample_in_eval_mode(10_000)
        return image_quality(samples, (test_images + 1) / 2)


class WGAN(DCGAN):
    name = "wgan"
    description = "WGAN: critic without sigmoid, weight clipping, RMSprop, n_critic 5"
    # 5000 steps (1000 G updates): about 7 minutes on 2 CPU cores; lr 2e-4 rather than the
    # paper's 5e-5, which left the samples as blurry strokes within this budget
    defaults = {"steps": 5000, "image_size": 32, "latent_dim": 64, "feature_dim": 32, "lr": 2e-4,
                "clip": 0.01, "n_critic": 5, "ema_decay": 0.999}
    critic_norm = "batch"

    def build(self):
        c = self.config
        self.G = Generator(c["latent_dim"], c["feature_dim"], c["channels"], c["image_size"]).to(self.device)
        self.D = Discriminator(c["channels"], c["feature_dim"], c["image_size"], sigmoid=False,
                               norm=self.critic_norm).to(self.device)
        self.modules = {"generator": self.G, "critic": self.D}
        self.optimizers = self.make_optimizers()
        self.add_generator_average()

    def make_optimizers(self):
        lr = self.config["lr"]
        return {"generator": torch.optim.RMSprop(self.G.parameters(), lr=lr),
                "critic": torch.optim.RMSprop(self.D.parameters(), lr=lr)}

    def critic_loss(self, real, fake):
        """-(E[critic(real)] - E[critic(fake)]): the critic maximises the estimated distance."""
        return self.D(fake).mean() - self.D(real).mean()

    def after_critic_step(self):
        with torch.no_grad():
            for p in self.D.parameters():
                p.clamp_(-self.config["clip"], self.config["clip"])

    def train_step(self, real, step):
        fake = self.G(self.noise(real.shape[0])).detach()
        loss_c = self.critic_loss(real, fake)
        self.optimizers["critic"].zero_grad()
        loss_c.backward()
        self.optimizers["critic"].step()
        self.after_critic_step()
        losses = {"loss_critic": loss_c.item()}
        if step % self.config["n_critic"] == 0:
            losses["loss_g"] = self.update_generator(-self.D(self.G(self.noise(real.shape[0]))).mean())
        return losses


class WGANGP(WGAN):
    name = "wgan-gp"
    description = "WGAN-GP: InstanceNorm critic, gradient penalty via second derivatives, Adam"
    # 7500 steps (1500 G updates): about 18 minutes on 2 CPU cores, inside the 20-minute budget
    defaults = {"steps": 7500, "image_size": 32, "latent_dim": 64, "feature_dim": 32, "lr": 1e-4,
                "beta1": 0.0, "beta2": 0.9, "gp_weight": 10.0, "n_critic": 5,
                "ema_decay": 0.999}
    critic_norm = "instance"

    def make_optimizers(self):
        c = self.config
        betas = (c["beta1"], c["beta2"])
        return {"generator": torch.optim.Adam(self.G.parameters(), lr=c["lr"], betas=betas),
                "critic": torch.optim.Adam(self.D.parameters(), lr=c["lr"], betas=betas)}

    def critic_loss(self, real, fake):
        distance = self.D(fake).mean() - self.D(real).mean()
        return distance + self.config["gp_weight"] * gradient_penalty(self.D, real, fake)

    def after_critic_step(self):
        pass  # the penalty replaces weight clipping
