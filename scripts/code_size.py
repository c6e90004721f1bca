"""Test reconstruction error against code size: PCA, a linear autoencoder, a nonlinear one.

    python scripts/code_size.py                                  # the full sweep (see the docs for its time)
    python scripts/code_size.py --sizes 2 16 --steps 200 --linear-steps 200 --out /tmp/cs.png  # smoke run

For each code size k, on MNIST scaled to [0, 1]:
- PCA with k components, fitted on the 60,000 training images (one SVD; smaller k
  are its first components);
- the linear autoencoder 784 -> k -> 784 (``MLPAutoencoder(linear=True)``), which at
  best matches PCA (same subspace, see models/pca.py);
- the nonlinear autoencoder 784-512-256-k-256-512-784 with ReLUs and a sigmoid output.
Both autoencoders train with Adam on the mean squared error (the linear one for more
steps: it converges slowly and each step is cheap).  The figure is the test MSE per
pixel (mean over the 10,000 test images and their 784 pixels) against k, and the
table is printed as Markdown.
"""
import argparse
import json
import pathlib
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import autograd as torch  # noqa: E402
from scratchgen.data import DataLoader, load_mnist, to_unit  # noqa: E402
from scratchgen.models.ae import MLPAutoencoder  # noqa: E402
from scratchgen.models.pca import PCA  # noqa: E402
from scratchgen.train.ae_vae import in_batches  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16, 32, 64])
    parser.add_argument("--steps", type=int, default=3000, help="Adam steps of the nonlinear autoencoder")
    parser.add_argument("--linear-steps", type=int, default=20000,
                        help="Adam steps of the linear autoencoder (each costs 1/20 of a nonlinear one)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-images", type=int, default=None,
                        help="use only the first N training images (smoke tests)")
    parser.add_argument("--out", default="runs/code_size.png", help="the plot; a .json beside it")
    return parser.parse_args(argv)


def train_autoencoder(model, train_images, steps, args):
    """Adam on the MSE for ``steps`` batches; returns the seconds it took."""
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(train_images, args.batch_size, drop_last=True, seed=args.seed)
    started = time.perf_counter()
    for batch in loader.batches(steps):
        loss = model.loss(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def test_mse(model, test_images):
    model.eval()
    device = next(model.parameters()).device  # where the model was built
    reconstructions = in_batches(model, test_images, device, batch_size=500)
    return float(((reconstructions - test_images) ** 2).mean())


def sweep(args):
    train_images = to_unit(load_mnist("train")[0][:args.train_images, None])
    test_images = to_unit(load_mnist("test")[0][:, None])
    pca = PCA(max(args.sizes)).fit(train_images)
    rows = []
    for k in args.sizes:
        row = {"code_size": k, "pca": pca.first(k).reconstruction_error(test_images)}
        for name, linear, steps in (("linear_ae", True, args.linear_steps),
                                    ("nonlinear_ae", False, args.steps)):
            torch.manual_seed(args.seed)
            model = MLPAutoencoder((1, 28, 28), k, hidden=(512, 256), linear=linear)
            row[f"{name}_seconds"] = round(train_autoencoder(model, train_images, steps, args), 1)
            row[name] = test_mse(model, test_images)
        rows.append(row)
        print(f"k={k:3d}  PCA {row['pca']:.5f}  linear AE {row['linear_ae']:.5f}  "
              f"nonlinear AE {row['nonlinear_ae']:.5f}", flush=True)
    return rows


def plot(rows, path, args):
    sizes = [row["code_size"] for row in rows]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for key, label, style in (("pca", "PCA", "k-o"), ("linear_ae", "linear autoencoder", "C0--s"),
                              ("nonlinear_ae", "nonlinear autoencoder", "C3-^")):
        ax.plot(sizes, [row[key] for row in rows], style, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(k) for k in sizes])
    ax.set_xlabel("code size k")
    ax.set_ylabel("test MSE per pixel")
    ax.set_title(f"MNIST test reconstruction error\n(Adam steps: linear AE {args.linear_steps}, "
                 f"nonlinear AE {args.steps}, batch {args.batch_size})", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def markdown(rows):
    lines = ["| k | PCA | linear AE | nonlinear AE |", "| ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['code_size']} | {r['pca']:.4f} | {r['linear_ae']:.4f} | {r['nonlinear_ae']:.4f} |"
              for r in rows]
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = sweep(args)
    plot(rows, out, args)
    out.with_suffix(".json").write_text(json.dumps({"settings": vars(args), "rows": rows}, indent=2) + "\n")
    print(markdown(rows))
    print(f"wrote {out} and {out.with_suffix('.json')} in {time.perf_counter() - started:.0f} s")
    return rows


if __name__ == "__main__":
    main()
