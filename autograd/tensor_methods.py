"""Tensor's methods that compute, bound onto ``Tensor`` here, in one place.

tensor.py says what a Tensor is (its array, gradient, creator and version) and no
more, so that function.py and the ops, which make Tensors, can import it.  This
module comes after all of them and gives Tensor the methods a user calls.  Each is
thin: ``x.exp()`` is ``elementwise.exp(x)``, ``x + y`` is ``elementwise.add(x, y)``,
``x.add_(y)`` goes through ``inplace.modify`` and ``x.backward()`` through
``autograd.backward`` (the engine), so the forward and backward formulas live in the
ops alone.  The package imports this module before anything else: ``import autograd``
always gives the whole Tensor.

The methods are written in classes that serve only as namespaces, one per family.
Each body reads as Tensor's own would: a method named ``int``, ``sum`` or ``max``
hides the builtin only within the class body, not in the module.  Then
``@_bound_to_tensor`` sets the family's methods, properties and aliases on Tensor,
under Tensor's name.
"""
from __future__ import annotations

from types import FunctionType
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy

from . import autograd as torch_autograd   # torch.autograd: backward() and grad()
from . import backend, creation, inplace, tensor_hooks, typed_tensors
from .grad_mode import STATE
from .ops import activation, elementwise, linalg, matrix, reduce
from .ops import shape as shape_ops
from .tensor import Size, Tensor
from .tensor_hooks import RemovableHandle
from .typing_aliases import DeviceLike, Dims, DtypeLike, Number, TensorOrTensors

# Tensor has methods named int, float and bool (casts, as in PyTorch); inside the families
# those names are the methods, so their hints name the builtin types as PyTorch's stubs do:
_int, _float, _bool = int, float, bool


def _bound_to_tensor(family):
    """Set every method and property of the class ``family`` on Tensor, as if written in
    Tensor's body (an alias, such as ``clip = clamp``, is the same function under two names)."""
    for name, member in vars(family).items():
        if isinstance(member, (FunctionType, property)):
            function = member.fget if isinstance(member, property) else member
            function.__qualname__ = f"Tensor.{function.__name__}"
            setattr(Tensor, name, member)
    return family


def _sizes(positional, keyword, name):
    """Sizes or dims given as x.view(2, 3), x.view((2, 3)) or x.view(size=(2, 3))."""
    if keyword:
        if positional or set(keyword) != {name}:
            raise TypeError(f"expected the sizes positionally or as {name}=..., got "
                            f"{positional} and {sorted(keyword)}")
        positional = (keyword[name],)
    return shape_ops.shape_argument(positional)


@_bound_to_tensor
class _Operators:
    """Python's operators: arithmetic (ops/elementwise.py, ops/linalg.py) and comparisons,
    which give boolean tensors and no gradient."""

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


@_bound_to_tensor
class _Elementwise:
    """One value out per value in (ops/elementwise.py, ops/activation.py)."""

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

    def where(self, condition: Tensor, other: Union[Tensor, Number]) -> Tensor:
        return elementwise.where(condition, self, other)

    def lerp(self, end, weight):
        return self + (end - self) * weight

    def relu(self) -> Tensor:
        return activation.relu(self)

    def sigmoid(self) -> Tensor:
        return activation.sigmoid(self)

    def tanh(self) -> Tensor:
        return activation.tanh(self)

    # comparisons: boolean results, no gradient
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

    # trigonometric, hyperbolic and special functions
    def sin(self) -> Tensor:
        return elementwise.sin(self)

    def cos(self) -> Tensor:
        return elementwise.cos(self)

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

    def erf(self) -> Tensor:
        return elementwise.erf(self)

    def erfinv(self) -> Tensor:
        return elementwise.erfinv(self)

    def expm1(self) -> Tensor:
        return elementwise.expm1(self)

    def reciprocal(self) -> Tensor:
        return elementwise.reciprocal(self)

    def log2(self) -> Tensor:
        return elementwise.log2(self)

    def log10(self) -> Tensor:
        return elementwise.log10(self)

    def logit(self, eps=None):
        return elementwise.logit(self, eps)

    def lgamma(self) -> Tensor:
        return elementwise.lgamma(self)

    def digamma(self) -> Tensor:
        return elementwise.digamma(self)

    def polygamma(self, n):
        return elementwise.polygamma(n, self)

    # rounding
    def floor(self) -> Tensor:
        return elementwise.floor(self)

    def ceil(self) -> Tensor:
        return elementwise.ceil(self)

    def round(self) -> Tensor:
        return elementwise.round(self)

    def trunc(self) -> Tensor:
        return elementwise.trunc(self)

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


@_bound_to_tensor
class _Reductions:
    """Many values in, fewer out: sums, statistics, extremes, sorting (ops/reduce.py)."""

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

    def softmax(self, dim: _int) -> Tensor:
        return reduce.softmax(self, dim)

    def log_softmax(self, dim: _int) -> Tensor:
        return reduce.log_softmax(self, dim)

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

    def nonzero(self, as_tuple=False):
        return reduce.nonzero(self, as_tuple)


@_bound_to_tensor
class _Shapes:
    """The same values, moved: views, indexing, gathering and scattering (ops/shape.py)."""

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

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

    def swapaxes(self, axis0, axis1):
        return shape_ops.transpose(self, axis0, axis1)

    swapdims = swapaxes

    def movedim(self, source, destination):
        return shape_ops.movedim(self, source, destination)

    def moveaxis(self, source, destination):
        return shape_ops.movedim(self, source, destination)

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

    def broadcast_to(self, shape: Sequence[_int]) -> Tensor:
        return shape_ops.broadcast_to(self, shape)

    def repeat(self, *repeats: Dims, **keyword: Any) -> Tensor:
        return shape_ops.repeat(self, _sizes(repeats, keyword, "repeats"))

    def repeat_interleave(self, repeats, dim=None):
        return shape_ops.repeat_interleave(self, repeats, dim)

    def tile(self, *dims, **keyword):
        return shape_ops.tile(self, _sizes(dims, keyword, "dims"))

    def flip(self, *dims, **keyword):
        return shape_ops.flip(self, _sizes(dims, keyword, "dims"))

    def roll(self, shifts, dims=None):
        return shape_ops.roll(self, shifts, dims)

    def split(self, split_size_or_sections: Union[_int, Sequence[_int]],
              dim: _int = 0) -> Tuple[Tensor, ...]:
        return shape_ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> Tuple[Tensor, ...]:
        return shape_ops.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return shape_ops.unbind(self, dim)

    def diag(self, diagonal=0):
        return shape_ops.diag(self, diagonal)

    def __getitem__(self, index):
        return shape_ops.getitem(self, index)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def gather(self, dim, index):
        return shape_ops.gather(self, dim, index)

    def index_select(self, dim, index):
        return shape_ops.index_select(self, dim, index)

    def narrow(self, dim, start, length):
        return shape_ops.narrow(self, dim, start, length)

    def masked_select(self, mask):
        return shape_ops.masked_select(self, mask)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return shape_ops.diff(self, n, dim, prepend, append)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
        return shape_ops.unique(self, sorted, return_inverse, return_counts, dim)

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


@_bound_to_tensor
class _LinearAlgebra:
    """Matrix products (ops/linalg.py) and matrix functions (ops/matrix.py)."""

    def matmul(self, other: Tensor) -> Tensor:
        return linalg.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return linalg.matmul(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return linalg.bmm(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return linalg.outer(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return linalg.dot(self, other)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return linalg.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def inverse(self) -> Tensor:
        return matrix.inverse(self)

    def det(self) -> Tensor:
        return matrix.det(self)

    def logdet(self) -> Tensor:
        return matrix.logdet(self)

    def slogdet(self) -> Tuple[Tensor, Tensor]:
        return matrix.slogdet(self)

    def lu(self, pivot=True, get_infos=False):
        """(LU, pivots), or (LU, pivots, infos) with ``get_infos``, as torch.Tensor.lu."""
        packed, pivots = matrix.lu_factor(self, pivot=pivot)
        if get_infos:
            return packed, pivots, creation.zeros(*self.shape[:-2], dtype=numpy.int32)
        return packed, pivots

    def qr(self, some=True):
        return matrix.qr(self, "reduced" if some else "complete")

    def triu(self, diagonal=0):
        return matrix.triu(self, diagonal)

    def tril(self, diagonal=0):
        return matrix.tril(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return matrix.diagonal(self, offset, dim1, dim2)

    def trace(self):
        return matrix.trace(self)


@_bound_to_tensor
class _Conversions:
    """Copies, casts and moves between devices (ops/elementwise.py): differentiable, like
    every op."""

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

    def half(self):
        return self.to(dtype=numpy.float16)

    def long(self) -> Tensor:
        return self.to(dtype=numpy.int64)

    def int(self):
        return self.to(dtype=numpy.int32)

    def bool(self):
        return self.to(dtype=numpy.bool_)

    def byte(self):
        return self.to(dtype=numpy.uint8)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(dtype=other.dtype)

    def type(self, dtype=None):
        """No argument: the legacy type name ('torch.FloatTensor'); else a cast to that
        type (a typed-tensor class such as FloatTensor, its name, or a dtype)."""
        if dtype is None:
            return typed_tensors.type_name(self)
        return typed_tensors.convert(self, dtype)

    def clone(self) -> Tensor:
        return elementwise.clone(self)


@_bound_to_tensor
class _InPlace:
    """Changes of the tensor's own memory (inplace.py): counted by its version counter,
    and recorded in the graph when gradients flow through them."""

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

    def resize_(self, *sizes):
        """Give the tensor a new shape in place, as PyTorch's resize_: the elements that
        fit keep their values (in memory order), new ones are zero.  Not for tensors
        that gradients flow through."""
        shape = shape_ops.shape_argument(sizes)
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

    # x += y changes x in place, as in PyTorch (other names bound to x see the change)
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)


@_bound_to_tensor
class _NewTensors:
    """New tensors like this one: same dtype and device (creation.py)."""

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return creation.zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                              requires_grad=requires_grad)

    new_empty = new_zeros

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return creation.ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                             requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return creation.full(size, fill_value, dtype=dtype or self.dtype,
                             device=device or self.device, requires_grad=requires_grad)

    def new(self, *args):
        """The legacy ``x.new(2, 3)`` / ``x.new(data)``: a tensor of x's dtype and device."""
        if all(type(a) is int for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
            return self.new_zeros(*args)
        return creation.tensor(args[0], dtype=self.dtype, device=self.device)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)


@_bound_to_tensor
class _Graph:
    """The backward pass from this tensor (autograd.py, engine.py) and hooks on the gradient
    that reaches it (tensor_hooks.py)."""

    def backward(self, gradient: Optional[Tensor] = None, retain_graph: Optional[_bool] = None,
                 create_graph: _bool = False, inputs: Optional[TensorOrTensors] = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see engine.py)."""
        torch_autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook: Callable[[Tensor], Optional[Tensor]]) -> RemovableHandle:
        """Call ``hook(grad)`` with the gradient that flows to this (non-leaf) tensor; it
        may return a replacement.  Returns a handle with ``.remove()``.  See
        tensor_hooks.py (hooks on leaves are not supported)."""
        return tensor_hooks.register_hook(self, hook)

