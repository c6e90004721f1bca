"""Train a WGAN-GP on MNIST, with the whole training loop written out, and save pictures.

A Wasserstein GAN's critic D gives real images high scores and fakes low ones,
with no sigmoid: the gap E[D(real)] - E[D(fake)] estimates the Wasserstein
distance between the two distributions, provided D is 1-Lipschitz.  WGAN-GP
(Gulrajani et al. 2017) asks for that with a penalty instead of clipping weights:

    x_hat   = e real + (1 - e) fake,   e ~ U[0, 1] per image
    penalty = (|| grad_x D(x_hat) ||_2 - 1)^2
    loss_D  = D(fake) - D(real) + 10 penalty        (n_critic = 5 critic steps ...)
    loss_G  = -D(G(z))                              (... then one generator step)

The penalty contains a gradient, so its own gradient with respect to D's weights
is a second derivative: ``autograd.grad(..., create_graph=True)`` in
``scratchgen.models.gan.gradient_penalty``.  The critic uses InstanceNorm, not
BatchNorm, because the penalty is per image.

    python demos/wgan_gp.py                 # 2500 steps (500 G updates)
    python demos/wgan_gp.py --steps 100     # a quick look

The run-folder version, with checkpoints and resuming, is
``python -m scratchgen train wgan-gp`` (scratchgen/train/gan.py).
"""
import argparse
import pathlib
import time

import numpy

import autograd as torch
from scratchgen import viz
from scratchgen.data import load_mnist
from scratchgen.models.gan import Discriminator, Generator, gradient_penalty


def mnist_batches(batch_size, seed):
    """Endless shuffled batches of MNIST padded to 32 x 32, scaled to [-1, 1] like G's tanh."""
    images, _ = load_mnist("train")
    images = numpy.pad(images, ((0, 0), (2, 2), (2, 2)))[:, None].astype(numpy.float32) / 127.5 - 1
    rng = numpy.random.default_rng(seed)
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            yield torch.tensor(images[order[start: start + batch_size]])


def critic_step(G, D, opt_D, real, latent_dim, gp_weight):
    fake = G(torch.randn(real.shape[0], latent_dim)).detach()     # G is not trained here
    gap = D(real).mean() - D(fake).mean()                          # the Wasserstein estimate
    loss_D = -gap + gp_weight * gradient_penalty(D, real, fake)
    opt_D.zero_grad()
    loss_D.backward()                                              # through second derivatives
    opt_D.step()
    return gap.item()


def generator_step(G, D, opt_G, batch_size, latent_dim):
    loss_G = -D(G(torch.randn(batch_size, latent_dim))).mean()     # raise the critic's score
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    return loss_G.item()


def save_pictures(G, latent_dim, out, gaps):
    G.eval()
    with torch.no_grad():
        samples = (G(torch.randn(64, latent_dim)).numpy() + 1) / 2   # tanh range -> [0, 1]
    G.train()
    viz.save_image_grid(samples, out / "samples.png", title="WGAN-GP samples")
    records = [{"step": i + 1, "Wasserstein estimate, E[D(real)] - E[D(fake)]": g}
               for i, g in enumerate(gaps)]
    viz.plot_losses(records, out / "loss.png", smooth=50)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2500, help="critic steps")
    parser.add_argument("--n-critic", type=int, default=5, help="critic steps per generator step")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--feature-dim", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--gp-weight", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/wgan_gp")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    G = Generator(args.latent_dim, args.feature_dim, channels=1, image_size=32)
    D = Discriminator(channels=1, feature_dim=args.feature_dim, image_size=32, sigmoid=False, norm="instance")
    opt_G = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.0, 0.9))
    opt_D = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.0, 0.9))

    batches, gaps, start = mnist_batches(args.batch_size, args.seed), [], time.perf_counter()
    for step in range(1, args.steps + 1):
        gaps.append(critic_step(G, D, opt_D, next(batches), args.latent_dim, args.gp_weight))
        if step % args.n_critic == 0:
            generator_step(G, D, opt_G, args.batch_size, args.latent_dim)
        if step % 100 == 0 or step == args.steps:
            print(f"step {step:5d}  Wasserstein estimate {numpy.mean(gaps[-100:]):.3f}  "
                  f"({time.perf_counter() - start:.0f} s)")

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_pictures(G, args.latent_dim, out, gaps)
    print(f"pictures in {out}/: samples.png, loss.png")
    return gaps


if __name__ == "__main__":
    main()
