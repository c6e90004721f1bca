"""torch.backends: flags that programs set for cuDNN, CUDA and MPS.

They are accepted, and have no effect: NumPy and CuPy have no such switches
(``cudnn.benchmark = True`` is a common line in training scripts)."""
from . import cuda, cudnn, mps  # noqa: F401
