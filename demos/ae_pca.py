"""An autoencoder against PCA, its linear baseline, on MNIST, with the training loop written out.

Both compress a 784-pixel image into a code of k numbers and rebuild it:

    PCA:          code = (x - m) V_k           x_hat = code V_k^T + m    (the best *linear* map,
                                                                           from one SVD, no training)
    autoencoder:  code = encoder(x)            x_hat = decoder(code)     (two small networks, trained
                                                                           on mean (x - x_hat)^2)

A linear autoencoder can do no better than PCA; the nonlinear one should beat it
at the same k.  The script prints both test errors and saves the same test digits
rebuilt by each.

    python demos/ae_pca.py                   # k = 32, 5,000 steps, about a minute on a CPU core
    python demos/ae_pca.py --code-size 8 --steps 500

The run-folder version is ``python -m scratchgen train ae`` (scratchgen/train/ae_vae.py);
``scripts/code_size.py`` sweeps k for PCA, the linear and the nonlinear autoencoder.
"""
import argparse
import pathlib
import time

import numpy

import autograd as torch
from scratchgen import viz
from scratchgen.data import load_mnist
from scratchgen.models.ae import MLPAutoencoder
from scratchgen.models.pca import PCA


def batches(images, batch_size, rng):
    """Endless shuffled batches of images in [0, 1]."""
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            yield torch.tensor(images[order[start:start + batch_size]])


def train_step(model, optimizer, x):
    loss = model.loss(x)               # mean (x - decoder(encoder(x)))^2 over pixels and images
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def test_error(model, images):
    model.eval()
    with torch.no_grad():
        x = torch.tensor(images)
        error = ((model(x) - x) ** 2).mean().item()
    model.train()
    return error


def save_pictures(model, pca, test_images, losses, out):
    model.eval()
    with torch.no_grad():
        by_autoencoder = model(torch.tensor(test_images[:10])).numpy()
    by_pca = numpy.clip(pca.reconstruct(test_images[:10]), 0, 1)
    rows = numpy.stack([test_images[:10], by_pca, by_autoencoder])          # (3 rows, 10, 1, 28, 28)
    viz.save_image_rows(rows, out / "reconstructions.png", title="rows: test digits, PCA, autoencoder")
    viz.plot_losses([{"step": i + 1, "MSE per pixel": v} for i, v in enumerate(losses)],
                    out / "loss.png", smooth=50)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-images", type=int, default=60_000, help="the first N training images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/ae_pca")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    train_images = (load_mnist("train")[0][:args.train_images, None] / 255.0).astype(numpy.float32)
    test_images = (load_mnist("test")[0][:, None] / 255.0).astype(numpy.float32)

    pca = PCA(args.code_size).fit(train_images)
    pca_error = pca.reconstruction_error(test_images)
    print(f"PCA, k = {args.code_size}: test MSE {pca_error:.4f} per pixel")

    model = MLPAutoencoder(code_size=args.code_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    data, losses, start = batches(train_images, args.batch_size, rng), [], time.perf_counter()
    for step in range(1, args.steps + 1):
        losses.append(train_step(model, optimizer, next(data)))
        if step % 500 == 0 or step == args.steps:
            print(f"step {step:5d}  loss {numpy.mean(losses[-100:]):.4f}  ({time.perf_counter() - start:.0f} s)")

    ae_error = test_error(model, test_images)
    print(f"autoencoder, k = {args.code_size}: test MSE {ae_error:.4f} per pixel (PCA: {pca_error:.4f})")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_pictures(model, pca, test_images, losses, out)
    print(f"pictures in {out}/: reconstructions.png, loss.png")
    return pca_error, ae_error


if __name__ == "__main__":
    main()
