"""The names that the type hints of autograd's public signatures share.

They are hints for the reader (and for a type checker); nothing checks them at
run time.

    Shape            what ``tensor.shape`` is: a tuple of ints
    Dims             one dim or several: 1, (0, 2)
    Number           a Python scalar: int, float or bool
    Array            the raw data of a Tensor: a NumPy (or CuPy) ndarray
    ArrayLike        what ``tensor()`` accepts: an array, a (nested) list, a number
    DeviceLike       'cpu', 'cuda', 'cuda:0' or a ``device``
    Dtype            what ``tensor.dtype`` is: a NumPy dtype
    DtypeLike        a dtype (``autograd.float32``), a NumPy scalar type or its name
    TensorOrTensors  one Tensor, or a sequence of them (what ``backward`` takes)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, Tuple, Union

import numpy

from .devices import device

if TYPE_CHECKING:
    from .tensor import Tensor

Shape = Tuple[int, ...]
Dims = Union[int, Sequence[int]]
Number = Union[int, float, bool]
Array = numpy.ndarray
ArrayLike = Union[numpy.ndarray, Sequence[Any], int, float, bool]
DeviceLike = Union[str, device]
Dtype = numpy.dtype
DtypeLike = Union[numpy.dtype, type, str]
TensorOrTensors = Union["Tensor", Sequence["Tensor"]]

__all__ = ["Array", "ArrayLike", "DeviceLike", "Dims", "Dtype", "DtypeLike", "Number", "Shape",
           "TensorOrTensors"]
