"""Making tensors: from data, filled with a constant, or random.

Defaults follow PyTorch: Python floats become float32, Python ints int64;
a NumPy array keeps its dtype.  Random tensors draw from the generators in
``backend``, which ``manual_seed`` reseeds.
"""
from __future__ import annotations

from typing import Optional

import numpy

from . import backend
from .tensor import Tensor

from .dtypes import float16, float32, float64, int64
from .typing_aliases import ArrayLike, DeviceLike, Dims, DtypeLike, Number

DEFAULT_FLOAT = float32


def _size(size):
    """zeros(2, 3) and zeros((2, 3)) both mean the shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _finish(array, device, requires_grad):
    """Wrap ``array`` on ``device``; with no device, a NumPy array goes to the default
    device and a CuPy array stays on its GPU."""
    if device is None and backend.is_cupy_array(array):
        return Tensor(array, requires_grad=requires_grad)
    return Tensor(backend.to_device(array, device), requires_grad=requires_grad)


def tensor(data: ArrayLike, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, array or Tensor)."""
    if isinstance(data, Tensor):
        data = data.array
    if backend.is_cupy_array(data):
        array = data.astype(dtype or data.dtype, copy=True)
        return _finish(array, device, requires_grad)
    array = numpy.array(data, dtype=dtype)
    if dtype is None and not isinstance(data, numpy.ndarray) and array.dtype == float64:
        array = array.astype(DEFAULT_FLOAT)  # Python floats -> float32, as PyTorch
    return _finish(array, device, requires_grad)


def as_tensor(data: ArrayLike, dtype: Optional[DtypeLike] = None,
              device: Optional[DeviceLike] = None) -> Tensor:
    """Like tensor(), but without a copy when ``data`` is already a suitable array."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    if isinstance(data, numpy.ndarray) and (dtype is None or numpy.dtype(dtype) == data.dtype):
        return _finish(data, device, False)
    return tensor(data, dtype, device)


def from_numpy(array: numpy.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``."""
    return Tensor(array)


def full(size: Dims, fill_value: Number, dtype: Optional[DtypeLike] = None,
         device: Optional[DeviceLike] = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = int64 if isinstance(fill_value, int) and not isinstance(fill_value, bool) else DEFAULT_FLOAT
    xp = backend.module_for(device)
    return Tensor(xp.full(_size((size,)), fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros(*size: Dims, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
          requires_grad: bool = False) -> Tensor:
    xp = backend.module_for(device)
    return Tensor(xp.zeros(_size(size), dtype=dtype or DEFAULT_FLOAT), requires_grad=requires_grad)


def ones(*size: Dims, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
         requires_grad: bool = False) -> Tensor:
    xp = backend.module_for(device)
    return Tensor(xp.ones(_size(size), dtype=dtype or DEFAULT_FLOAT), requires_grad=requires_grad)


empty = zeros


def arange(start: Number, end: Optional[Number] = None, step: Number = 1,
           dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, int) for v in (start, end, step))
        dtype = int64 if integral else DEFAULT_FLOAT
    xp = backend.module_for(device)
    return Tensor(xp.arange(start, end, step, dtype=dtype), requires_grad=requires_grad)


def linspace(start: Number, end: Number, steps: int, dtype: Optional[DtypeLike] = None,
             device: Optional[DeviceLike] = None, requires_grad: bool = False) -> Tensor:
    xp = backend.module_for(device)
    return Tensor(xp.linspace(start, end, steps, dtype=dtype or DEFAULT_FLOAT), requires_grad=requires_grad)


def eye(n: int, m: Optional[int] = None, dtype: Optional[DtypeLike] = None,
        device: Optional[DeviceLike] = None, requires_grad: bool = False) -> Tensor:
    xp = backend.module_for(device)
    return Tensor(xp.eye(n, m, dtype=dtype or DEFAULT_FLOAT), requires_grad=requires_grad)


def _like(x, dtype, device):
    return (dtype or x.dtype), (device or x.device)


def zeros_like(x: Tensor, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
               requires_grad: bool = False) -> Tensor:
    dtype, device = _like(x, dtype, device)
    return zeros(x.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(x: Tensor, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
              requires_grad: bool = False) -> Tensor:
    dtype, device = _like(x, dtype, device)
    return ones(x.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(x: Tensor, fill_value: Number, dtype: Optional[DtypeLike] = None,
              device: Optional[DeviceLike] = None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(x, dtype, device)
    return full(x.shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


# ----------------------------------------------------------------------------
# Random tensors
# ----------------------------------------------------------------------------
def manual_seed(seed: int) -> None:
    """Seed every random generator of the library (and of NumPy's global state)."""
    backend.manual_seed(seed)
    numpy.random.seed(int(seed) % 2**32)


def _float_dtype(dtype):
    dtype = numpy.dtype(dtype or DEFAULT_FLOAT)
    if dtype.kind != "f":
        raise TypeError(f"random floats need a floating dtype, got {dtype}")
    return dtype


def randn(*size: Dims, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples N(0, 1)."""
    xp = backend.module_for(device)
    dtype = _float_dtype(dtype)
    draw = backend.rng(xp).standard_normal(_size(size), dtype=dtype if dtype != float16 else float32)
    return Tensor(draw.astype(dtype, copy=False), requires_grad=requires_grad)


def rand(*size: Dims, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    xp = backend.module_for(device)
    dtype = _float_dtype(dtype)
    draw = backend.rng(xp).random(_size(size), dtype=dtype if dtype != float16 else float32)
    return Tensor(draw.astype(dtype, copy=False), requires_grad=requires_grad)


def randint(low: int, high: Optional[int] = None, size: Dims = (),
            dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None) -> Tensor:
    """Integers uniform on [low, high); randint(high, size) starts at 0."""
    if isinstance(high, (tuple, list)):  # randint(high, size), PyTorch's short form
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    xp = backend.module_for(device)
    return Tensor(backend.rng(xp).integers(low, high, size=_size((size,))).astype(dtype or int64))


def randperm(n: int, device: Optional[DeviceLike] = None) -> Tensor:
    xp = backend.module_for(device)
    generator = backend.rng(xp)
    if xp is numpy:
        return Tensor(generator.permutation(n).astype(int64))
    return Tensor(generator.random(n).argsort().astype(int64))  # CuPy's generator has no permutation


def randn_like(x: Tensor, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
               requires_grad: bool = False) -> Tensor:
    dtype, device = _like(x, dtype, device)
    return randn(x.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def rand_like(x: Tensor, dtype: Optional[DtypeLike] = None, device: Optional[DeviceLike] = None,
              requires_grad: bool = False) -> Tensor:
    dtype, device = _like(x, dtype, device)
    return rand(x.shape, dtype=dtype, device=device, requires_grad=requires_grad)
