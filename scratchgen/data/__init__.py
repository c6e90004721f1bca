"""Data sets, transforms and the DataLoader."""
from .mnist import load_mnist  # noqa: F401
