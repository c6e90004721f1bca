"""Side-by-side figures of autograd (scratchgen's engine) and PyTorch.

``python -m benchmarks`` runs the suite (``__main__.py``): each convolution of
the seed's DCGAN (conv.py), their GFLOP/s against the matmul rate (flops.py), a
full DCGAN training step (dcgan.py), its peak memory (memory.py) and the
per-op overhead (overhead.py, also ``python -m benchmarks.overhead``).
``timing.py`` holds the shared timing helper, ``common.py`` what the families
share.  See benchmarks/README.md for how to read the figures.
"""
