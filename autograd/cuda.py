"""torch.cuda: what programs ask before choosing a device, and the typed tensor names."""
from . import backend
from .devices import is_cuda_available
from .typed_tensors import CUDA as _TYPES

is_available = is_cuda_available
FloatTensor, DoubleTensor, HalfTensor = _TYPES["FloatTensor"], _TYPES["DoubleTensor"], _TYPES["HalfTensor"]
LongTensor, IntTensor, ShortTensor = _TYPES["LongTensor"], _TYPES["IntTensor"], _TYPES["ShortTensor"]
CharTensor, ByteTensor, BoolTensor = _TYPES["CharTensor"], _TYPES["ByteTensor"], _TYPES["BoolTensor"]


def device_count():
    return 1 if is_cuda_available() else 0


def current_device():
    if not is_cuda_available():
        raise RuntimeError("torch.cuda.current_device(): no GPU is available")
    return 0


def manual_seed(seed):
    """Seeding the GPU's generator is part of autograd.manual_seed; nothing more to do."""
    from .creation import manual_seed as seed_everything
    seed_everything(seed)


manual_seed_all = manual_seed


def synchronize(device=None):
    if backend._cupy is not None:
        backend._cupy.cuda.Device().synchronize()


def empty_cache():
    if backend._cupy is not None:
        backend._cupy.get_default_memory_pool().free_all_blocks()
