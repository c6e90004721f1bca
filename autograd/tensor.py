"""Tensor: an array, its gradient, and the Function that made it.

A Tensor wraps a NumPy array (or a CuPy array on a GPU) in ``data``.  When it
takes part in a computation that needs gradients, ``creator`` points at the
Function that produced it, and through that Function's ``inputs`` the whole
graph can be walked back to the leaves.  ``backward()`` does that walk.

The methods below are thin: each one calls the op of the same name in
``autograd.ops``, where the forward and backward formulas live.
"""
import numpy

from . import backend
from .grad_mode import STATE


class Tensor:
    __slots__ = ("data", "grad", "requires_grad", "creator", "output_index",
                 "retains_grad", "__weakref__")
    __array_priority__ = 1000  # numpy_array + tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad=False):
        if type(data) is not numpy.ndarray and not backend.is_cupy_array(data):
            data = numpy.asarray(data)  # numpy scalars from reductions, lists, numbers
        if requires_grad and data.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require grad, got dtype {data.dtype}")
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self.creator = None
        self.output_index = 0
        self.retains_grad = False

    # -- what it is ----------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def device(self):
        return backend.device_of(self.data)

    @property
    def is_leaf(self):
        return self.creator is None

    @property
    def T(self):
        if self.data.ndim == 2:
            return shape_ops.Permute((1, 0))(self)
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return int(self.data.size)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): only a one-element tensor can be converted to a "
                             f"Python number, this one has shape {self.shape}")
        return self.data.reshape(()).item()

    def tolist(self):
        return backend.to_numpy(self.data).tolist()

    def numpy(self):
        """The data as a NumPy array (copied from the GPU when there)."""
        if self.requires_grad and STATE.grad_enabled:
            raise RuntimeError("numpy(): this tensor requires grad; call .detach().numpy()")
        return backend.to_numpy(self.data)

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

    def __repr__(self):
        body = numpy.array2string(backend.to_numpy(self.data), separator=", ", prefix="tensor(")
        extras = []
        if self.dtype != numpy.float32:
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.creator is not None:
            extras.append(f"grad_fn=<{self.creator.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- graph ---------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see engine.py)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self):
        """The same data, cut from the graph."""
        return Tensor(self.data)

    def detach_(self):
        self.creator = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        if self.creator is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use detach()")
        if requires_grad and self.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require grad, got dtype {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        if self.creator is not None:
            self.retains_grad = True
        return self

    # -- in place: only outside the graph (under no_grad, or on tensors without grad) --
    def _in_place(self, op):
        if self.requires_grad and STATE.grad_enabled:
            raise RuntimeError(f"{op}: a tensor that requires grad cannot be changed in place while "
                               "grad mode is on (its graph would be wrong); use no_grad()")
        return self.data

    def zero_(self):
        self._in_place("zero_")[...] = 0
        return self

    def fill_(self, value):
        self._in_place("fill_")[...] = value
        return self

    def copy_(self, source):
        array = source.data if isinstance(source, Tensor) else source
        self._in_place("copy_")[...] = backend.to_device(array, self.device)
        return self

    def add_(self, other, alpha=1):
        array = self._in_place("add_")
        array += alpha * (other.data if isinstance(other, Tensor) else other)
        return self

    def mul_(self, other):
        array = self._in_place("mul_")
        array *= other.data if isinstance(other, Tensor) else other
        return self

    def clamp_(self, min=None, max=None):
        array = self._in_place("clamp_")
        backend.get_array_module(array).clip(array, min, max, out=array)
        return self

    def normal_(self, mean=0.0, std=1.0):
        array = self._in_place("normal_")
        array[...] = mean + std * backend.rng(backend.get_array_module(array)).standard_normal(array.shape)
        return self

    def uniform_(self, a=0.0, b=1.0):
        array = self._in_place("uniform_")
        array[...] = a + (b - a) * backend.rng(backend.get_array_module(array)).random(array.shape)
        return self

    # -- devices and dtypes --------------------------------------------------
    def to(self, device=None, dtype=None):
        """Move to 'cpu' / 'cuda' and/or cast; differentiable, like every op."""
        if isinstance(device, (numpy.dtype, type)) and dtype is None:
            device, dtype = None, device
        out = self
        if dtype is not None and numpy.dtype(dtype) != self.dtype:
            out = elementwise.cast(out, dtype)
        if device is not None and backend.normalize_device(device) != self.device:
            out = elementwise.to_device(out, device)
        return out

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        return self.to(dtype=numpy.float32)

    def double(self):
        return self.to(dtype=numpy.float64)

    def long(self):
        return self.to(dtype=numpy.int64)

    def type_as(self, other):
        return self.to(dtype=other.dtype)

    def clone(self):
        return elementwise.clone(self)

    def contiguous(self):
        return self

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other):
        return elementwise.add(self, other)

    def __radd__(self, other):
        return elementwise.add(other, self)

    def __sub__(self, other):
        return elementwise.sub(self, other)

    def __rsub__(self, other):
        return elementwise.sub(other, self)

    def __mul__(self, other):
        return elementwise.mul(self, other)

    def __rmul__(self, other):
        return elementwise.mul(other, self)

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

    # In-place arithmetic makes a new node and rebinds the name (x += 1 stays differentiable).
    __iadd__, __isub__, __imul__, __itruediv__ = __add__, __sub__, __mul__, __truediv__

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
    def add(self, other):
        return elementwise.add(self, other)

    def sub(self, other):
        return elementwise.sub(self, other)

    def mul(self, other):
        return elementwise.mul(self, other)

    def div(self, other):
        return elementwise.div(self, other)

    def pow(self, exponent):
        return elementwise.pow(self, exponent)

    def neg(self):
        return elementwise.neg(self)

    def exp(self):
        return elementwise.exp(self)

    def log(self):
        return elementwise.log(self)

    def log1p(self):
        return elementwise.log1p(self)

    def sqrt(self):
        return elementwise.sqrt(self)

    def rsqrt(self):
        return elementwise.sqrt(self) ** -1

    def square(self):
        return elementwise.mul(self, self)

    def abs(self):
        return elementwise.abs(self)

    def sign(self):
        return elementwise.sign(self)

    def clamp(self, min=None, max=None):
        return elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return elementwise.maximum(self, other)

    def minimum(self, other):
        return elementwise.minimum(self, other)

    def relu(self):
        return activation.relu(self)

    def sigmoid(self):
        return activation.sigmoid(self)

    def tanh(self):
        return activation.tanh(self)

    def softmax(self, dim):
        return reduce.softmax(self, dim)

    def log_softmax(self, dim):
        return reduce.log_softmax(self, dim)

    # -- reductions ----------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        return reduce.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return reduce.mean(self, dim, keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False):
        return reduce.var(self, dim, unbiased, keepdim)

    def std(self, dim=None, unbiased=True, keepdim=False):
        return reduce.std(self, dim, unbiased, keepdim)

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

    def logsumexp(self, dim, keepdim=False):
        return reduce.logsumexp(self, dim, keepdim)

    def norm(self, p=2, dim=None, keepdim=False):
        return reduce.norm(self, p, dim, keepdim)

    # -- shapes --------------------------------------------------------------
    def reshape(self, *shape):
        return shape_ops.reshape(self, shape_ops.shape_argument(shape))

    def view(self, *shape):
        return shape_ops.reshape(self, shape_ops.shape_argument(shape))

    def view_as(self, other):
        return shape_ops.reshape(self, other.shape)

    def reshape_as(self, other):
        return shape_ops.reshape(self, other.shape)

    def permute(self, *dims):
        return shape_ops.permute(self, shape_ops.shape_argument(dims))

    def transpose(self, dim0, dim1):
        return shape_ops.transpose(self, dim0, dim1)

    def t(self):
        return shape_ops.transpose(self, 0, 1) if self.ndim == 2 else self

    def flatten(self, start_dim=0, end_dim=-1):
        return shape_ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return shape_ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return shape_ops.unsqueeze(self, dim)

    def expand(self, *sizes):
        return shape_ops.expand(self, shape_ops.shape_argument(sizes))

    def expand_as(self, other):
        return shape_ops.broadcast_to(self, other.shape)

    def repeat(self, *repeats):
        return shape_ops.repeat(self, shape_ops.shape_argument(repeats))

    def split(self, split_size_or_sections, dim=0):
        return shape_ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return shape_ops.chunk(self, chunks, dim)

    def __getitem__(self, index):
        return shape_ops.getitem(self, index)

    def __setitem__(self, index, value):
        if self.requires_grad and STATE.grad_enabled:
            raise RuntimeError("item assignment into a tensor that requires grad would corrupt "
                               "its graph; do it under no_grad() or build a new tensor")
        self.data[shape_ops.array_index(index)] = value.data if isinstance(value, Tensor) else value

    def matmul(self, other):
        return linalg.matmul(self, other)

    def bmm(self, other):
        return linalg.bmm(self, other)

    def where(self, condition, other):
        return elementwise.where(condition, self, other)

    def broadcast_to(self, shape):
        return shape_ops.broadcast_to(self, shape)

    def mm(self, other):
        return linalg.matmul(self, other)


# The ops import Tensor from this module, so they are imported after it is defined.
from .ops import activation, elementwise, linalg, reduce  # noqa: E402
from .ops import shape as shape_ops  # noqa: E402
