"""PyTorch's legacy typed tensor names: ``FloatTensor``, ``LongTensor``, ...

Old PyTorch code (and much GAN code still in use) writes
``Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor`` and then
``Tensor(n, 1).fill_(1.0)``, ``Tensor(numpy_array)`` or ``x.type(Tensor)``.  Each
name here is a constructor of ``Tensor`` with a fixed dtype (and device), and
``isinstance(x, FloatTensor)`` asks whether x is a float32 tensor there.
"""
import numpy

from . import backend
from .tensor import Size, Tensor


class _TypedTensorMeta(type):
    def __instancecheck__(cls, obj):
        return (isinstance(obj, Tensor) and obj.dtype == cls.dtype
                and backend.device_of(obj.array) == cls.device)

    def __call__(cls, *args):
        """FloatTensor(2, 3): zeros of that shape; FloatTensor(data): a copy in this dtype."""
        if len(args) == 1 and isinstance(args[0], Tensor):
            array = args[0].array.astype(cls.dtype)
        elif all(type(a) is int for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
            array = numpy.zeros(args[0] if len(args) == 1 and isinstance(args[0], Size) else args,
                                dtype=cls.dtype)
        elif len(args) == 1:
            data = args[0]
            data = backend.to_numpy(data) if backend.is_cupy_array(data) else data
            array = numpy.array(data, dtype=cls.dtype)
        else:
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or one piece of data, got {args!r}")
        return Tensor(backend.to_device(array, cls.device))

    def __repr__(cls):
        return f"<class '{cls.type_name}'>"


def _typed(name, dtype, device="cpu"):
    prefix = "torch.cuda." if device == "cuda" else "torch."
    return _TypedTensorMeta(name, (), {"dtype": numpy.dtype(dtype), "device": device,
                                       "type_name": prefix + name})


_NAMES = {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
          "LongTensor": "int64", "IntTensor": "int32", "ShortTensor": "int16",
          "CharTensor": "int8", "ByteTensor": "uint8", "BoolTensor": "bool"}

CPU = {name: _typed(name, dtype) for name, dtype in _NAMES.items()}
CUDA = {name: _typed(name, dtype, "cuda") for name, dtype in _NAMES.items()}
_BY_TYPE_NAME = {cls.type_name: cls for cls in list(CPU.values()) + list(CUDA.values())}


def type_name(tensor):
    """'torch.FloatTensor' and so on: what ``tensor.type()`` returns."""
    device = backend.device_of(tensor.array)
    for cls in (CUDA if device == "cuda" else CPU).values():
        if cls.dtype == tensor.dtype:
            return cls.type_name
    raise TypeError(f"type(): no legacy type name for dtype {tensor.dtype}")


def convert(tensor, target):
    """tensor.type(target), target a typed-tensor class, its name, or a dtype."""
    if isinstance(target, str):
        if target not in _BY_TYPE_NAME:
            raise ValueError(f"type(): unknown type name {target!r}; expected one of "
                             f"{sorted(_BY_TYPE_NAME)}")
        target = _BY_TYPE_NAME[target]
    if isinstance(target, _TypedTensorMeta):
        return tensor.to(target.device, target.dtype)
    return tensor.to(dtype=target)
