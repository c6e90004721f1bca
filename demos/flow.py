"""Fit a RealNVP flow to two moons, with the whole training loop written out, and save pictures.

A flow is an invertible map z = f(x) to a standard Gaussian; the change of variables
gives the exact log-likelihood of every point, which training maximises:

    z, log_det = flow(x)                         # log_det = log |det df/dx|, per point
    log p(x)   = log N(z; 0, I) + log_det
    loss       = -mean log p(x)                  (nats per point)

Sampling runs the map backwards, x = f^-1(z) with z ~ N(0, T^2 I); a temperature
T < 1 draws from the middle of the Gaussian, so the samples hug the moons.

    python demos/flow.py                     # 3,000 steps, about a minute
    python demos/flow.py --data rings --steps 6000

The run-folder version, with checkpoints and MNIST's multi-scale flow, is
``python -m scratchgen train realnvp`` (scratchgen/train/flow.py).
"""
import argparse
import pathlib
import time

import numpy

import autograd as torch
from autograd.distributions import Independent, MultivariateNormal, Normal
from scratchgen import viz
from scratchgen.data.toys import TOYS, sample_toy
from scratchgen.models.flow import PointFlow


def negative_log_likelihood(flow, x):
    """-log p(x) per point, by the change of variables."""
    z, log_det = flow(x)
    prior = Independent(Normal(torch.zeros_like(z), torch.ones_like(z)), 1)   # N(0, I)
    return -(prior.log_prob(z) + log_det)


def train_step(flow, optimizer, x):
    loss = negative_log_likelihood(flow, x).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def save_pictures(flow, data, out, losses):
    """The density beside the data and samples, samples at two temperatures, the loss curve."""
    def log_density(points):
        with torch.no_grad():
            return -negative_log_likelihood(flow, torch.tensor(points.astype(numpy.float32)))

    with torch.no_grad():
        hot = flow.inverse(torch.randn(2000, 2)).numpy()
        cold = flow.inverse(0.7 * torch.randn(2000, 2)).numpy()
    viz.plot_density_2d(log_density, out / "density.png", data=data[:2000], samples=hot)
    viz.scatter_2d(out / "temperatures.png", **{"data": data[:2000],        # the panel titles
                                                "samples at temperature 1": hot,
                                                "samples at temperature 0.7": cold})
    viz.plot_losses([{"step": i + 1, "NLL, nats per point": v} for i, v in enumerate(losses)],
                    out / "loss.png", smooth=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="two_moons", choices=sorted(TOYS))
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--couplings", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/flow")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    data = sample_toy(args.data, 50_000, seed=args.seed)
    test = torch.tensor(sample_toy(args.data, 5_000, seed=args.seed + 1))
    flow = PointFlow(dim=2, couplings=args.couplings, hidden=args.hidden)   # affine couplings, MLPs
    optimizer = torch.optim.Adam(flow.parameters(), lr=args.lr)

    losses, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        batch = torch.tensor(data[rng.integers(0, len(data), args.batch_size)])
        losses.append(train_step(flow, optimizer, batch))
        if step % 500 == 0 or step == args.steps:
            print(f"step {step:5d}  nll {numpy.mean(losses[-100:]):.3f} nats  "
                  f"({time.perf_counter() - start:.0f} s)")

    with torch.no_grad():
        test_nll = negative_log_likelihood(flow, test).mean().item()
    print(f"test NLL {test_nll:.3f} nats per point (a Gaussian fitted to the data: "
          f"{_gaussian_nll(data, test.numpy()):.3f})")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_pictures(flow, data, out, losses)
    print(f"pictures in {out}/: density.png, temperatures.png, loss.png")
    return test_nll


def _gaussian_nll(train, test):
    """The baseline: the NLL of the test points under one Gaussian with the data's mean and covariance."""
    fitted = MultivariateNormal(torch.tensor(train.mean(0), dtype=torch.float64),
                                covariance_matrix=torch.tensor(numpy.cov(train.T), dtype=torch.float64))
    return -float(fitted.log_prob(torch.tensor(test, dtype=torch.float64)).mean())


if __name__ == "__main__":
    main()
