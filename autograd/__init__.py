"""autograd: a small reverse-mode automatic differentiation engine on NumPy / CuPy.

Names follow PyTorch, so a short script written against ``torch`` runs after
``import autograd as torch`` as far as the ops here reach::

    import autograd as torch
    x = torch.randn(3, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    x.grad                       # = 2 exp(x)

Where things live: tensor.py (Tensor), function.py (the Function protocol),
engine.py (the backward pass), ops/ (the differentiable ops), gradcheck.py.
"""
from . import autograd  # noqa: F401  (torch.autograd.grad and friends)
from .autograd import backward, grad
from .backend import (get_array_module, get_default_device, get_rng_state, set_default_device,
                      set_rng_state)
from . import accelerator, backends, cuda  # noqa: F401  (torch.cuda, torch.backends.cudnn, ...)
from .devices import device, is_cuda_available
from .creation import (arange, as_tensor, empty, eye, from_numpy, full, full_like, linspace,
                       manual_seed, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .dtypes import (bool_ as bool, double, float16, float32, float64, half, int8, int16,  # noqa: A004
                     int32, int64, long, short, uint8)
from .function import DtypeError, Function, ShapeError
from .grad_mode import (detect_anomaly, enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .gradcheck import GradcheckError, GradcheckResult, gradcheck, gradgradcheck
from .ops.activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from .ops.elementwise import (abs, allclose, ceil, clamp, clip, cos, eq, erf, exp, expm1,  # noqa: A004
                              floor, fmod, ge, gt, isfinite, isnan, le, lerp, log, log1p, log2, log10,
                              lt, masked_fill, maximum, minimum, ne, neg, pow, reciprocal,
                              remainder, round, sign, sin, sqrt, trunc, where)
from .ops.linalg import bmm, dot, einsum, mm, outer
from .ops.reduce import (all, amax, amin, any, argmax, argmin, argsort, cumprod, cumsum,  # noqa: A004
                         log_softmax, logsumexp, max, mean, min, norm, prod, softmax, sort, std,
                         sum, topk, var)
from .ops.matrix import (det, diag_embed, diagonal, inverse, logdet, lu_unpack, qr, slogdet, tril,
                         triu)
from .ops.shape import (broadcast_to, chunk, diag, flatten, flip, gather, index_select,
                        movedim, narrow, pad, permute, repeat_interleave, reshape, roll, split,
                        squeeze, stack, tile, transpose, unbind, unsqueeze)
from .serialization import CheckpointError, load, save
from .tensor import Size, Tensor
from .toplevel import (add, bernoulli, cat, div, e, empty_like, equal, finfo, get_default_dtype,
                       iinfo, inf, is_floating_point, isclose, matmul, mul, multinomial, nan,
                       normal, numel, pi, randint_like, set_default_dtype, sub, t)
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


def is_tensor(obj):
    return isinstance(obj, Tensor)


cuda_is_available = is_cuda_available

from . import nn, optim  # noqa: E402,F401  (after the names they use are defined)

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
