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
from .devices import accelerator, backends, cuda, device, is_cuda_available
from .creation import (arange, as_tensor, empty, eye, from_numpy, full, full_like, linspace,
                       manual_seed, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .dtypes import (bool_ as bool, double, float16, float32, float64, half, int8, int16,  # noqa: A004
                     int32, int64, long, uint8)
from .function import Function, ShapeError
from .grad_mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, GradcheckResult, gradcheck, gradgradcheck
from .ops.activation import elu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from .ops.elementwise import (abs, add, allclose, clamp, clip, div, eq, exp, ge, gt, isfinite,  # noqa: A004
                              isnan, le, log, log1p, lt, maximum, minimum, mul, ne, neg, pow,
                              sign, sqrt, sub, where)
from .ops.linalg import bmm, matmul, mm
from .ops.reduce import (amax, amin, argmax, argmin, log_softmax, logsumexp, max, mean, min,  # noqa: A004
                         norm, softmax, std, sum, var)
from .ops.shape import (broadcast_to, cat, chunk, flatten, pad, permute, reshape, split, squeeze,
                        stack, transpose, unsqueeze)
from .serialization import CheckpointError, load, save
from .tensor import Size, Tensor

concat = concatenate = cat
true_divide = divide = div
multiply = mul
subtract = sub
negative = neg
square = Tensor.square
rsqrt = Tensor.rsqrt
numel = Tensor.numel


def is_tensor(obj):
    return isinstance(obj, Tensor)


cuda_is_available = is_cuda_available

from . import nn, optim  # noqa: E402,F401  (after the names they use are defined)

__version__ = "0.1.0"
