"""autograd: a small reverse-mode automatic differentiation engine on NumPy / CuPy.

Names follow PyTorch, so a short script written against ``torch`` runs after
``import autograd as torch`` as far as the ops here reach::

    import autograd as torch
    x = torch.randn(3, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    x.grad                       # = 2 exp(x)

The package holds the engine and PyTorch's namespaces around it.  At top level:
``Tensor`` and the ways to make one (``tensor``, ``zeros``, ``randn``, ...:
creation.py), the differentiable ops as functions (``exp``, ``sum``, ``matmul``,
``cat``, ...: ops/ and toplevel.py), dtypes and devices, the grad-mode switches
(``no_grad``, ...), ``manual_seed``, ``gradcheck`` / ``gradgradcheck``, and
``save`` / ``load``.  Beside them:

    autograd.autograd        backward, grad, Function: ``torch.autograd``
    autograd.nn              Module, Parameter, layers, losses, nn.functional, nn.init
    autograd.optim           optimizers and learning-rate schedules
    autograd.utils.data      Dataset, DataLoader, samplers
    autograd.distributions   probability distributions (imported on first use)
    autograd.linalg          ``torch.linalg`` (imported on first use)
    autograd.random, cuda, backends, accelerator   PyTorch's small namespaces
    autograd.viz             pictures of graphs and of gradient checks
    autograd.exercises       the teaching exercises (``python -m autograd.exercises``)

How it works, in reading order (each module imports only those before it):
tensor.py (what a Tensor holds), function.py (the Function protocol), engine.py
(the backward pass), ops/ (the differentiable ops, each with its backward),
inplace.py (changing a tensor in place), tensor_methods.py (Tensor's methods, bound
to the ops), then gradcheck.py (gradients checked against finite differences).
docs/TOUR.md draws the whole order.

Importing the package asks glibc to keep freed memory for the next training step
(memory.py; ``AUTOGRAD_KEEP_FREED_MEMORY=0`` turns that off).
"""
from . import tensor_methods  # noqa: F401  (first: every module below sees the whole Tensor)
from . import autograd  # noqa: F401  (torch.autograd.grad and friends)
from .autograd import backward, grad
from .backend import (get_array_module, get_default_device, get_rng_state, set_default_device,
                      set_rng_state)
from . import accelerator, backends, cuda, nn, optim, random  # noqa: F401  (torch.nn, ...)
from .devices import device, is_cuda_available
from .creation import (arange, as_tensor, empty, eye, from_numpy, full, full_like, linspace,
                       manual_seed, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .dtypes import (bool_ as bool, double, float16, float32, float64, half, int8, int16,  # noqa: A004
                     int32, int64, long, short, uint8)
from .function import DtypeError, Function, ShapeError
from . import memory
from .grad_mode import (detect_anomaly, enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .gradcheck import GradcheckError, GradcheckResult, gradcheck, gradgradcheck
from .ops.activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from .ops.elementwise import (abs, acos, allclose, asin, atan, atanh, ceil, clamp, clip,  # noqa: A004
                              clone, cos, cosh, digamma, eq, erf, erfinv, exp, expm1, floor, fmod,
                              ge, gt, isfinite, isinf, isnan, isneginf, isposinf, le, lerp, lgamma,
                              log, log1p, log2, log10, logical_and, logical_not, logical_or,
                              logical_xor, logit, lt, masked_fill, maximum, minimum, ne, neg,
                              polygamma, pow, reciprocal, remainder, round, sign, sin, sinh, sqrt,
                              tan, trunc, where)
from .ops.linalg import addbmm, addmm, baddbmm, bmm, cdist, dot, einsum, mm, outer, tensordot
from .ops.reduce import (all, amax, amin, aminmax, any, argmax, argmin, argsort,  # noqa: A004
                         count_nonzero, cumprod, cumsum, log_softmax, logsumexp, max, mean, median,
                         min, norm, prod, softmax, sort, std, std_mean, sum, topk, var, var_mean)
from .ops.matrix import (det, diag_embed, diagonal, inverse, logdet, lu_unpack, qr, slogdet, trace,
                         tril, triu)
from .ops.shape import (broadcast_to, chunk, diag, diff, dstack, flatten, flip, gather, hstack,
                        index_add, index_fill, index_select, masked_scatter, masked_select,
                        meshgrid, movedim, narrow, pad, permute, repeat_interleave, reshape, roll,
                        scatter, scatter_add, split, squeeze, stack, tile, transpose, unbind,
                        unique, unsqueeze, vstack)
from .serialization import CheckpointError, load, save
from .tensor import Size, Tensor
from .toplevel import (add, bernoulli, cat, div, e, empty_like, equal, finfo, get_default_dtype,
                       get_num_threads, iinfo, inf, initial_seed, is_floating_point, is_nonzero,
                       isclose, matmul, mul, multinomial, nan, normal, numel, pi, randint_like,
                       seed, set_default_dtype, set_num_threads, set_printoptions, sub, t)
from .typed_tensors import CPU as _CPU_TYPES

FloatTensor, DoubleTensor, HalfTensor = _CPU_TYPES["FloatTensor"], _CPU_TYPES["DoubleTensor"], _CPU_TYPES["HalfTensor"]
LongTensor, IntTensor, ShortTensor = _CPU_TYPES["LongTensor"], _CPU_TYPES["IntTensor"], _CPU_TYPES["ShortTensor"]
CharTensor, ByteTensor, BoolTensor = _CPU_TYPES["CharTensor"], _CPU_TYPES["ByteTensor"], _CPU_TYPES["BoolTensor"]
float = float32   # noqa: A001 - torch.float is float32
int = int32       # noqa: A001 - torch.int is int32
concat = concatenate = cat
true_divide = divide = div
multiply = mul
subtract = sub
negative = neg
square = Tensor.square
rsqrt = Tensor.rsqrt
swapaxes = swapdims = transpose
moveaxis = movedim
arcsin, arccos, arctan, arctanh = asin, acos, atan, atanh


def is_tensor(obj):
    return isinstance(obj, Tensor)


cuda_is_available = is_cuda_available

_LAZY_SUBMODULES = ("distributions", "linalg", "utils")


def __getattr__(name):
    """torch.distributions, torch.linalg, torch.utils and torch.Generator, imported on first
    use: most programs need none of them, and they cost import time."""
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module(f".{name}", __name__)
    if name == "Generator":
        from .generator import Generator
        return Generator
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")

__version__ = "0.1.0"

memory.keep_freed_memory()   # once per process: large arrays freed by one step are reused by the next
