"""Train a two-layer network on the two-moons toy data and print its falling loss.

Everything here is autograd's public API: tensors, matmul, tanh, a
cross-entropy written by hand, backward(), and a plain gradient-descent step.
It runs in a few seconds on a laptop CPU:

    python demos/two_layer_net.py
"""
import argparse
import math

import numpy

import autograd as torch


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
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
    return loss.item(), accuracy


if __name__ == "__main__":
    main()
