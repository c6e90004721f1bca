"""Fool the shipped MNIST classifier with the fast gradient sign method, and save pictures.

An adversarial example (Goodfellow, Shlens and Szegedy, 2015) moves every pixel a
small step eps in the direction that raises the classifier's loss:

    loss  = cross_entropy(classifier(x), true label)
    x_adv = clip(x + eps * sign(d loss / d x), 0, 1)

One backward pass gives d loss / d x: the same backward() that trains a network,
asked here for the gradient with respect to the input instead of the weights.

Why so small a step is enough: think of the network as roughly linear near x, with
a class score w . x. Moving x by eps * sign(w) changes the score by
eps * sum_i |w_i|, about eps * n * (mean |w_i|) for n pixels. No pixel moves by
more than eps, yet the change in the score grows with the number of pixels, and
an MNIST digit has 784 of them. Step sizes a person hardly notices add up to a
big change in the score.

This is the weakness of a discriminative model (docs/overview.md): it learns only
p(y | x), where the boundary between the classes lies, and nothing about what a
digit looks like, so it has no way of seeing that the speckled image is not a
typical digit. It only reports which side of the boundary the image fell on.

    python demos/adversarial.py --out demo_output/adversarial     # 1,000 images, a few seconds
    python demos/adversarial.py --eps 0.02 0.05 0.1 0.15 0.2 0.3
"""
import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")  # write files only, never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

import autograd as torch  # noqa: E402
from autograd.nn import functional as F  # noqa: E402
from scratchgen.data import load_mnist  # noqa: E402
from scratchgen.metrics import get_classifier  # noqa: E402


def predict(classifier, x):
    """(predicted digit, its softmax probability) for each image, as NumPy arrays."""
    with torch.no_grad():
        probs = classifier(x).softmax(dim=1).numpy()
    return probs.argmax(axis=1), probs.max(axis=1)


def save_figure(rows, labels, classifier, path):
    """Columns: a few digits. Rows: the original, its adversarial version at each eps,
    then the perturbation actually added at the largest eps (grey = no change)."""
    columns = len(labels)
    fig, axes = plt.subplots(len(rows) + 1, columns, figsize=(1.5 * columns, 1.8 * (len(rows) + 1)),
                             squeeze=False)
    for row, (eps, images) in enumerate(rows):
        predicted, confidence = predict(classifier, torch.tensor(images))
        axes[row, 0].set_ylabel("original" if eps == 0 else f"eps = {eps:g}", fontsize=10)
        for col in range(columns):
            wrong = predicted[col] != labels[col]
            axes[row, col].imshow(images[col, 0], cmap="gray", vmin=0, vmax=1)
            title = f"true {labels[col]}, says {predicted[col]}\n({confidence[col]:.0%} sure)"
            axes[row, col].set_title(title, fontsize=8, color="red" if wrong else "black")
    largest, first = rows[-1][0], rows[0][1]
    axes[-1, 0].set_ylabel("perturbation", fontsize=10)
    for col in range(columns):
        axes[-1, col].imshow(rows[-1][1][col, 0] - first[col, 0], cmap="gray", vmin=-largest, vmax=largest)
        axes[-1, col].set_title(f"white +{largest:g}, black -{largest:g}", fontsize=7)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("fast gradient sign attack on the MNIST classifier (red: a wrong answer)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000,
                        help="how many test images to attack (all ones the classifier gets right)")
    parser.add_argument("--eps", type=float, nargs="+", default=[0.05, 0.1, 0.2],
                        help="step sizes; pixels lie in [0, 1]")
    parser.add_argument("--show", type=int, default=8, help="digits in the figure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demo_output/adversarial")
    args = parser.parse_args(argv)
    eps_values = sorted(args.eps)

    # N test images, in [0, 1] as the classifier expects, that it classifies correctly
    classifier = get_classifier()                       # eval mode: dropout off
    images, labels = load_mnist("test")
    order = numpy.random.default_rng(args.seed).permutation(len(images))
    order = order[:2 * args.images + 100]               # plenty: it gets about 99% right
    images = (images[order, None] / 255.0).astype(numpy.float32)     # (M, 1, 28, 28)
    labels = labels[order].astype(numpy.int64)
    predicted, _ = predict(classifier, torch.tensor(images))
    right = predicted == labels
    images, labels = images[right][:args.images], labels[right][:args.images]

    # one backward pass: the gradient of the loss with respect to every pixel
    x = torch.tensor(images, requires_grad=True)
    loss = F.cross_entropy(classifier(x), torch.tensor(labels), reduction="sum")   # each image's own loss
    loss.backward()
    direction = x.grad.sign()                           # +1, 0 or -1 per pixel

    accuracies, attacked = {}, []
    for eps in [0.0] + eps_values:                      # eps = 0: the images themselves
        with torch.no_grad():
            x_adv = (x + eps * direction).clamp(0, 1)   # stay a valid image
        predicted, _ = predict(classifier, x_adv)
        accuracies[eps] = float((predicted == labels).mean())
        attacked.append((eps, x_adv.numpy()))
        print(f"eps {eps:.2f}  accuracy {accuracies[eps]:.3f}  ({len(labels)} test images)")

    # the figure shows digits the attack fools at the largest eps (the first --show of them)
    fooled = numpy.flatnonzero(predicted != labels)
    chosen = numpy.concatenate([fooled, numpy.flatnonzero(predicted == labels)])[:args.show]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_figure([(eps, images[chosen]) for eps, images in attacked], labels[chosen], classifier,
                out / "adversarial.png")
    print(f"pictures in {out}/: adversarial.png")
    return accuracies


if __name__ == "__main__":
    main()
