"""Side-by-side timings of autograd (scratchgen's engine) and PyTorch.

Each benchmark is a module run from the repository root, e.g.
``python -m benchmarks.overhead``; ``timing.py`` holds the shared timing helper.
See benchmarks/README.md for how to read the figures.
"""
