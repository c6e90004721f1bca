"""Tensor: an array, its gradient, and the Function that made it.

A Tensor wraps a NumPy array (or a CuPy array on a GPU) in ``array``.  When it
takes part in a computation that needs gradients, ``creator`` points at the
Function that produced it, and through that Function's ``inputs`` the whole
graph can be walked back to the leaves.  ``backward()`` does that walk.

As in PyTorch, ``tensor.data`` is another Tensor over the same memory, outside
the graph; the raw array is ``tensor.array``.

Changing a tensor in place (``add_``, ``x[i] = v``, ``+=``...) bumps its version
counter, which it shares with every view of its memory.  A Function records the
versions of the tensors its backward will read, and backward refuses to run if
one has changed since: see ``inplace.py``.

The methods below are thin: each one calls the op of the same name in
``autograd.ops``, where the forward and backward formulas live.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Tuple, Union

import numpy

from . import backend
from .devices import device as Device
from .grad_mode import STATE
from .typing_aliases import (Array, DeviceLike, Dims, Dtype, DtypeLike, Number, Shape,
                             TensorOrTensors)

if TYPE_CHECKING:
    from .function import Function
    from .tensor_hooks import RemovableHandle

# Tensor has methods named int, float and bool (casts, as in PyTorch); inside the class
# those names are the methods, so its hints name the builtin types as PyTorch's stubs do:
_int, _float, _bool = int, float, bool


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
        from .devices import device
        return device(backend.device_of(self.array))

    @property
    def is_cuda(self) -> _bool:
        return backend.is_cupy_array(self.array)

    @property
    def is_leaf(self) -> _bool:
        return self.creator is None

    @property
    def grad_fn(self) -> Optional[Function]:
        return self.creator

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

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

    def __iter__(self):
        return (self[i] for i in range(len(self)))

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

    __hash__ = object.__hash__  # tensors are hashed by identity, as == is elementwise

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
    def backward(self, gradient: Optional[Tensor] = None, retain_graph: Optional[_bool] = None,
                 create_graph: _bool = False, inputs: Optional[TensorOrTensors] = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see engine.py)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs)

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

    def register_hook(self, hook: Callable[[Tensor], Optional[Tensor]]) -> RemovableHandle:
        """Call ``hook(grad)`` with the gradient that flows to this (non-leaf) tensor; it
        may return a replacement.  Returns a handle with ``.remove()``.  See
        tensor_hooks.py (hooks on leaves are not supported)."""
        from .tensor_hooks import register_hook
        return register_hook(self, hook)

    def retain_grad(self) -> Tensor:
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        if self.creator is not None:
            self.retains_grad = True
        return self

    def _bump_version(self):
        """Count a change of this tensor's memory made outside the in-place ops
        (an optimizer's step, a running statistic)."""
        self.version_counter[0] += 1

    # -- in place (inplace.py): recorded in the graph when gradients flow ------
    def zero_(self) -> Tensor:
        return inplace.fill(self, 0, "zero_")

    def fill_(self, value: Number) -> Tensor:
        return inplace.fill(self, value, "fill_")

    def copy_(self, source: Tensor, non_blocking: _bool = False) -> Tensor:
        return inplace.copy(self, source)

    def add_(self, other: Union[Tensor, Number], alpha: Number = 1) -> Tensor:
        other = other if alpha == 1 else other * alpha
        return inplace.modify(self, "add_", lambda old: elementwise.add(old, other), (other,),
                              reads_old=False)

    def sub_(self, other: Union[Tensor, Number], alpha: Number = 1) -> Tensor:
        other = other if alpha == 1 else other * alpha
        return inplace.modify(self, "sub_", lambda old: elementwise.sub(old, other), (other,),
                              reads_old=False)

    def mul_(self, other: Union[Tensor, Number]) -> Tensor:
        return inplace.modify(self, "mul_", lambda old: elementwise.mul(old, other), (other,))

    def div_(self, other: Union[Tensor, Number]) -> Tensor:
        return inplace.modify(self, "div_", lambda old: elementwise.div(old, other), (other,))

    def pow_(self, exponent):
        return inplace.modify(self, "pow_", lambda old: elementwise.pow(old, exponent), (exponent,))

    def neg_(self):
        return inplace.modify(self, "neg_", elementwise.neg, reads_old=False)

    def abs_(self):
        return inplace.modify(self, "abs_", elementwise.abs)

    def exp_(self):
        return inplace.modify(self, "exp_", elementwise.exp)

    def log_(self):
        return inplace.modify(self, "log_", elementwise.log)

    def sqrt_(self):
        return inplace.modify(self, "sqrt_", elementwise.sqrt)

    def clamp_(self, min=None, max=None):
        return inplace.modify(self, "clamp_", lambda old: elementwise.clamp(old, min, max))

    clip_ = clamp_

    def clamp_min_(self, min):
        return self.clamp_(min=min)

    def clamp_max_(self, max):
        return self.clamp_(max=max)

    def relu_(self):
        return inplace.modify(self, "relu_", activation.relu)

    def sigmoid_(self):
        return inplace.modify(self, "sigmoid_", activation.sigmoid)

    def tanh_(self):
        return inplace.modify(self, "tanh_", activation.tanh)

    def lerp_(self, end, weight):
        """self += weight * (end - self): an exponential moving average's update."""
        return inplace.modify(self, "lerp_", lambda old: old + (end - old) * weight, (end, weight))

    def addcmul_(self, tensor1, tensor2, value=1):
        return inplace.modify(self, "addcmul_", lambda old: old + tensor1 * tensor2 * value,
                              (tensor1, tensor2), reads_old=False)

    def addcdiv_(self, tensor1, tensor2, value=1):
        return inplace.modify(self, "addcdiv_", lambda old: old + tensor1 / tensor2 * value,
                              (tensor1, tensor2), reads_old=False)

    def masked_fill_(self, mask, value):
        return inplace.modify(self, "masked_fill_",
                              lambda old: elementwise.masked_fill(old, mask, value), (value,),
                              reads_old=False)

    # the scatter family: computed out of place, written back through inplace.modify
    # (counted and recorded); none of them reads the old values in backward
    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        if src is None:
            src = value
        return inplace.modify(self, "scatter_",
                              lambda old: shape_ops.scatter(old, dim, index, src, reduce=reduce),
                              (src,), reads_old=False)

    def scatter_add_(self, dim, index, src):
        return inplace.modify(self, "scatter_add_",
                              lambda old: shape_ops.scatter_add(old, dim, index, src), (src,),
                              reads_old=False)

    def index_add_(self, dim, index, source, *, alpha=1):
        return inplace.modify(self, "index_add_",
                              lambda old: shape_ops.index_add(old, dim, index, source, alpha),
                              (source,), reads_old=False)

    def index_fill_(self, dim, index, value):
        return inplace.modify(self, "index_fill_",
                              lambda old: shape_ops.index_fill(old, dim, index, value), (value,),
                              reads_old=False)

    def masked_scatter_(self, mask, source):
        return inplace.modify(self, "masked_scatter_",
                              lambda old: shape_ops.masked_scatter(old, mask, source), (source,),
                              reads_old=False)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return inplace.fill_random(self, "normal_", lambda g, shape: mean + std * g.standard_normal(shape))

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return inplace.fill_random(self, "uniform_", lambda g, shape: a + (b - a) * g.random(shape))

    def bernoulli_(self, p=0.5, generator=None):
        return inplace.fill_random(self, "bernoulli_", lambda g, shape: g.random(shape) < p)

    def exponential_(self, lambd=1.0, generator=None):
        return inplace.fill_random(self, "exponential_", lambda g, shape: g.exponential(1 / lambd, shape))

    def __setitem__(self, index, value):
        inplace.assign(self, index, value)

    # x += y changes x in place, as in PyTorch (other names bound to x see the change)
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # -- devices and dtypes --------------------------------------------------
    def to(self, *args: Any, dtype: Optional[DtypeLike] = None,
           device: Optional[DeviceLike] = None, non_blocking: _bool = False,
           copy: _bool = False) -> Tensor:
        """Move and/or cast, as PyTorch's forms: to(device), to(dtype), to(device, dtype),
        to(other_tensor); differentiable, like every op."""
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, (numpy.dtype, type)):
                dtype = arg
            else:
                device = arg
        out = self
        if dtype is not None and numpy.dtype(dtype) != self.dtype:
            out = elementwise.cast(out, dtype)
        if device is not None and backend.normalize_device(device) != backend.device_of(self.array):
            out = elementwise.to_device(out, device)
        return out.clone() if copy and out is self else out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def float(self) -> Tensor:
        return self.to(dtype=numpy.float32)

    def double(self) -> Tensor:
        return self.to(dtype=numpy.float64)

    def long(self) -> Tensor:
        return self.to(dtype=numpy.int64)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(dtype=other.dtype)

    def clone(self) -> Tensor:
        return elementwise.clone(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return self

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other):
        return elementwise.add(self, other)

    def __radd__(self, other):
        return elementwise.add(self, other)   # the tensor first: grad_fn.next_functions[0] is its node

    def __sub__(self, other):
        return elementwise.sub(self, other)

    def __rsub__(self, other):
        return elementwise.sub(other, self)

    def __mul__(self, other):
        return elementwise.mul(self, other)

    def __rmul__(self, other):
        return elementwise.mul(self, other)

    def __truediv__(self, other):
        return elementwise.div(self, other)

    def __rtruediv__(self, other):
        return elementwise.div(other, self)

    def __pow__(self, other):
        return elementwise.pow(self, other)

    def __rpow__(self, other):
        return elementwise.pow(other, self)

    def __neg__(self):
        return elementwise.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return elementwise.abs(self)

    def __matmul__(self, other):
        return linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return linalg.matmul(other, self)

    # -- comparisons: no gradient, boolean results ----------------------------
    def __lt__(self, other):
        return elementwise.compare("lt", self, other)

    def __le__(self, other):
        return elementwise.compare("le", self, other)

    def __gt__(self, other):
        return elementwise.compare("gt", self, other)

    def __ge__(self, other):
        return elementwise.compare("ge", self, other)

    def __eq__(self, other):
        return elementwise.compare("eq", self, other)

    def __ne__(self, other):
        return elementwise.compare("ne", self, other)

    def __invert__(self):
        return elementwise.logical_not(self)

    def __and__(self, other):
        return elementwise.compare("and", self, other)

    def __or__(self, other):
        return elementwise.compare("or", self, other)

    # -- elementwise ---------------------------------------------------------
    def add(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.add(self, other)

    def sub(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.sub(self, other)

    def mul(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.mul(self, other)

    def div(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.div(self, other)

    def pow(self, exponent: Union[Tensor, Number]) -> Tensor:
        return elementwise.pow(self, exponent)

    def neg(self) -> Tensor:
        return elementwise.neg(self)

    def exp(self) -> Tensor:
        return elementwise.exp(self)

    def log(self) -> Tensor:
        return elementwise.log(self)

    def log1p(self) -> Tensor:
        return elementwise.log1p(self)

    def sqrt(self) -> Tensor:
        return elementwise.sqrt(self)

    def rsqrt(self):
        return elementwise.sqrt(self) ** -1

    def square(self) -> Tensor:
        return elementwise.mul(self, self)

    def abs(self) -> Tensor:
        return elementwise.abs(self)

    def sign(self) -> Tensor:
        return elementwise.sign(self)

    def clamp(self, min: Optional[Union[Tensor, Number]] = None,
              max: Optional[Union[Tensor, Number]] = None) -> Tensor:
        return elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.maximum(self, other)

    def minimum(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.minimum(self, other)

    def relu(self) -> Tensor:
        return activation.relu(self)

    def sigmoid(self) -> Tensor:
        return activation.sigmoid(self)

    def tanh(self) -> Tensor:
        return activation.tanh(self)

    def softmax(self, dim: _int) -> Tensor:
        return reduce.softmax(self, dim)

    def log_softmax(self, dim: _int) -> Tensor:
        return reduce.log_softmax(self, dim)

    # -- reductions ----------------------------------------------------------
    def sum(self, dim: Optional[Dims] = None, keepdim: _bool = False) -> Tensor:
        return reduce.sum(self, dim, keepdim)

    def mean(self, dim: Optional[Dims] = None, keepdim: _bool = False) -> Tensor:
        return reduce.mean(self, dim, keepdim)

    def var(self, dim: Optional[Dims] = None, unbiased: _bool = True, keepdim: _bool = False, *,
            correction: Optional[_float] = None) -> Tensor:
        return reduce.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim: Optional[Dims] = None, unbiased: _bool = True, keepdim: _bool = False, *,
            correction: Optional[_float] = None) -> Tensor:
        return reduce.std(self, dim, unbiased, keepdim, correction)

    def median(self, dim=None, keepdim=False):
        return reduce.median(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return reduce.count_nonzero(self, dim)

    def aminmax(self, *, dim=None, keepdim=False):
        return reduce.aminmax(self, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False):
        return reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return reduce.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return reduce.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return reduce.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return reduce.argmin(self, dim, keepdim)

    def logsumexp(self, dim: Dims, keepdim: _bool = False) -> Tensor:
        return reduce.logsumexp(self, dim, keepdim)

    def norm(self, p: _float = 2, dim: Optional[Dims] = None, keepdim: _bool = False) -> Tensor:
        return reduce.norm(self, p, dim, keepdim)

    # -- shapes --------------------------------------------------------------
    def reshape(self, *shape: Dims, **keyword: Any) -> Tensor:
        return shape_ops.reshape(self, _sizes(shape, keyword, "shape"))

    def view(self, *shape: Dims, **keyword: Any) -> Tensor:
        return shape_ops.reshape(self, _sizes(shape, keyword, "size"))

    def view_as(self, other: Tensor) -> Tensor:
        return shape_ops.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return shape_ops.reshape(self, other.shape)

    def permute(self, *dims: Dims, **keyword: Any) -> Tensor:
        return shape_ops.permute(self, _sizes(dims, keyword, "dims"))

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        return shape_ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return shape_ops.transpose(self, 0, 1) if self.ndim == 2 else self

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        return shape_ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Optional[Dims] = None) -> Tensor:
        return shape_ops.squeeze(self, dim)

    def unsqueeze(self, dim: _int) -> Tensor:
        return shape_ops.unsqueeze(self, dim)

    def expand(self, *sizes: Dims, **keyword: Any) -> Tensor:
        return shape_ops.expand(self, _sizes(sizes, keyword, "size"))

    def expand_as(self, other: Tensor) -> Tensor:
        return shape_ops.broadcast_to(self, other.shape)

    def repeat(self, *repeats: Dims, **keyword: Any) -> Tensor:
        return shape_ops.repeat(self, _sizes(repeats, keyword, "repeats"))

    def split(self, split_size_or_sections: Union[_int, Sequence[_int]],
              dim: _int = 0) -> Tuple[Tensor, ...]:
        return shape_ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> Tuple[Tensor, ...]:
        return shape_ops.chunk(self, chunks, dim)

    def __getitem__(self, index):
        return shape_ops.getitem(self, index)

    def matmul(self, other: Tensor) -> Tensor:
        return linalg.matmul(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return linalg.bmm(self, other)

    def where(self, condition: Tensor, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.where(condition, self, other)

    def broadcast_to(self, shape: Sequence[_int]) -> Tensor:
        return shape_ops.broadcast_to(self, shape)

    def mm(self, other: Tensor) -> Tensor:
        return linalg.matmul(self, other)

    # -- more of PyTorch's methods, each the function of the same name ---------
    def eq(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.compare("eq", self, other)

    def ne(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.compare("ne", self, other)

    def lt(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.compare("lt", self, other)

    def le(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.compare("le", self, other)

    def gt(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.compare("gt", self, other)

    def ge(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.compare("ge", self, other)

    def sin(self) -> Tensor:
        return elementwise.sin(self)

    def cos(self) -> Tensor:
        return elementwise.cos(self)

    def erf(self) -> Tensor:
        return elementwise.erf(self)

    def expm1(self) -> Tensor:
        return elementwise.expm1(self)

    def reciprocal(self) -> Tensor:
        return elementwise.reciprocal(self)

    def log2(self) -> Tensor:
        return elementwise.log2(self)

    def log10(self) -> Tensor:
        return elementwise.log10(self)

    def floor(self) -> Tensor:
        return elementwise.floor(self)

    def ceil(self) -> Tensor:
        return elementwise.ceil(self)

    def round(self) -> Tensor:
        return elementwise.round(self)

    def trunc(self) -> Tensor:
        return elementwise.trunc(self)

    def remainder(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.remainder(self, other)

    __mod__ = remainder

    def fmod(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.fmod(self, other)

    def clamp_min(self, min: Union[Tensor, Number]) -> Tensor:
        return elementwise.clamp(self, min=min)

    def clamp_max(self, max: Union[Tensor, Number]) -> Tensor:
        return elementwise.clamp(self, max=max)

    def masked_fill(self, mask, value):
        return elementwise.masked_fill(self, mask, value)

    # trigonometric, hyperbolic and special functions
    def tan(self) -> Tensor:
        return elementwise.tan(self)

    def sinh(self) -> Tensor:
        return elementwise.sinh(self)

    def cosh(self) -> Tensor:
        return elementwise.cosh(self)

    def asin(self) -> Tensor:
        return elementwise.asin(self)

    def acos(self) -> Tensor:
        return elementwise.acos(self)

    def atan(self) -> Tensor:
        return elementwise.atan(self)

    def atanh(self) -> Tensor:
        return elementwise.atanh(self)

    arcsin, arccos, arctan, arctanh = asin, acos, atan, atanh

    def logit(self, eps=None):
        return elementwise.logit(self, eps)

    def lgamma(self) -> Tensor:
        return elementwise.lgamma(self)

    def digamma(self) -> Tensor:
        return elementwise.digamma(self)

    def polygamma(self, n):
        return elementwise.polygamma(n, self)

    def erfinv(self) -> Tensor:
        return elementwise.erfinv(self)

    # tests and logic: bool results, no gradient
    def isnan(self) -> Tensor:
        return elementwise.isnan(self)

    def isfinite(self) -> Tensor:
        return elementwise.isfinite(self)

    def isinf(self) -> Tensor:
        return elementwise.isinf(self)

    def isposinf(self) -> Tensor:
        return elementwise.isposinf(self)

    def isneginf(self) -> Tensor:
        return elementwise.isneginf(self)

    def logical_and(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.logical_and(self, other)

    def logical_or(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.logical_or(self, other)

    def logical_xor(self, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.logical_xor(self, other)

    def logical_not(self) -> Tensor:
        return elementwise.logical_not(self)

    # selecting, scattering and products (ops/shape.py)
    def masked_select(self, mask):
        return shape_ops.masked_select(self, mask)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return shape_ops.diff(self, n, dim, prepend, append)

    def trace(self):
        return shape_ops.trace(self)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
        return shape_ops.unique(self, sorted, return_inverse, return_counts, dim)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return shape_ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return shape_ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return shape_ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        return shape_ops.scatter(self, dim, index, src, value, reduce)

    def scatter_add(self, dim, index, src):
        return shape_ops.scatter_add(self, dim, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        return shape_ops.index_add(self, dim, index, source, alpha)

    def index_fill(self, dim, index, value):
        return shape_ops.index_fill(self, dim, index, value)

    def masked_scatter(self, mask, source):
        return shape_ops.masked_scatter(self, mask, source)

    def cumsum(self, dim, dtype=None):
        return reduce.cumsum(self, dim, dtype)

    def cumprod(self, dim, dtype=None):
        return reduce.cumprod(self, dim, dtype)

    def prod(self, dim=None, keepdim=False, dtype=None):
        return reduce.prod(self, dim, keepdim, dtype)

    def any(self, dim=None, keepdim=False):
        return reduce.any(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return reduce.all(self, dim, keepdim)

    def sort(self, dim=-1, descending=False, stable=False):
        return reduce.sort(self, dim, descending)

    def argsort(self, dim=-1, descending=False, stable=False):
        return reduce.argsort(self, dim, descending)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return reduce.topk(self, k, dim, largest, sorted)

    def flip(self, *dims, **keyword):
        return shape_ops.flip(self, _sizes(dims, keyword, "dims"))

    def roll(self, shifts, dims=None):
        return shape_ops.roll(self, shifts, dims)

    def diag(self, diagonal=0):
        return shape_ops.diag(self, diagonal)

    def triu(self, diagonal=0):
        return matrix.triu(self, diagonal)

    def tril(self, diagonal=0):
        return matrix.tril(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return matrix.diagonal(self, offset, dim1, dim2)

    def det(self) -> Tensor:
        return matrix.det(self)

    def logdet(self) -> Tensor:
        return matrix.logdet(self)

    def slogdet(self) -> Tuple[Tensor, Tensor]:
        return matrix.slogdet(self)

    def gather(self, dim, index):
        return shape_ops.gather(self, dim, index)

    def index_select(self, dim, index):
        return shape_ops.index_select(self, dim, index)

    def narrow(self, dim, start, length):
        return shape_ops.narrow(self, dim, start, length)

    def unbind(self, dim=0):
        return shape_ops.unbind(self, dim)

    def movedim(self, source, destination):
        return shape_ops.movedim(self, source, destination)

    def tile(self, *dims, **keyword):
        return shape_ops.tile(self, _sizes(dims, keyword, "dims"))

    def swapaxes(self, axis0, axis1):
        return shape_ops.transpose(self, axis0, axis1)

    swapdims = swapaxes

    def moveaxis(self, source, destination):
        return shape_ops.movedim(self, source, destination)

    def lerp(self, end, weight):
        return self + (end - self) * weight

    def resize_(self, *sizes):
        """Give the tensor a new shape in place, as PyTorch's resize_: the elements that
        fit keep their values (in memory order), new ones are zero.  Not for tensors
        that gradients flow through."""
        shape = shape_argument_of(sizes)
        if self.requires_grad and STATE.grad_enabled:
            raise RuntimeError("resize_: cannot resize a tensor that requires grad")
        xp = backend.get_array_module(self.array)
        flat = self.array.reshape(-1)
        resized = xp.zeros(shape, dtype=self.dtype)
        count = min(flat.size, resized.size)
        resized.reshape(-1)[:count] = flat[:count]
        self.array = resized
        self._bump_version()
        return self

    def repeat_interleave(self, repeats, dim=None):
        return shape_ops.repeat_interleave(self, repeats, dim)

    def outer(self, other: Tensor) -> Tensor:
        return linalg.outer(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return linalg.dot(self, other)

    def inverse(self) -> Tensor:
        return matrix.inverse(self)

    def lu(self, pivot=True, get_infos=False):
        """(LU, pivots), or (LU, pivots, infos) with ``get_infos``, as torch.Tensor.lu."""
        packed, pivots = matrix.lu_factor(self, pivot=pivot)
        if get_infos:
            from .creation import zeros
            return packed, pivots, zeros(*self.shape[:-2], dtype=numpy.int32)
        return packed, pivots

    def qr(self, some=True):
        return matrix.qr(self, "reduced" if some else "complete")

    # -- new tensors like this one: same dtype and device ---------------------
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from .creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from .creation import ones
        return ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    new_empty = new_zeros

    def new(self, *args):
        """The legacy ``x.new(2, 3)`` / ``x.new(data)``: a tensor of x's dtype and device."""
        from .creation import tensor
        if all(type(a) is int for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
            return self.new_zeros(*args)
        return tensor(args[0], dtype=self.dtype, device=self.device)

    def nonzero(self, as_tuple=False):
        return reduce.nonzero(self, as_tuple)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def type(self, dtype=None):
        """No argument: the legacy type name ('torch.FloatTensor'); else a cast to that
        type (a typed-tensor class such as FloatTensor, its name, or a dtype)."""
        from . import typed_tensors
        if dtype is None:
            return typed_tensors.type_name(self)
        return typed_tensors.convert(self, dtype)

    def is_floating_point(self):
        return self.dtype.kind == "f"

    def is_contiguous(self):
        return bool(self.array.flags.c_contiguous)

    def get_device(self):
        return 0 if self.is_cuda else -1

    def pin_memory(self):
        return self   # a CPU optimisation for GPU transfers; nothing to do here

    def half(self):
        return self.to(dtype=numpy.float16)

    def int(self):
        return self.to(dtype=numpy.int32)

    def bool(self):
        return self.to(dtype=numpy.bool_)

    def byte(self):
        return self.to(dtype=numpy.uint8)


def _sizes(positional, keyword, name):
    """Sizes or dims given as x.view(2, 3), x.view((2, 3)) or x.view(size=(2, 3))."""
    if keyword:
        if positional or set(keyword) != {name}:
            raise TypeError(f"expected the sizes positionally or as {name}=..., got "
                            f"{positional} and {sorted(keyword)}")
        positional = (keyword[name],)
    return shape_argument_of(positional)


def shape_argument_of(args):
    return shape_ops.shape_argument(args)


# The ops import Tensor from this module, so they are imported after it is defined.
from . import inplace  # noqa: E402
from .ops import activation, elementwise, linalg, matrix, reduce  # noqa: E402
from .ops import shape as shape_ops  # noqa: E402
