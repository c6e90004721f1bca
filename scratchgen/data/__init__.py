"""Data sets, transforms and the DataLoader.

- mnist.py       MNIST, bundled (CC BY-SA 3.0, see MNIST_LICENSE.md): load_mnist
- idx.py         the IDX file format; Fashion-MNIST read from IDX files
- emoji.py       Twemoji as 3 x 32 x 32 or 3 x 64 x 64 RGB images (pip install 'scratchgen[emoji]')
- toys.py        2-D toy distributions: two moons, eight Gaussians, swiss roll, ...
- transforms.py  scaling, padding, dequantisation, logit, binarisation (on NumPy arrays)
- loader.py      DataLoader: shuffled, resumable mini-batches as Tensors
- registry.py    DATASETS and load_dataset(name): every set by name
"""
from .emoji import emoji_files, load_emoji
from .idx import FASHION_MNIST_CLASSES, IDXError, load_fashion_mnist, read_idx, write_idx
from .loader import DataLoader, infinite
from .mnist import load_mnist
from .registry import ALIASES, DATASETS, DatasetInfo, canonical_name, load_dataset
from .toys import TOYS, sample_toy
from .transforms import (binarize, dequantize, logit_inverse, logit_log_det, logit_transform,
                         pad_to_32, stochastic_binarize, to_symmetric, to_uint8, to_unit)

__all__ = [
    "ALIASES", "DATASETS", "DataLoader", "canonical_name", "DatasetInfo", "FASHION_MNIST_CLASSES", "IDXError", "TOYS",
    "binarize", "dequantize", "emoji_files", "infinite", "load_dataset", "load_emoji",
    "load_fashion_mnist", "load_mnist", "logit_inverse", "logit_log_det", "logit_transform",
    "pad_to_32", "read_idx", "sample_toy", "stochastic_binarize", "to_symmetric", "to_uint8",
    "to_unit", "write_idx",
]
