"""PixelRNN (Row LSTM) on binarised MNIST: what each pixel sees, training through time, samples.

Like PixelCNN, the model gives every pixel a Bernoulli probability given the pixels before
it in raster order, so log p(x) = sum_i log p(x_i | x_<i) exactly.  What differs is how the
context travels: an LSTM runs down the image one row at a time (scratchgen/models/pixelrnn.py),
and backward() runs back up through all 28 rows (backpropagation through time).

The first picture is each model's receptive field for one pixel: the input pixels whose
gradient reaches that pixel's logit.  PixelCNN's stacked masked convolutions see a box of
8 rows up, less a wedge above and to the right (its blind spot); the Row LSTM's state
carries from row to row, so it sees a triangle that widens by one column per row up and
reaches the top of the image, missing only the corners beyond its edges.

    python demos/pixelrnn.py                   # 500 steps, a few minutes, then pictures
    python demos/pixelrnn.py --steps 2000

The run-folder version, with checkpoints, resuming and the test NLL on all 10,000 test
images, is ``python -m scratchgen train pixelrnn`` (scratchgen/train/pixelrnn.py).
"""
import argparse
import math
import pathlib
import time

import matplotlib

matplotlib.use("Agg")  # write files only, never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

import autograd as torch  # noqa: E402
from scratchgen import viz  # noqa: E402
from scratchgen.data import load_mnist  # noqa: E402
from scratchgen.models.pixelcnn import PixelCNN  # noqa: E402
from scratchgen.models.pixelrnn import PixelRNN  # noqa: E402

PIXEL = (20, 14)     # the pixel whose receptive field is drawn


def receptive_field(model, image):
    """Which input pixels the logit at PIXEL depends on: |d logit / d x| > 0, (28, 28) bools."""
    x = torch.tensor(image[None, None]).requires_grad_()
    model(x)[0, 0, PIXEL[0], PIXEL[1]].backward()
    return numpy.abs(x.grad.numpy()[0, 0]) > 0


def draw_receptive_fields(fields, path):
    fig, axes = plt.subplots(1, len(fields), figsize=(3.2 * len(fields), 3.9))
    for ax, (name, seen) in zip(axes, fields.items()):
        picture = numpy.where(seen, 0.35, 1.0)
        picture[PIXEL] = 0.0
        ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"{name}\n{seen.sum()} of {PIXEL[0] * 28 + PIXEL[1]} earlier pixels seen", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"grey: pixels the logit at row {PIXEL[0]}, column {PIXEL[1]} (black) depends on",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.93))    # leave the top for the suptitle
    fig.savefig(path, dpi=100)
    plt.close(fig)


def fresh_bits(images, batch_size, rng):
    """A random batch of training digits as fresh random bits: P(bit = 1) = intensity."""
    intensities = images[rng.integers(0, len(images), batch_size)]
    return torch.tensor((rng.random(intensities.shape) < intensities).astype(numpy.float32))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-images", type=int, default=500, help="test images for the final NLL")
    parser.add_argument("--out", default="demo_output/pixelrnn")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    train_images = load_mnist("train")[0][:, None] / numpy.float32(255)
    test_images = load_mnist("test")[0][:args.eval_images, None] / numpy.float32(255)
    test_bits = (rng.random(test_images.shape) < test_images).astype(numpy.float32)
    model = PixelRNN(hidden=args.hidden, layers=args.layers)

    noise = rng.random((28, 28)).astype(numpy.float32)     # any image: masks do not depend on it
    draw_receptive_fields({"PixelCNN (5 masked blocks)": receptive_field(PixelCNN(), noise),
                           f"PixelRNN ({args.layers} Row LSTM layers)": receptive_field(model, noise)},
                          out / "receptive_fields.png")

    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    losses, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        for group in optimizer.param_groups:        # cosine decay to 5% of the rate
            group["lr"] = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        loss = model.loss(fresh_bits(train_images, args.batch_size, rng))   # -log p(x), nats per image
        optimizer.zero_grad()
        loss.backward()                             # back up through every row: BPTT
        optimizer.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == args.steps:
            print(f"step {step:5d}  nll {numpy.mean(losses[-50:]):7.2f} nats  ({time.perf_counter() - start:.0f} s)")

    with torch.no_grad():
        nll = numpy.concatenate([-model.log_prob(torch.tensor(test_bits[i:i + 100])).numpy()
                                 for i in range(0, len(test_bits), 100)]).mean()
        print(f"first {len(test_bits)} test images: NLL {nll:.2f} nats (exact), "
              f"{nll / (784 * math.log(2)):.4f} bits/dim")
        samples = model.sample(16, progress=True)
    viz.save_image_grid(samples.numpy(), out / "samples.png", title="PixelRNN samples")
    viz.plot_losses([{"step": i + 1, "NLL, nats per image": v} for i, v in enumerate(losses)],
                    out / "loss.png", smooth=25)
    print(f"pictures in {out}/: receptive_fields.png, samples.png, loss.png")
    return float(nll)


if __name__ == "__main__":
    main()
