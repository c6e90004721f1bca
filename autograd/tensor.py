"""Tensor: an array, its gradient, and the Function that made it.

A Tensor wraps a NumPy array (or a CuPy array on a GPU) in ``array``.  When it
takes part in a computation that needs gradients, ``creator`` points at the
Function that produced it, and through that Function's ``inputs`` the whole
graph can be walked back to the leaves: that walk is the backward pass.

As in PyTorch, ``tensor.data`` is another Tensor over the same memory, outside
the graph; the raw array is ``tensor.array``.

Changing a tensor in place (``add_``, ``x[i] = v``, ``+=``...) bumps its version
counter, which it shares with every view of its memory.  A Function records the
versions of the tensors its backward will read, and backward refuses to run if
one has changed since.

This module is the data structure alone: what a Tensor holds, and what can be read
from it without computing.  The methods that compute (``x.exp()``, ``x + y``,
``x.sum()``, ``x.backward()``...) call the ops, and the ops make Tensors, so those
methods are bound onto Tensor once the ops exist, in tensor_methods.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

import numpy

from . import backend
from .devices import device as Device
from .grad_mode import STATE
from .typing_aliases import Array, Dtype, Number, Shape

if TYPE_CHECKING:
    from .function import Function

# Tensor has methods named int and bool (casts, as in PyTorch: tensor_methods.py), so its
# hints name the builtin types as PyTorch's stubs do:
_int, _bool = int, bool


class ViewInfo:
    """What a view knows about the memory it shares with ``base``.

    ``make(t)`` builds the same view of another tensor t through graph ops, which
    rebuilds the view's graph node after ``base`` was changed in place through the
    graph (``base[i] = w``), or turns a write into the view into a write into
    ``base``.  ``base_node`` is base's (creator, output_index) when the view's
    own node was built: if base has another since, the view's node is stale.
    """
    __slots__ = ("base", "make", "base_node")

    def __init__(self, base, make, base_node):
        self.base, self.make, self.base_node = base, make, base_node


# How tensors print (torch.set_printoptions); PyTorch's defaults, except the line width,
# NumPy's 75, which this engine's printing has always used.
DEFAULT_PRINT_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 75,
                         "sci_mode": None}
PRINT_OPTIONS = dict(DEFAULT_PRINT_OPTIONS)


class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints with ``numel()``.  It prints as
    the plain tuple, which is what this engine's error messages show."""

    def numel(self):
        count = 1
        for s in self:
            count *= s
        return count


def _legacy_array(args):
    """The array for PyTorch's ``torch.Tensor(...)`` constructor forms.

    Tensor(2, 3) and Tensor(Size) give float32 zeros of that shape (PyTorch leaves
    them uninitialised); Tensor([1, 2]) gives float32 data; a NumPy scalar keeps
    its dtype (results of NumPy reductions are wrapped this way).
    """
    if len(args) == 1 and isinstance(args[0], Size):
        return numpy.zeros(args[0], dtype=numpy.float32)
    if all(type(a) is int for a in args):
        return numpy.zeros(args, dtype=numpy.float32)
    if len(args) != 1:
        raise TypeError(f"Tensor(): expected sizes (ints) or one piece of data, got {args!r}")
    data = args[0]
    if isinstance(data, Tensor):
        return data.array
    if isinstance(data, numpy.generic):
        return numpy.asarray(data)
    return numpy.asarray(data, dtype=numpy.float32)


class Tensor:
    __slots__ = ("array", "grad", "requires_grad", "creator", "output_index",
                 "retains_grad", "version_counter", "_view", "__weakref__")
    __array_priority__ = 1000  # numpy_array + tensor calls Tensor.__radd__

    def __init__(self, *data: Any, requires_grad: _bool = False) -> None:
        """Tensor(array) wraps an array, keeping its dtype; Tensor(2, 3) and
        Tensor([1., 2.]) are PyTorch's legacy constructor (float32)."""
        array = data[0] if len(data) == 1 else None
        if type(array) is not numpy.ndarray and not backend.is_cupy_array(array):
            array = _legacy_array(data)
        if requires_grad and array.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require grad, got dtype {array.dtype}")
        self.array = array
        self.grad = None
        self.requires_grad = requires_grad
        self.creator = None
        self.output_index = 0
        self.retains_grad = False
        # how many times this memory was changed in place, shared with the views of it:
        # a one-element list, the cheapest shared cell to make (a tensor is made per op)
        self.version_counter = [0]
        self._view = None

    # -- what it is ----------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same memory as a Tensor outside the graph, as PyTorch's ``.data``.

        Writes through it are not counted by this tensor's version counter: the
        documented way to change weights that a pending backward does not read."""
        return Tensor(self.array)

    @data.setter
    def data(self, value):
        self.array = value.array if isinstance(value, Tensor) else value

    @property
    def _version(self):
        return self.version_counter[0]

    @property
    def _base(self):
        return None if self._view is None else self._view.base

    @property
    def shape(self) -> Shape:
        return self.array.shape   # a plain tuple; size() gives a Size

    @property
    def dtype(self) -> Dtype:
        return self.array.dtype

    @property
    def ndim(self) -> _int:
        return self.array.ndim

    @property
    def device(self) -> Device:
        return Device(backend.device_of(self.array))

    @property
    def is_cuda(self) -> _bool:
        return backend.is_cupy_array(self.array)

    @property
    def is_leaf(self) -> _bool:
        return self.creator is None

    @property
    def grad_fn(self) -> Optional[Function]:
        return self.creator

    def size(self, dim: Optional[_int] = None) -> Union[Size, _int]:
        return Size(self.array.shape) if dim is None else self.array.shape[dim]

    def dim(self) -> _int:
        return self.array.ndim

    def numel(self) -> _int:
        return int(self.array.size)

    nelement = numel

    def element_size(self) -> _int:
        return self.array.itemsize

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def item(self) -> Number:
        if self.array.size != 1:
            raise ValueError(f"item(): only a one-element tensor can be converted to a "
                             f"Python number, this one has shape {self.shape}")
        return self.array.reshape(()).item()

    def tolist(self) -> Any:
        return backend.to_numpy(self.array).tolist()

    def numpy(self) -> Array:
        """The data as a NumPy array (copied from the GPU when there)."""
        if self.requires_grad and STATE.grad_enabled:
            raise RuntimeError("numpy(): this tensor requires grad; call .detach().numpy()")
        return backend.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        """numpy.asarray(tensor), as PyTorch allows for a CPU tensor."""
        if self.is_cuda:
            raise TypeError("can't convert a cuda tensor to a NumPy array; use .cpu() first")
        if self.requires_grad and STATE.grad_enabled:
            raise RuntimeError("can't convert a tensor that requires grad to a NumPy array; "
                               "use .detach() first")
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        return bool(self.item())

    def __index__(self):
        if self.dtype.kind not in "iu":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__  # by identity: == is elementwise (tensor_methods.py)

    def __format__(self, spec):
        """f"{loss:.4f}" formats a one-element tensor's value, as PyTorch allows."""
        if self.array.size == 1 and spec:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __repr__(self):
        array = backend.to_numpy(self.array)
        settings = PRINT_OPTIONS
        options = {"threshold": settings["threshold"], "edgeitems": settings["edgeitems"],
                   "max_line_width": settings["linewidth"]}
        if array.dtype.kind == "f" and array.size:   # PyTorch's style: 4 decimals, unless all are whole
            finite = array[numpy.isfinite(array)]
            if settings["sci_mode"]:
                digits = settings["precision"]
                options["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
            elif finite.size and not (finite == numpy.round(finite)).all():
                options.update(precision=settings["precision"], floatmode="fixed")
                if settings["sci_mode"] is False:
                    options["suppress_small"] = True
        body = numpy.array2string(array, separator=", ", prefix="tensor(", **options)
        extras = []
        if self.dtype not in (numpy.float32, numpy.int64, numpy.bool_):   # PyTorch's defaults
            extras.append(f"dtype={self.dtype}")
        if self.is_cuda:
            extras.append("device='cuda'")
        if self.creator is not None:
            extras.append(f"grad_fn=<{self.creator.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- graph ---------------------------------------------------------------
    def detach(self) -> Tensor:
        """The same memory, cut from the graph; in-place changes to it still count
        as changes of this tensor (they share the version counter)."""
        out = Tensor(self.array)
        out.version_counter = self.version_counter
        return out

    def detach_(self) -> Tensor:
        if self._view is not None:
            raise RuntimeError("detach_(): can't detach a view of another tensor in place; "
                               "use detach()")
        self.creator = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        if self.creator is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use detach()")
        if requires_grad and self.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require grad, got dtype {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> Tensor:
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        if self.creator is not None:
            self.retains_grad = True
        return self

    def _bump_version(self):
        """Count a change of this tensor's memory made outside the in-place ops
        (an optimizer's step, a running statistic)."""
        self.version_counter[0] += 1

    # -- memory and device ---------------------------------------------------
    def is_floating_point(self):
        return self.dtype.kind == "f"

    def is_contiguous(self):
        return bool(self.array.flags.c_contiguous)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return self

    def get_device(self):
        return 0 if self.is_cuda else -1

    def pin_memory(self):
        return self   # a CPU optimisation for GPU transfers; nothing to do here
