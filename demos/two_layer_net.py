"""Train a two-layer network on the two-moons toy data, print its falling loss, draw its boundary.

Everything here is autograd's public API: tensors, matmul, tanh, a
cross-entropy written by hand, backward(), and a plain gradient-descent step.
After training, the network is evaluated on a grid of points covering the data,
and the picture shows the probability it gives class 1 everywhere, with the
training points on top: the line where it crosses 0.5 is the decision boundary.
It runs in a few seconds on a laptop CPU:

    python demos/two_layer_net.py                # picture in demo_output/two_layer_net/
"""
import argparse
import math
import pathlib

import matplotlib

matplotlib.use("Agg")  # write files only, never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

import autograd as torch  # noqa: E402


def two_moons(n, noise=0.1, seed=0):
    """n points on two interleaved half circles, labels 0 and 1."""
    rng = numpy.random.default_rng(seed)
    angle = rng.uniform(0, math.pi, n)
    label = rng.integers(0, 2, n)
    x = numpy.where(label == 0, numpy.cos(angle), 1 - numpy.cos(angle))
    y = numpy.where(label == 0, numpy.sin(angle), 0.5 - numpy.sin(angle))
    points = numpy.stack([x, y], axis=1) + rng.normal(0, noise, (n, 2))
    return points.astype(numpy.float32), label


def init_layer(n_in, n_out):
    """Weights uniform in +-1/sqrt(n_in), as PyTorch's Linear; weight shape (out, in)."""
    bound = 1 / math.sqrt(n_in)
    weight = (torch.rand(n_out, n_in) * 2 - 1) * bound
    bias = (torch.rand(n_out) * 2 - 1) * bound
    return weight.requires_grad_(), bias.requires_grad_()


def cross_entropy(logits, labels):
    """Mean of -log softmax(logits)[label]."""
    log_probs = logits.log_softmax(dim=1)
    return -log_probs[torch.arange(len(labels)), labels].mean()


def save_boundary(forward, points, labels, path, resolution=200):
    """P(class 1) on a grid over the data's bounding box, as filled contours, with the points on top."""
    low, high = points.min(axis=0) - 0.3, points.max(axis=0) + 0.3
    grid_x, grid_y = numpy.meshgrid(numpy.linspace(low[0], high[0], resolution),
                                    numpy.linspace(low[1], high[1], resolution))
    grid = numpy.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(numpy.float32)
    with torch.no_grad():
        prob_1 = forward(torch.tensor(grid)).softmax(dim=1)[:, 1].numpy().reshape(resolution, resolution)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    filled = ax.contourf(grid_x, grid_y, prob_1, levels=numpy.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5)
    ax.contour(grid_x, grid_y, prob_1, levels=[0.5], colors="black", linewidths=1.5)
    for label, colour, marker in ((0, "tab:blue", "o"), (1, "tab:red", "^")):
        chosen = points[labels == label]
        ax.scatter(chosen[:, 0], chosen[:, 1], s=14, color=colour, marker=marker, edgecolors="black",
                   linewidths=0.4, label=f"training points, class {label}")
    fig.colorbar(filled, ax=ax, label="P(class 1), as the network says")
    ax.set_title("two-layer network: P(class 1) everywhere\nblack line: the decision boundary, P = 0.5")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/two_layer_net")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    points, labels = two_moons(512, seed=args.seed)
    x, y = torch.tensor(points), torch.tensor(labels)
    w1, b1 = init_layer(2, args.hidden)
    w2, b2 = init_layer(args.hidden, 2)
    params = [w1, b1, w2, b2]

    for step in range(args.steps + 1):
        hidden = (x @ w1.T + b1).tanh()
        logits = hidden @ w2.T + b2
        loss = cross_entropy(logits, y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.data -= args.lr * p.grad.data
        if step % 50 == 0:
            accuracy = (logits.argmax(dim=1) == y).float().mean().item()
            print(f"step {step:4d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_boundary(lambda grid: (grid @ w1.T + b1).tanh() @ w2.T + b2, points, labels,
                  out / "decision_boundary.png")
    print(f"picture in {out}/: decision_boundary.png")
    return loss.item(), accuracy


if __name__ == "__main__":
    main()
