"""Train a VAE on binarised MNIST, with the whole training loop written out, and save pictures.

Each step draws a batch, binarises it afresh (pixel = 1 with probability equal to
its intensity), and minimises the negative ELBO:

    mu, logvar = encoder(x)
    z          = mu + exp(0.5 logvar) * eps,      eps ~ N(0, I)   (the reparameterisation)
    loss       = -log p(x|z) + KL(N(mu, exp(logvar)) || N(0, I))  (per image, averaged)

With a 2-D latent space the decoder's output can be drawn as a map of the plane.

    python demos/vae.py                              # 2-D latent, 10,000 steps, about 1 minute
    python demos/vae.py --latent-dim 20 --steps 30000

The run-folder version, with checkpoints, resuming and the importance-weighted test
NLL, is ``python -m scratchgen train vae`` (scratchgen/train/ae_vae.py).
"""
import argparse
import pathlib
import statistics
import time

import numpy

import autograd as torch
from autograd.distributions import Independent, Normal, kl_divergence
from autograd.nn import functional as F
from scratchgen import viz
from scratchgen.data import load_mnist
from scratchgen.models.vae import MLPVAE
import matplotlib.pyplot as plt             # after viz, which sets the files-only (Agg) backend


def binarised_batches(images, batch_size, rng):
    """Endless shuffled batches of fresh random bits, P(bit = 1) = pixel intensity."""
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            intensities = images[order[start:start + batch_size]]
            yield torch.tensor((rng.random(intensities.shape) < intensities).astype(numpy.float32))


def train_step(vae, optimizer, x):
    """One Adam step on the negative ELBO; returns (loss, reconstruction, KL), each averaged
    over the batch, so that loss = reconstruction + KL."""
    mu, logvar = vae.encode(x)
    q = Independent(Normal(mu, (0.5 * logvar).exp()), 1)                      # q(z|x)
    prior = Independent(Normal(torch.zeros_like(mu), torch.ones_like(mu)), 1)  # p(z) = N(0, I)
    z = q.rsample()                   # mu + sigma * eps: differentiable in mu and sigma
    logits = vae.decode(z)
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(dim=1)
    kl = kl_divergence(q, prior)
    loss = (reconstruction + kl).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item(), reconstruction.mean().item(), kl.mean().item()


def plot_loss_terms(losses, path, smooth=100):
    """Two panels: the loss and its reconstruction term (left), the KL term (right, much smaller)."""
    steps = numpy.arange(1, len(losses) + 1)
    window = min(smooth, len(losses))
    mean_of = lambda values: numpy.convolve(values, numpy.ones(window) / window, mode="valid")
    total, reconstruction, kl = numpy.array(losses).T
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for ax, curves in ((left, [("loss = -ELBO = reconstruction + KL", total, "black"),
                               ("reconstruction: -log p(x|z)", reconstruction, "tab:blue")]),
                       (right, [("KL(q(z|x) || p(z))", kl, "tab:orange")])):
        for label, values, colour in curves:
            ax.plot(steps, values, color=colour, alpha=0.2)
            ax.plot(steps[window - 1:], mean_of(values), color=colour,
                    label=f"{label}, mean of {window} steps")
        ax.set_xlabel("step")
        ax.set_ylabel("nats per image")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    left.set_title("the loss and its reconstruction term")
    right.set_title("the KL term: how far q(z|x) strays from the prior")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_pictures(vae, test_bits, out, losses):
    """Samples, test reconstructions, the loss curves, and for a 2-D latent space the map."""
    with torch.no_grad():
        samples = vae.sample(64)
        mu, _ = vae.encode(torch.tensor(test_bits[:10]))
        reconstructions = vae.decode(mu).sigmoid()
    viz.save_image_grid(samples.numpy(), out / "samples.png", title="VAE samples (Bernoulli means)")
    viz.save_reconstructions(test_bits[:10], reconstructions.numpy(), out / "reconstructions.png", n=10)
    plot_loss_terms(losses, out / "loss.png")
    if vae.latent_dim == 2:   # z on a 15 x 15 grid of Gaussian quantiles: equal prior mass per cell
        q = [statistics.NormalDist().inv_cdf(p) for p in numpy.linspace(0.05, 0.95, 15)]
        grid = numpy.array([[x, y] for y in q[::-1] for x in q], dtype=numpy.float32)
        with torch.no_grad():
            images = vae.decode(torch.tensor(grid)).sigmoid()
        viz.save_image_grid(images.numpy(), out / "latent_map.png", nrow=15,
                            title="decoded z on a 15 x 15 grid of the 2-D latent plane")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--latent-dim", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=400)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-images", type=int, default=1000, help="test images for the final bounds")
    parser.add_argument("--out", default="demo_output/vae")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    train_images = load_mnist("train")[0][:, None] / 255.0
    test_images = load_mnist("test")[0][:, None] / 255.0
    test_bits = (rng.random(test_images.shape) < test_images).astype(numpy.float32)
    vae = MLPVAE(latent_dim=args.latent_dim, hidden=(args.hidden,))
    optimizer = torch.optim.Adam(vae.parameters(), lr=args.lr)

    batches, losses, start = binarised_batches(train_images, args.batch_size, rng), [], time.perf_counter()
    for step in range(1, args.steps + 1):
        losses.append(train_step(vae, optimizer, next(batches)))
        if step % 1000 == 0 or step == args.steps:
            loss, reconstruction, kl = numpy.mean(losses[-100:], axis=0)
            print(f"step {step:6d}  loss {loss:7.2f} = reconstruction {reconstruction:7.2f} + KL {kl:5.2f} "
                  f"nats  ({time.perf_counter() - start:.0f} s)")

    with torch.no_grad():
        first = torch.tensor(test_bits[:args.eval_images])
        elbo, bound = vae.elbo(first).numpy().mean(), vae.log_prob_bound(first, 100).numpy().mean()
    print(f"first {args.eval_images} test images: -ELBO {-elbo:.2f} nats, -L_100 {-bound:.2f} nats "
          f"(both upper bounds on the NLL; -L_100 the tighter)")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_pictures(vae, test_bits, out, losses)
    print(f"pictures in {out}/: samples.png, reconstructions.png, loss.png"
          + (", latent_map.png" if args.latent_dim == 2 else ""))
    return -elbo, -bound


if __name__ == "__main__":
    main()
