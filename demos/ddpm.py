"""Train a small diffusion model (DDPM) on MNIST, with the whole training loop written out.

Training never runs the slow reverse chain.  Each step picks, for every image,
a random timestep t and jumps straight to the noisy image x_t in one draw:

    t     ~ uniform on 1..T
    eps   ~ N(0, I)
    x_t   = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps        (DDPM.q_sample)
    loss  = mean over pixels of (eps - eps_theta(x_t, t))^2   (L_simple, Ho et al. 2020,
            divided by the 784 pixels so the scale does not depend on the image size)

The network eps_theta (a small U-Net) learns to say which noise was mixed in.
Sampling then starts from pure noise x_T ~ N(0, I) and removes the predicted
noise step by step; DDIM (Song et al. 2021) takes 50 big deterministic steps
instead of the 1000 small random ones of ancestral sampling.

    python demos/ddpm.py                   # 1,500 steps at about 0.8 s each on one CPU core: 20 minutes
    python demos/ddpm.py --steps 200       # about 3 minutes: a first look

The run-folder version, with checkpoints, resuming, both samplers and the bound
in bits/dim, is ``python -m scratchgen train ddpm`` (scratchgen/train/ddpm.py).
"""
import argparse
import pathlib
import time

import numpy

import autograd as torch
from autograd import nn
from scratchgen import viz
from scratchgen.data import load_mnist
from scratchgen.models.ddpm import DDPM, NoiseSchedule
from scratchgen.models.unet import UNet


def batches(images, batch_size, rng):
    """Endless shuffled batches of MNIST scaled to [-1, 1] (the range the noise is added in)."""
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            yield torch.tensor(images[order[start:start + batch_size]])


def train_step(diffusion, unet, optimizer, x0):
    loss = diffusion.loss(x0)                 # draws t and eps, forms x_t, compares the noise
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
    optimizer.step()
    return loss.item()


def forward_strip(diffusion, x0, times):
    """Rows of images, one column per t: how q_sample destroys them."""
    eps = torch.randn(*x0.shape)
    columns = [x0 if t == 0 else diffusion.q_sample(x0, t, eps) for t in times]
    return numpy.stack([c.numpy() for c in columns], axis=1)


def to_unit(x):
    return numpy.clip((x + 1) / 2, 0, 1)      # [-1, 1] -> [0, 1], for the pictures


def save_pictures(diffusion, average, x0, losses, out, ddim_steps):
    times = [0, 50, 100, 200, 300, 500, 700, 1000]
    viz.save_image_rows(to_unit(forward_strip(diffusion, x0[:6], times)), out / "forward_noising.png",
                        title=f"forward: x_t at t = {', '.join(map(str, times))}")
    average_diffusion = DDPM(average.module, diffusion.schedule, diffusion.image_shape)
    with torch.no_grad():
        samples = average_diffusion.sample(64, "ddim", steps=ddim_steps)
    viz.save_image_grid(to_unit(samples.numpy()), out / "samples.png", title=f"DDIM, {ddim_steps} steps")
    viz.plot_losses([{"step": i + 1, "noise-prediction MSE": v} for i, v in enumerate(losses)],
                    out / "loss.png", smooth=50)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--base-channels", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--ddim-steps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/ddpm")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    images = (load_mnist("train")[0][:, None] / 127.5 - 1).astype(numpy.float32)
    unet = UNet(in_channels=1, base_channels=args.base_channels)
    diffusion = DDPM(unet, NoiseSchedule.named("linear", 1000), image_shape=(1, 28, 28))
    optimizer = torch.optim.Adam(unet.parameters(), lr=args.lr)
    average = torch.optim.ExponentialMovingAverage(unet, 0.995)   # the weights that sample

    data, losses, start = batches(images, args.batch_size, rng), [], time.perf_counter()
    for step in range(1, args.steps + 1):
        x0 = next(data)
        losses.append(train_step(diffusion, unet, optimizer, x0))
        average.update(unet)
        if step % 100 == 0 or step == args.steps:
            print(f"step {step:5d}  loss {numpy.mean(losses[-100:]):.4f}  ({time.perf_counter() - start:.0f} s)")

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_pictures(diffusion, average, x0, losses, out, args.ddim_steps)
    print(f"pictures in {out}/: forward_noising.png, samples.png, loss.png")
    return numpy.mean(losses[-100:])


if __name__ == "__main__":
    main()
