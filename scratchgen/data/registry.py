"""Every data set by name, so that a training command can say ``--data fashion_mnist``.

Image sets come back as (images, labels): uint8 images (N, C, H, W) and int64
labels (N,). Toy sets come back as (points, None): float32 points (n, 2).
"""
from typing import NamedTuple, Tuple

from .emoji import load_emoji
from .idx import load_fashion_mnist
from .mnist import load_mnist
from .toys import sample_toy
from .transforms import pad_to_32

SPLITS = ("train", "test")
TOY_POINTS = {"train": 50_000, "test": 10_000}   # default number of points per split
TOY_SEEDS = {"train": 0, "test": 1}              # so the test points are other points


class DatasetInfo(NamedTuple):
    kind: str                          # "image" or "toy"
    description: str
    splits: Tuple[str, ...] = SPLITS


DATASETS = {
    "mnist": DatasetInfo("image", "handwritten digits, 1 x 28 x 28, 10 classes (bundled)"),
    "fashion_mnist": DatasetInfo("image", "clothing, 1 x 28 x 28, 10 classes "
                                          "(apt-get install dataset-fashion-mnist)"),
    "emoji": DatasetInfo("image", "4009 Twemoji on white, 3 x 32 x 32 or 3 x 64 x 64 "
                                  "(pip install 'scratchgen[emoji]')", ("train",)),
    "two_moons": DatasetInfo("toy", "two interleaved half circles"),
    "eight_gaussians": DatasetInfo("toy", "eight Gaussians on a circle"),
    "swiss_roll": DatasetInfo("toy", "a spiral"),
    "checkerboard": DatasetInfo("toy", "uniform on the dark squares of a 4 x 4 board"),
    "rings": DatasetInfo("toy", "four concentric circles"),
}


# other spellings people type, and the short names the command line documents
ALIASES = {"fashion-mnist": "fashion_mnist", "moons": "two_moons", "8gaussians": "eight_gaussians",
           "eight-gaussians": "eight_gaussians", "swissroll": "swiss_roll", "swiss-roll": "swiss_roll"}


def canonical_name(name):
    """The DATASETS key for ``name`` (aliases resolved); unknown names list the valid ones."""
    name = ALIASES.get(name, name)
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; available: {', '.join(DATASETS)} "
                         f"(also: {', '.join(ALIASES)})")
    return name


def load_dataset(name, split="train", data_dir=None, size=None, n=None):
    """(images, labels) of an image set or (points, None) of a toy set; see DATASETS.

    size: the image side. MNIST and Fashion-MNIST are 28 (default) or 32
    (zero-padded); emoji is 32 (default) or 64. Not used by toy sets.
    data_dir: a folder holding Fashion-MNIST's IDX files (the others ignore it).
    n: the number of toy points (default 50,000 for 'train', 10,000 for 'test').
    """
    name = canonical_name(name)
    info = DATASETS[name]
    if split not in info.splits:
        raise ValueError(f"data set {name!r} has the splits {info.splits}, not {split!r}")
    if info.kind == "toy":
        if size is not None:
            raise ValueError(f"size is for image sets; the toy set {name!r} has points, "
                             f"not images (use n= for their number)")
        count = TOY_POINTS[split] if n is None else n
        return sample_toy(name, count, seed=TOY_SEEDS[split]), None
    if n is not None:
        raise ValueError(f"n is for toy sets; the image set {name!r} has a fixed size")
    if name == "emoji":
        return load_emoji(32 if size is None else size)
    if size not in (None, 28, 32):
        raise ValueError(f"{name} images are 28 x 28, or 32 x 32 padded: size must be 28 or 32, "
                         f"got {size!r}")
    images, labels = load_mnist(split) if name == "mnist" else load_fashion_mnist(split, data_dir)
    images = images[:, None]                    # (N, 28, 28) -> (N, 1, 28, 28)
    if size == 32:
        images = pad_to_32(images)
    return images, labels.astype("int64")
