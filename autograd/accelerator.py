"""torch.accelerator: the one accelerator this engine knows is a CUDA GPU (through CuPy)."""
from .devices import device, is_cuda_available


def is_available():
    return is_cuda_available()


def current_accelerator(check_available=False):
    return device("cuda", 0) if is_cuda_available() else None


def device_count():
    return 1 if is_cuda_available() else 0
