"""Train a PixelCNN on binarised MNIST, with the whole training loop written out, and save pictures.

The model gives every pixel a Bernoulli probability that depends only on the pixels
before it in raster order (masked convolutions, scratchgen/models/pixelcnn.py), so

    log p(x) = sum_i log p(x_i | x_<i)       exactly, in one forward pass,

and the loss is -log p(x) in nats per image.  Each step binarises a fresh batch
(pixel = 1 with probability equal to its intensity).  Sampling then draws the 784
pixels one at a time, for the whole batch at once.

    python demos/pixelcnn.py                   # 1,000 steps: a few minutes, then samples
    python demos/pixelcnn.py --steps 3000

The run-folder version, with checkpoints, resuming and the test NLL on all 10,000
test images, is ``python -m scratchgen train pixelcnn`` (scratchgen/train/pixelcnn.py).
"""
import argparse
import math
import pathlib
import time

import numpy

import autograd as torch
from scratchgen import viz
from scratchgen.data import load_mnist
from scratchgen.models.pixelcnn import PixelCNN


def binarised_batches(images, batch_size, rng):
    """Endless shuffled batches of fresh random bits, P(bit = 1) = pixel intensity."""
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            intensities = images[order[start:start + batch_size]]
            yield torch.tensor((rng.random(intensities.shape) < intensities).astype(numpy.float32))


def train_step(model, optimizer, x, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr
    loss = model.loss(x)                  # -log p(x), nats per image, averaged over the batch
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def save_pictures(model, test_bits, out, losses):
    """64 samples, completions of the bottom halves of 8 test digits, and the loss curve."""
    with torch.no_grad():
        started = time.perf_counter()
        samples = model.sample(64, progress=True)
        seconds = time.perf_counter() - started
        top_halves = torch.tensor(numpy.repeat(test_bits[:8], 4, axis=0))
        completions = model.sample(given=top_halves, first_pixel=14 * 28, progress=True)
    viz.save_image_grid(samples.numpy(), out / "samples.png", title="PixelCNN samples")
    shown = test_bits[:8].copy()
    shown[:, :, 14:] = 0.5                # grey: the half the model does not see
    rows = numpy.concatenate([test_bits[:8, None], shown[:, None],
                              completions.numpy().reshape(8, 4, 1, 28, 28)], axis=1)
    viz.save_image_rows(rows, out / "completions.png", title="original | top half given | 4 completions")
    viz.plot_losses([{"step": i + 1, "NLL, nats per image": v} for i, v in enumerate(losses)],
                    out / "loss.png", smooth=50)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-images", type=int, default=1000, help="test images for the final NLL")
    parser.add_argument("--out", default="demo_output/pixelcnn")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    train_images = load_mnist("train")[0][:, None] / numpy.float32(255)
    test_images = load_mnist("test")[0][:args.eval_images, None] / numpy.float32(255)
    test_bits = (rng.random(test_images.shape) < test_images).astype(numpy.float32)
    model = PixelCNN(hidden=args.hidden, blocks=args.blocks, output_hidden=args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    batches, losses, start = binarised_batches(train_images, args.batch_size, rng), [], time.perf_counter()
    for step in range(1, args.steps + 1):
        lr = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))   # cosine decay
        losses.append(train_step(model, optimizer, next(batches), lr))
        if step % 100 == 0 or step == args.steps:
            print(f"step {step:5d}  nll {numpy.mean(losses[-100:]):7.2f} nats  ({time.perf_counter() - start:.0f} s)")

    with torch.no_grad():
        nll = numpy.concatenate([-model.log_prob(torch.tensor(test_bits[i:i + 100])).numpy()
                                 for i in range(0, len(test_bits), 100)]).mean()
    print(f"first {len(test_bits)} test images: NLL {nll:.2f} nats (exact), "
          f"{nll / (784 * math.log(2)):.4f} bits/dim")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seconds = save_pictures(model, test_bits, out, losses)
    print(f"64 samples took {seconds:.1f} s (784 network passes)")
    print(f"pictures in {out}/: samples.png, completions.png, loss.png")
    return float(nll)


if __name__ == "__main__":
    main()
