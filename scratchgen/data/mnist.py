"""MNIST, bundled with the package (see MNIST_LICENSE.md for credit and licence)."""
import pathlib

import numpy

MNIST_PATH = pathlib.Path(__file__).with_name("mnist.npz")


def load_mnist(split="train"):
    """(images, labels): uint8 arrays of shape (N, 28, 28) and (N,); split 'train' or 'test'."""
    if split not in ("train", "test"):
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    with numpy.load(MNIST_PATH, allow_pickle=False) as archive:
        return archive[f"x_{split}"], archive[f"y_{split}"]
