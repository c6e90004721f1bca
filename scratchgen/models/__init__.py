"""Generative models built on autograd, and the MNIST classifier used to evaluate them."""
from .classifier import MNISTClassifier, load_classifier  # noqa: F401
