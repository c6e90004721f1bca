"""Activation functions.

Piecewise-linear ones (relu, leaky_relu) multiply the gradient by a fixed mask;
smooth ones (sigmoid, tanh, elu) write their derivative through their own output,
so their second derivative comes out of the same formula.
"""
import math

import numpy

from .. import backend
from ..function import Function
from ..tensor import Tensor
from . import elementwise


class ReLU(Function):
    saved_inputs, saves_outputs = (), False   # forward keeps the mask, a copy

    def forward(self, x):
        self.positive = x > 0  # kept as bool: a quarter of the memory of a float mask
        return x * self.positive

    def backward(self, gy):
        return gy * Tensor(self.positive)  # 1 where x > 0, else 0 (0 at x = 0, as PyTorch)


class LeakyReLU(Function):
    saved_inputs, saves_outputs = (), False

    def __init__(self, negative_slope):
        self.negative_slope = negative_slope

    def forward(self, x):
        self.positive = x > 0  # kept for backward as bool: a quarter of a float mask's memory
        return x * self._slopes(x.dtype)

    def _slopes(self, dtype):
        """1 where x > 0, else negative_slope, in x's dtype.  Arithmetic on the mask
        rather than xp.where(mask, 1, slope), which NumPy runs 10-20x slower."""
        slope = dtype.type(self.negative_slope)
        return self.positive * (dtype.type(1) - slope) + slope

    def backward(self, gy):
        return gy * Tensor(self._slopes(gy.dtype))


def _sigmoid(x):
    """1 / (1 + e^-x) on a raw array, worked in place in one new buffer: four passes,
    where a formula with xp.where or xp.abs takes seven.  Below about -88 (float32)
    e^-x overflows to inf and 1 / inf = 0 is the right answer, so NumPy's overflow
    warning is silenced (CuPy does not warn)."""
    xp = backend.get_array_module(x)
    y = xp.negative(x, out=xp.empty_like(x))    # out=, so a 0-d x gives an array, not a scalar
    with numpy.errstate(over="ignore"):
        xp.exp(y, out=y)
    y += 1
    return xp.reciprocal(y, out=y)


class Sigmoid(Function):
    saved_inputs = ()

    def forward(self, x):
        return _sigmoid(x)

    def backward(self, gy):
        y = self.saved_output()
        return gy * y * (1 - y)  # sigma' = sigma (1 - sigma)


class SiLU(Function):
    """x * sigmoid(x) as one op.  Written as Mul and Sigmoid it costs two recorded ops and
    their separate passes in both directions; here forward keeps s = sigmoid(x) and
    backward is one formula, d/dx x s = s (1 + x (1 - s))."""
    saves_outputs = False

    def forward(self, x):
        self.s = _sigmoid(x)
        return x * self.s

    def backward(self, gy):
        x = self.inputs[0]
        s = sigmoid(x)      # rebuilt from x, so that the result is differentiable again
        return gy * (s * (1 + x * (1 - s)))

    def backward_arrays(self, gy):
        x, s = self.inputs[0].array, self.s
        return gy * (s * (1 + x * (1 - s)))


class Tanh(Function):
    saved_inputs = ()

    def forward(self, x):
        return backend.get_array_module(x).tanh(x)

    def backward(self, gy):
        y = self.saved_output()
        return gy * (1 - y * y)  # tanh' = 1 - tanh^2


class Softplus(Function):
    """log(1 + e^(beta x)) / beta, computed as max(z, 0) + log1p(e^-|z|) with z = beta x;
    where z > threshold it is x itself (as PyTorch), since the two agree there to
    within rounding."""
    saves_outputs = False

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        xp = backend.get_array_module(x)
        z = x * self.beta
        self.linear = z > self.threshold
        smooth = (xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))) / self.beta
        return xp.where(self.linear, x, smooth).astype(x.dtype)

    def backward(self, gy):
        # softplus' = sigmoid(beta x); 1 on the linear part
        return elementwise.where(self.linear, gy, gy * sigmoid(self.inputs[0] * self.beta))


class ELU(Function):
    saved_inputs = ()   # backward reads the output, and a mask kept by forward

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.positive = x > 0
        return xp.where(self.positive, x, self.alpha * xp.expm1(x)).astype(x.dtype)

    def backward(self, gy):
        # for x <= 0, y = alpha (e^x - 1), so dy/dx = alpha e^x = y + alpha
        y = self.saved_output()
        return elementwise.where(self.positive, gy, gy * (y + self.alpha))


# ``inplace`` is accepted for PyTorch code and computes out of place: the result is the
# same, the input is left unchanged (PyTorch offers it to save memory, not for its effect).
def relu(x, inplace=False):
    return ReLU()(x)


def leaky_relu(x, negative_slope=0.01, inplace=False):
    return LeakyReLU(negative_slope)(x)


def sigmoid(x):
    return Sigmoid()(x)


def tanh(x):
    return Tanh()(x)


def softplus(x, beta=1.0, threshold=20.0):
    return Softplus(beta, threshold)(x)


def silu(x, inplace=False):
    return SiLU()(x)


def elu(x, alpha=1.0, inplace=False):
    return ELU(alpha)(x)


def gelu(x, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF: Phi(x) = (1 + erf(x / sqrt 2)) / 2.
    approximate='tanh' uses (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 instead.
    A composition of differentiable ops, so every derivative comes with it."""
    if approximate == "none":
        return x * (elementwise.erf(x * (1 / math.sqrt(2))) + 1) * 0.5
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * (tanh(inner) + 1) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
