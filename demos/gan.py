"""Train a DCGAN on MNIST, with the whole training loop written out, and save pictures.

The recipe of the seed notes (the lecture notes on deep generative models this project
started from), step by step: the discriminator D learns to say 1 on real
digits and 0 on generated ones (trained first, on a detached fake), then the
generator G learns to make D say 1 on its fakes.  The networks are the notes'
DCGAN classes from scratchgen.models.gan, at 32 x 32 with one channel.

    python demos/gan.py                 # 2000 steps, about 5 minutes on 2 CPU cores
    python demos/gan.py --steps 200     # a quick look: blobs turning into strokes

The run-folder version of the same thing, with checkpoints and resuming, is
``python -m scratchgen train dcgan`` (scratchgen/train/gan.py).
"""
import argparse
import pathlib
import time

import numpy

import autograd as torch
from autograd import nn
from scratchgen import viz
from scratchgen.data import load_mnist
from scratchgen.models.gan import Discriminator, Generator


def mnist_batches(batch_size, seed):
    """Endless shuffled batches of MNIST padded to 32 x 32, scaled to [-1, 1] like G's tanh."""
    images, _ = load_mnist("train")
    images = numpy.pad(images, ((0, 0), (2, 2), (2, 2)))[:, None].astype(numpy.float32) / 127.5 - 1
    rng = numpy.random.default_rng(seed)
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            yield torch.tensor(images[order[start: start + batch_size]])


def train_step(G, D, opt_G, opt_D, real, latent_dim):
    bce = nn.BCELoss()
    n = real.shape[0]
    ones, zeros = torch.ones(n), torch.zeros(n)

    # 1. D: real towards 1, fake towards 0.  detach() stops this loss from reaching G.
    fake = G(torch.randn(n, latent_dim))
    loss_D = (bce(D(real), ones) + bce(D(fake.detach()), zeros)) / 2
    opt_D.zero_grad()
    loss_D.backward()
    opt_D.step()

    # 2. G: make the updated D say 1 on the same fakes (the non-saturating loss).
    loss_G = bce(D(fake), ones)
    opt_G.zero_grad()          # D's gradients from this loss are never used: D steps next time
    loss_G.backward()          # after zeroing them in its own zero_grad()
    opt_G.step()
    return loss_D.item(), loss_G.item()


def save_pictures(G, latent_dim, out, losses):
    """A sample grid, a latent interpolation and the loss curves, from G in eval mode."""
    G.eval()
    with torch.no_grad():
        samples = G(torch.randn(64, latent_dim))
        ends = torch.randn(2, 8, latent_dim)
        t = torch.linspace(0, 1, 10).reshape(1, 10, 1)
        walks = ends[0].unsqueeze(1) * (1 - t) + ends[1].unsqueeze(1) * t   # (8, 10, latent)
        walk_images = G(walks.reshape(80, latent_dim))
    G.train()
    to_unit = lambda images: (images.numpy() + 1) / 2                        # tanh range -> [0, 1]
    viz.save_image_grid(to_unit(samples), out / "samples.png", title="DCGAN samples")
    viz.save_interpolation(to_unit(walk_images).reshape(8, 10, 1, 32, 32), out / "interpolation.png",
                           title="walks through latent space")
    records = [{"step": i + 1, "discriminator loss": d, "generator loss": g}
               for i, (d, g) in enumerate(losses)]
    viz.plot_losses(records, out / "loss.png", smooth=50)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--feature-dim", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/gan")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    G = Generator(args.latent_dim, args.feature_dim, channels=1, image_size=32)
    D = Discriminator(channels=1, feature_dim=args.feature_dim, image_size=32)
    opt_G = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))

    batches, losses, start = mnist_batches(args.batch_size, args.seed), [], time.perf_counter()
    for step in range(1, args.steps + 1):
        losses.append(train_step(G, D, opt_G, opt_D, next(batches), args.latent_dim))
        if step % 100 == 0 or step == args.steps:
            print(f"step {step:5d}  loss_D {losses[-1][0]:.3f}  loss_G {losses[-1][1]:.3f}  "
                  f"({time.perf_counter() - start:.0f} s)")

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_pictures(G, args.latent_dim, out, losses)
    print(f"pictures in {out}/: samples.png, interpolation.png, loss.png")


if __name__ == "__main__":
    main()
