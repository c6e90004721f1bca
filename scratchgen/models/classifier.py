"""A small MNIST classifier, used to *evaluate* generative models (scratchgen.metrics).

Architecture (a LeNet-style CNN, about 220k parameters)::

    input (N, 1, 28, 28), pixels in [0, 1]
    -> normalise with MNIST's mean and standard deviation
    -> Conv2d(1, 16, 5, padding=2) -> ReLU -> MaxPool2d(2)      # (N, 16, 14, 14)
    -> Conv2d(16, 32, 5, padding=2) -> ReLU -> MaxPool2d(2)     # (N, 32, 7, 7)
    -> Flatten -> Linear(1568, 128) -> ReLU                      # features: (N, 128)
    -> Dropout(0.3) -> Linear(128, 10)                           # logits

``features(x)`` returns the 128-dimensional penultimate layer; the Frechet
classifier distance compares the distributions of these features.

The trained weights ship in ``scratchgen/models/weights/mnist_classifier.npz``
(written by ``python scripts/train_classifier.py``); ``load_classifier()``
returns the model in eval mode with those weights.  They are stored as float16
to keep the file small; ``load_state_dict`` casts them back to the model's
float32 (the test accuracy recorded in the file is measured after that round
trip).
"""
import pathlib

import numpy

import autograd as torch
from autograd import nn
from autograd.backend import to_numpy

WEIGHTS_PATH = pathlib.Path(__file__).with_name("weights") / "mnist_classifier.npz"
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081      # of the training pixels scaled to [0, 1]


class MNISTClassifier(nn.Module):
    """LeNet-style CNN: images in [0, 1], shape (N, 1, 28, 28) -> logits (N, 10)."""

    feature_dim = 128

    def __init__(self, dropout=0.3):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 7 * 7, self.feature_dim)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(self.feature_dim, 10)

    def features(self, x):
        """The penultimate layer: (N, 1, 28, 28) in [0, 1] -> (N, 128), after ReLU."""
        x = (x - MNIST_MEAN) / MNIST_STD
        x = self.pool(self.conv1(x).relu())
        x = self.pool(self.conv2(x).relu())
        return self.fc1(x.flatten(1)).relu()

    def forward(self, x):
        return self.fc2(self.dropout(self.features(x)))


def load_classifier(path=None):
    """The shipped classifier, in eval mode, on the CPU.

    Returns ``(model, metadata)``; ``metadata`` is the dict saved beside the weights
    (test accuracy, training command, time, ...).
    """
    path = pathlib.Path(path) if path is not None else WEIGHTS_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"load_classifier: no classifier weights at {str(path)!r}. They ship with the "
            f"package; to rebuild them run `python scripts/train_classifier.py` from the "
            f"repository root (about 10 minutes on two CPU cores).")
    checkpoint = torch.load(path, map_location="cpu")
    model = MNISTClassifier()
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return model, checkpoint.get("metadata", {})


def as_image_batch(images):
    """uint8 (N, 28, 28) or float (N, 28, 28) / (N, 1, 28, 28) -> float32 (N, 1, 28, 28) in [0, 1].

    uint8 input is divided by 255; float input must already lie in [0, 1].
    """
    if isinstance(images, torch.Tensor):
        images = to_numpy(images.array)
    images = numpy.asarray(images)
    if images.dtype == numpy.uint8:
        images = images.astype(numpy.float32) / 255.0
    images = images.astype(numpy.float32, copy=False)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1:] != (1, 28, 28):
        raise ValueError(f"expected images of shape (N, 1, 28, 28) or (N, 28, 28), got {images.shape}")
    return images


def predict_logits_and_features(model, images, batch_size=500):
    """Run ``model`` over ``images`` in batches without recording a graph.

    Returns numpy arrays ``(logits (N, 10), features (N, 128))``, float64.
    """
    images = as_image_batch(images)
    logits, features = [], []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            batch = torch.tensor(images[start:start + batch_size])
            feats = model.features(batch)
            logits.append(to_numpy(model.fc2(feats).array))
            features.append(to_numpy(feats.array))
    if not logits:
        return numpy.zeros((0, 10)), numpy.zeros((0, MNISTClassifier.feature_dim))
    return (numpy.concatenate(logits).astype(numpy.float64),
            numpy.concatenate(features).astype(numpy.float64))
