"""Elementwise ops: arithmetic, exp/log, abs/clamp, maximum/where, casts.

Binary ops broadcast like NumPy.  Their backward reduces each gradient back to
its input's shape with ``sum_to``: if x of shape (3, 1) was broadcast to (3, 4),
each x[i, 0] was used 4 times, so its gradient is the sum over that axis.
"""
import math
import numbers

import numpy

from .. import backend
from ..function import Bilinear, Function
from ..tensor import Tensor
from .shape import sum_to


# ----------------------------------------------------------------------------
# Turning arguments into Tensors
# ----------------------------------------------------------------------------
def _dtype_for_number(value, like):
    """The dtype a Python number takes next to tensor ``like`` (as PyTorch does:
    a scalar never promotes a float32 tensor to float64)."""
    kind = like.dtype.kind
    if type(value) is float:  # the common case first: isinstance on numbers ABCs is slow
        return like.dtype if kind in "fc" else numpy.dtype(numpy.float32)
    if isinstance(value, (bool, numpy.bool_)):
        return like.dtype
    if isinstance(value, numbers.Integral):
        return like.dtype if kind in "fciu" else numpy.dtype(numpy.int64)
    if isinstance(value, numbers.Real):
        return like.dtype if kind in "fc" else numpy.dtype(numpy.float32)
    return numpy.dtype(numpy.complex64) if kind != "c" else like.dtype


def constant_like(value, like):
    """A Tensor holding ``value`` (a number or array) on ``like``'s device; no gradient."""
    xp = backend.get_array_module(like.array)
    if isinstance(value, numbers.Number):
        return Tensor(xp.asarray(value, dtype=_dtype_for_number(value, like)))
    return Tensor(xp.asarray(value))


def operands(a, b):
    """Two Tensors of a common float dtype from the arguments of a binary op."""
    if type(a) is Tensor and type(b) is Tensor and a.array.dtype == b.array.dtype:
        return a, b  # the common case, kept fast
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError(f"expected a Tensor operand, got {type(a).__name__} and {type(b).__name__}")
        a = constant_like(a, b)
    elif not isinstance(b, Tensor):
        b = constant_like(b, a)
    if a.dtype != b.dtype:  # an integer tensor meeting a float one takes its dtype
        if a.dtype.kind in "fc" and b.dtype.kind not in "fc":
            b = Tensor(b.array.astype(a.dtype))
        elif b.dtype.kind in "fc" and a.dtype.kind not in "fc":
            a = Tensor(a.array.astype(b.dtype))
    return a, b


# ----------------------------------------------------------------------------
# Arithmetic
# ----------------------------------------------------------------------------
class Broadcasting(Function):
    """Base of binary ops: explains a broadcasting failure with both shapes."""
    saves_outputs = False

    def explain_error(self, arrays, err):
        a, b = arrays
        return f"{self.name}: cannot broadcast shapes {tuple(a.shape)} and {tuple(b.shape)}"


class Add(Broadcasting):
    saved_inputs = ()   # backward needs only the shapes

    def forward(self, a, b):
        return a + b

    def backward_for(self, wanted, gy):
        a, b = self.inputs  # d(a + b) = da + db: each input gets gy, summed back to its shape
        ga = sum_to(gy, a.shape) if wanted[0] else None
        gb = sum_to(gy, b.shape) if wanted[1] else None
        return ga, gb


class Sub(Broadcasting):
    saved_inputs = ()

    def forward(self, a, b):
        return a - b

    def backward_for(self, wanted, gy):
        a, b = self.inputs
        ga = sum_to(gy, a.shape) if wanted[0] else None
        gb = sum_to(-gy, b.shape) if wanted[1] else None
        return ga, gb


class Mul(Bilinear, Broadcasting):
    def forward(self, a, b):
        return a * b

    def backward_for(self, wanted, gy):
        a, b = self.inputs  # d(ab) = b da + a db
        ga = sum_to(gy * b, a.shape) if wanted[0] else None
        gb = sum_to(gy * a, b.shape) if wanted[1] else None
        return ga, gb


class Div(Broadcasting):
    def forward(self, a, b):
        return a / b

    def inputs_read_by_backward(self, needs_input_grad):
        return [0, 1] if needs_input_grad[1] else [1]   # a's gradient reads only b

    def backward_for(self, wanted, gy):
        a, b = self.inputs  # d(a/b) = da / b - a db / b^2
        ga = sum_to(gy / b, a.shape) if wanted[0] else None
        gb = sum_to(-gy * a / (b * b), b.shape) if wanted[1] else None
        return ga, gb


class Pow(Broadcasting):
    saves_outputs = True   # b's gradient reuses a^b

    def forward(self, a, b):
        return a ** b

    def backward_for(self, wanted, gy):
        a, b = self.inputs  # d(a^b) = b a^(b-1) da + a^b log(a) db
        ga = sum_to(gy * b * a ** (b - 1), a.shape) if wanted[0] else None
        gb = None
        if wanted[1]:
            # log(a) is -inf at a = 0 where a^b is 0: take the product as 0 there (PyTorch too)
            safe_a = where(a.array == 0, 1.0, a)
            gb = sum_to(gy * self.saved_output() * log(safe_a), b.shape)
        return ga, gb


class Neg(Function):
    saved_inputs, saves_outputs = (), False

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


def add(a, b):
    return Add()(*operands(a, b))


def sub(a, b):
    return Sub()(*operands(a, b))


def mul(a, b):
    return Mul()(*operands(a, b))


def div(a, b):
    a, b = operands(a, b)
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":  # true division gives floats
        a = Tensor(a.array.astype(numpy.float32))
    return Div()(a, b)


def pow(a, b):
    return Pow()(*operands(a, b))


def neg(x):
    return Neg()(x)


# ----------------------------------------------------------------------------
# Exponentials and friends
# ----------------------------------------------------------------------------
class Sin(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])  # d sin(x) = cos(x) dx


class Cos(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).cos(x)

    def backward(self, gy):
        return -gy * sin(self.inputs[0])  # d cos(x) = -sin(x) dx


class Erf(Function):
    """The error function, erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt."""
    saves_outputs = False

    def forward(self, x):
        return backend.erf(x)

    def backward(self, gy):
        x = self.inputs[0]  # d erf(x) = 2/sqrt(pi) exp(-x^2) dx
        return gy * exp(-(x * x)) * (2 / math.sqrt(math.pi))


class Exp(Function):
    saved_inputs = ()   # backward reuses exp(x), the output

    def forward(self, x):
        return backend.get_array_module(x).exp(x)

    def backward(self, gy):
        return gy * self.saved_output()  # d exp(x) = exp(x) dx


class Log(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.inputs[0]  # d log(x) = dx / x


class Log1p(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).log1p(x)

    def backward(self, gy):
        return gy / (self.inputs[0] + 1)  # d log(1 + x) = dx / (1 + x)


class Expm1(Function):
    """e^x - 1, accurate for small x."""
    saved_inputs = ()

    def forward(self, x):
        return backend.get_array_module(x).expm1(x)

    def backward(self, gy):
        return gy * (self.saved_output() + 1)  # d (e^x - 1) = e^x dx


class Sqrt(Function):
    saved_inputs = ()

    def forward(self, x):
        return backend.get_array_module(x).sqrt(x)

    def backward(self, gy):
        return gy / (self.saved_output() * 2)  # d sqrt(x) = dx / (2 sqrt(x))


# ----------------------------------------------------------------------------
# Trigonometric and hyperbolic functions and their inverses
# ----------------------------------------------------------------------------
class Tan(Function):
    saved_inputs = ()   # backward reuses tan(x), the output

    def forward(self, x):
        return backend.get_array_module(x).tan(x)

    def backward(self, gy):
        y = self.saved_output()
        return gy * (y * y + 1)  # d tan(x) = (1 + tan(x)^2) dx


class Sinh(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).sinh(x)

    def backward(self, gy):
        return gy * cosh(self.inputs[0])  # d sinh(x) = cosh(x) dx


class Cosh(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).cosh(x)

    def backward(self, gy):
        return gy * sinh(self.inputs[0])  # d cosh(x) = sinh(x) dx


class Asin(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).arcsin(x)

    def backward(self, gy):
        x = self.inputs[0]  # d asin(x) = dx / sqrt(1 - x^2)
        return gy / sqrt(1 - x * x)


class Acos(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).arccos(x)

    def backward(self, gy):
        x = self.inputs[0]  # d acos(x) = -dx / sqrt(1 - x^2)
        return -gy / sqrt(1 - x * x)


class Atan(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).arctan(x)

    def backward(self, gy):
        x = self.inputs[0]  # d atan(x) = dx / (1 + x^2)
        return gy / (x * x + 1)


class Atanh(Function):
    saves_outputs = False

    def forward(self, x):
        return backend.get_array_module(x).arctanh(x)

    def backward(self, gy):
        x = self.inputs[0]  # d atanh(x) = dx / (1 - x^2)
        return gy / (1 - x * x)


def tan(x):
    return Tan()(x)


def sinh(x):
    return Sinh()(x)


def cosh(x):
    return Cosh()(x)


def asin(x):
    return Asin()(x)


def acos(x):
    return Acos()(x)


def atan(x):
    return Atan()(x)


def atanh(x):
    return Atanh()(x)


def logit(x, eps=None):
    """log(z / (1 - z)) with z = x, or z = clamp(x, eps, 1 - eps) when eps is given
    (then, as in PyTorch, the gradient is 0 where x was clamped)."""
    z = x if eps is None else clamp(x, eps, 1 - eps)
    return log(z) - log1p(-z)


def exp(x):
    return Exp()(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def erf(x):
    return Erf()(x)


def expm1(x):
    return Expm1()(x)


def reciprocal(x):
    return div(1.0, x)


def log2(x):
    return log(x) / math.log(2)


def log10(x):
    return log(x) / math.log(10)


def log(x):
    return Log()(x)


def log1p(x):
    return Log1p()(x)


def sqrt(x):
    return Sqrt()(x)


# ----------------------------------------------------------------------------
# Special functions: log-gamma, digamma, polygamma, erfinv
#
# Computed with vectorised series (no SciPy), accurate to a few units in the last
# place of float64: the recurrence Gamma(z + 1) = z Gamma(z) moves every argument up
# to z >= _ASYMPTOTIC_FROM, where the asymptotic (Stirling) series converges fast,
# and the reflection formula Gamma(x) Gamma(1 - x) = pi / sin(pi x) handles x < 1/2.
# ----------------------------------------------------------------------------
_ASYMPTOTIC_FROM = 10.0
_POLYGAMMA_LOWEST = 1e6
# Bernoulli numbers B_2, B_4, ..., B_16 of the asymptotic series
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _sin_pi(x, xp):
    """sin(pi x), exactly 0 at the integers: x is first reduced to [-1, 1] (period 2)."""
    return xp.where(x == xp.floor(x), 0.0, xp.sin(math.pi * (x - 2 * xp.round(x / 2))))


def _tan_pi(x, xp):
    """tan(pi x), exact at the integers: x is first reduced to [-1/2, 1/2] (period 1)."""
    return xp.tan(math.pi * (x - xp.round(x)))


def _shift_up(x, xp, step):
    """Move z = x up by 1 until z >= _ASYMPTOTIC_FROM, calling step(z, below) on the way
    (below: where z is still moving).  Returns the final z."""
    z = x
    while True:
        below = z < _ASYMPTOTIC_FROM
        if not bool(below.any()):
            return z
        step(z, below)
        z = xp.where(below, z + 1, z)


def _lgamma_array(x):
    """log|Gamma(x)|: inf at 0, -1, -2, ... (as PyTorch)."""
    xp = backend.get_array_module(x)
    with numpy.errstate(divide="ignore", invalid="ignore", over="ignore"):
        reflect = x < 0.5
        z = xp.where(reflect, 1 - x, x)            # z >= 1/2
        z = xp.where(xp.isfinite(z), z, _ASYMPTOTIC_FROM)   # inf and nan are put back at the end
        product = xp.ones_like(z)                  # z (z + 1) ... (z + n - 1)

        def multiply(w, below):
            product[...] = xp.where(below, product * w, product)
        w = _shift_up(z, xp, multiply)
        # Stirling: lgamma(w) = (w - 1/2) log w - w + log(2 pi) / 2 + sum_k B_2k / (2k (2k - 1) w^(2k - 1))
        series = xp.zeros_like(w)
        for k, bernoulli in reversed(list(enumerate(_BERNOULLI, start=1))):
            series = series / (w * w) + bernoulli / (2 * k * (2 * k - 1))
        result = (w - 0.5) * xp.log(w) - w + 0.5 * math.log(2 * math.pi) + series / w - xp.log(product)
        reflected = math.log(math.pi) - xp.log(xp.abs(_sin_pi(x, xp))) - result
        result = xp.where(reflect, reflected, result)
        result = xp.where((x == 1) | (x == 2), 0.0, result)   # exactly, as Gamma(1) = Gamma(2) = 1
        return xp.where(xp.isfinite(x), result, xp.abs(x))   # lgamma(+-inf) = inf; nan stays


def _digamma_array(x):
    """psi(x) = d log Gamma(x) / dx: -inf at 0, nan at -1, -2, ... (as PyTorch)."""
    xp = backend.get_array_module(x)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        reflect = x < 0.5
        z = xp.where(reflect, 1 - x, x)
        z = xp.where(xp.isfinite(z), z, _ASYMPTOTIC_FROM)
        total = xp.zeros_like(z)                   # psi(z) = psi(z + n) - sum_k 1 / (z + k)

        def add(w, below):
            total[...] = xp.where(below, total + 1 / w, total)
        w = _shift_up(z, xp, add)
        # psi(w) = log w - 1 / (2w) - sum_k B_2k / (2k w^2k)
        series = xp.zeros_like(w)
        for k, bernoulli in reversed(list(enumerate(_BERNOULLI, start=1))):
            series = series / (w * w) + bernoulli / (2 * k)
        result = xp.log(w) - 0.5 / w - series / (w * w) - total
        reflected = result - math.pi / _tan_pi(x, xp)    # psi(x) = psi(1 - x) - pi / tan(pi x)
        result = xp.where(reflect, reflected, result)
        result = xp.where((x <= 0) & (x == xp.floor(x)), xp.nan, result)
        result = xp.where(x == 0, -xp.inf, result)
        result = xp.where(x == xp.inf, xp.inf, result)
        return xp.where(xp.isnan(x) | (x == -xp.inf), xp.nan, result)


def _polygamma_array(n, x):
    """psi^(n)(x), the n-th derivative of psi, n >= 1:
        psi^(n)(z) = psi^(n)(z + 1) + (-1)^(n+1) n! / z^(n+1)          (recurrence, any z)
        psi^(n)(w) ~ (-1)^(n+1) [(n-1)! / w^n + n! / (2 w^(n+1))
                                 + sum_k B_2k (2k + n - 1)! / ((2k)! w^(2k+n))]   (w large)
    The recurrence runs from x itself, also for negative x: one step per unit up to
    _ASYMPTOTIC_FROM, so x below -_POLYGAMMA_LOWEST (a million steps) gives nan."""
    xp = backend.get_array_module(x)
    sign = (-1) ** (n + 1)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        computable = xp.isfinite(x) & (x >= -_POLYGAMMA_LOWEST)
        z = xp.where(computable, x, _ASYMPTOTIC_FROM)
        total = xp.zeros_like(z)

        def add(w, below):
            total[...] = xp.where(below, total + 1 / w ** (n + 1), total)
        w = _shift_up(z, xp, add)
        series = xp.zeros_like(w)
        for k, bernoulli in reversed(list(enumerate(_BERNOULLI, start=1))):
            coefficient = bernoulli * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
            series = series / (w * w) + coefficient
        asymptotic = (math.factorial(n - 1) / w ** n + math.factorial(n) / (2 * w ** (n + 1))
                      + series / w ** (n + 2))
        result = sign * (asymptotic + math.factorial(n) * total)
        pole = (x <= 0) & (x == xp.floor(x))
        result = xp.where(pole, xp.inf if n % 2 else -xp.inf, result)   # PyTorch's signs
        result = xp.where(x == xp.inf, 0.0, result)
        too_low = (x == -xp.inf) | ((x < -_POLYGAMMA_LOWEST) & ~pole)
        return xp.where(xp.isnan(x) | too_low, xp.nan, result)


def _in_float64(compute, x):
    """compute(x) in float64, cast back: the series lose digits to cancellation that
    float32 (or float16) arithmetic could not afford."""
    if x.dtype == numpy.float64:
        return compute(x)
    return compute(x.astype(numpy.float64)).astype(x.dtype)


class Lgamma(Function):
    """log|Gamma(x)|."""
    saves_outputs = False

    def forward(self, x):
        return _in_float64(_lgamma_array, x)

    def backward(self, gy):
        return gy * digamma(self.inputs[0])  # d lgamma(x) = psi(x) dx


class Digamma(Function):
    """psi(x) = d lgamma(x) / dx."""
    saves_outputs = False

    def forward(self, x):
        return _in_float64(_digamma_array, x)

    def backward(self, gy):
        return gy * polygamma(1, self.inputs[0])  # d psi(x) = psi'(x) dx


class Polygamma(Function):
    """psi^(n)(x), the n-th derivative of the digamma function (n >= 1)."""
    saves_outputs = False

    def __init__(self, n):
        self.n = n

    def forward(self, x):
        return _in_float64(lambda x64: _polygamma_array(self.n, x64), x)

    def backward(self, gy):
        return gy * polygamma(self.n + 1, self.inputs[0])


def _erf_array(x, exact, complement=False):
    """erf(x), or erfc(x) = 1 - erf(x), of a float64 array: exact (math.erf / math.erfc
    per element), or from the vectorised fit ``backend.erf_approximation`` (1.2e-7
    relative in erfc, since 1 - erf keeps erfc's digits in float64), enough for float32."""
    if exact:
        function = math.erfc if complement else math.erf
        return numpy.asarray(numpy.frompyfunc(function, 1, 1)(x), dtype=numpy.float64)
    erf_x = backend.erf_approximation(x)
    return 1 - erf_x if complement else erf_x


def _erfinv_guess(a, xp):
    """erfinv(a) for 0 <= a < 1 to about 1e-7 relative: M. Giles' single-precision
    polynomials in w = -log(1 - a^2) ("Approximating the erfinv function", 2010)."""
    with numpy.errstate(divide="ignore"):
        w = -xp.log((1 - a) * (1 + a))
    central = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
               -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    tail = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
            -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    u, v = w - 2.5, xp.sqrt(w) - 3
    p, q = xp.zeros_like(a), xp.zeros_like(a)
    for c_central, c_tail in zip(central, tail):   # Horner's rule
        p, q = p * u + c_central, q * v + c_tail
    return xp.where(w < 5, p, q) * a


class Erfinv(Function):
    """The inverse of erf on (-1, 1); +-inf at +-1, nan outside.

    Giles' approximation, then Newton steps on erf(x) = a (a = |y|), which make it
    exact to float64 rounding.  For a >= 1/2 they solve log erfc(x) = log(1 - a)
    instead: 1 - a is exact there, erfc keeps its relative precision, and the log
    is nearly quadratic in x, so the steps converge fast also in the far tail,
    beyond the range of Giles' polynomials (1 - a < 6e-8).
    """
    saved_inputs = ()   # backward reuses the output

    def forward(self, y):
        if backend.is_cupy_array(y):
            import cupyx.scipy.special
            return cupyx.scipy.special.erfinv(y)
        if y.dtype != numpy.float64:   # in float64 with the fast erf: exact enough for float32
            return _solve_erfinv(y.astype(numpy.float64), exact=False).astype(y.dtype)
        return _solve_erfinv(y, exact=True)

    def backward(self, gy):
        x = self.saved_output()  # d erfinv(y) = sqrt(pi) / 2 exp(erfinv(y)^2) dy
        return gy * exp(x * x) * (math.sqrt(math.pi) / 2)


def _solve_erfinv(y, exact):
    """erfinv of a float64 NumPy array (see Erfinv)."""
    a = numpy.abs(y)
    inside = a < 1
    a_in = numpy.where(inside, a, 0.0)
    x = _erfinv_guess(a_in, numpy)
    slope = 2 / math.sqrt(math.pi)
    far = a_in >= 0.5
    near = ~far
    with numpy.errstate(divide="ignore", invalid="ignore"):
        log_q = numpy.log(1 - a_in[far])
        for _ in range(4):
            # Newton on a - erf(x) = 0, or on log erfc(x) - log(1 - a) = 0 for a >= 1/2
            residual = numpy.empty_like(x)
            residual[near] = a_in[near] - _erf_array(x[near], exact)
            erfc_far = _erf_array(x[far], exact, complement=True)
            residual[far] = (numpy.log(erfc_far) - log_q) * erfc_far
            x = x + residual / (slope * numpy.exp(-x * x))
    x = numpy.where(inside, x, numpy.where(a == 1, numpy.inf, numpy.nan))
    return numpy.copysign(x, y)


def _float_input(x):
    if x.dtype.kind not in "fc":
        return x.to(dtype=numpy.float32)
    return x


def lgamma(x):
    return Lgamma()(_float_input(x))


def digamma(x):
    return Digamma()(_float_input(x))


def polygamma(n, x):
    """psi^(n)(x); polygamma(0, x) is digamma(x)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative integer, got {n!r}")
    if n == 0:
        return digamma(x)
    return Polygamma(int(n))(_float_input(x))


def erfinv(x):
    return Erfinv()(_float_input(x))


# ----------------------------------------------------------------------------
# Piecewise ops: the gradient is a fixed mask (so their second derivative is 0)
# ----------------------------------------------------------------------------
class Abs(Function):
    saved_inputs, saves_outputs = (), False   # forward keeps sign(x), a copy

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.sign = xp.sign(x)
        return xp.abs(x)

    def backward(self, gy):
        return gy * Tensor(self.sign)  # d|x| = sign(x) dx (0 at x = 0, as PyTorch)


class Clamp(Function):
    saved_inputs, saves_outputs = (), False   # forward keeps the mask, a copy

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        xp = backend.get_array_module(x)
        inside = xp.ones(x.shape, dtype=bool)
        if self.low is not None:
            inside &= x >= self.low
        if self.high is not None:
            inside &= x <= self.high
        self.inside = inside.astype(x.dtype)
        return xp.clip(x, self.low, self.high)

    def backward(self, gy):
        return gy * Tensor(self.inside)  # gradient passes where the value was not clipped


class Maximum(Broadcasting):
    """max(a, b) elementwise; on ties each side gets half the gradient (as PyTorch)."""
    pick = "greater"
    saved_inputs = ()   # forward keeps each side's share, a copy

    def forward(self, a, b):
        xp = backend.get_array_module(a)
        a_wins = getattr(xp, self.pick)(a, b)
        share_a = a_wins + 0.5 * (a == b)
        self.share_a = xp.broadcast_to(share_a, xp.broadcast_shapes(a.shape, b.shape)).astype(
            xp.result_type(a, b))
        return xp.where(a_wins, a, b)

    def backward_for(self, wanted, gy):
        a, b = self.inputs
        share_a = Tensor(self.share_a)
        ga = sum_to(gy * share_a, a.shape) if wanted[0] else None
        gb = sum_to(gy * (1 - share_a), b.shape) if wanted[1] else None
        return ga, gb


class Minimum(Maximum):
    pick = "less"


class Where(Function):
    """where(condition, a, b): a where the condition holds, else b."""
    saved_inputs, saves_outputs = (), False

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        return backend.get_array_module(a).where(self.condition, a, b)

    def backward_for(self, wanted, gy):
        a, b = self.inputs
        zero = constant_like(0, gy)
        ga = sum_to(where(self.condition, gy, zero), a.shape) if wanted[0] else None
        gb = sum_to(where(self.condition, zero, gy), b.shape) if wanted[1] else None
        return ga, gb


def abs(x):
    return Abs()(x)


def clamp(x, min=None, max=None):
    """x limited to [min, max]; a bound may be a number or a tensor (then elementwise)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):   # tensor bounds: gradients to them too
        if min is not None:
            x = maximum(x, min)
        return x if max is None else minimum(x, max)
    return Clamp(min, max)(x)


def lerp(start, end, weight):
    """start + weight * (end - start)."""
    return start + (end - start) * weight


clip = clamp


def maximum(a, b):
    return Maximum()(*operands(a, b))


def minimum(a, b):
    return Minimum()(*operands(a, b))


def where(condition, a=None, b=None):
    """where(condition, a, b): a where the condition holds, else b.  With the condition
    alone, the indices where it holds, one tensor per dim (torch.where(mask))."""
    if a is None and b is None:
        from .reduce import nonzero   # reduce imports this module, so not at the top
        return nonzero(condition if isinstance(condition, Tensor) else Tensor(condition), as_tuple=True)
    like = a if isinstance(a, Tensor) else b
    if not isinstance(like, Tensor):
        raise TypeError("where: a or b must be a Tensor")
    condition = condition.array if isinstance(condition, Tensor) else condition
    a, b = operands(a, b)
    xp = backend.get_array_module(a.array)
    # a copy of the condition: changing the mask tensor later must not change the gradient
    return Where(xp.array(condition, dtype=bool))(a, b)


def sign(x):
    """sign(x) as a constant: its derivative is zero wherever it exists."""
    return Tensor(backend.get_array_module(x.array).sign(x.array))


def _step_function(name):
    """floor, ceil, round, trunc: piecewise constant, so their gradient is zero
    (as in PyTorch); the result is a constant of x's dtype."""
    def rounded(x):
        return Tensor(getattr(backend.get_array_module(x.array), name)(x.array))
    rounded.__name__ = name
    return rounded


floor, ceil, trunc = _step_function("floor"), _step_function("ceil"), _step_function("trunc")
round = _step_function("round")  # noqa: A001 - torch.round; halves to even, as PyTorch


def remainder(a, b):
    """a - floor(a / b) * b: the result has b's sign (Python's %, torch.remainder)."""
    a, b = operands(a, b)
    return a - floor(a / b) * b


def fmod(a, b):
    """a - trunc(a / b) * b: the result has a's sign (C's fmod, torch.fmod)."""
    a, b = operands(a, b)
    return a - trunc(a / b) * b


# ----------------------------------------------------------------------------
# Copies, casts, device moves
# ----------------------------------------------------------------------------
class Clone(Function):
    saved_inputs, saves_outputs = (), False

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


class Cast(Function):
    saved_inputs, saves_outputs = (), False

    def __init__(self, dtype):
        self.dtype = numpy.dtype(dtype)

    def forward(self, x):
        self.input_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return cast(gy, self.input_dtype)


class ToDevice(Function):
    saved_inputs, saves_outputs = (), False

    def __init__(self, device):
        self.device = device

    def forward(self, x):
        self.input_device = backend.device_of(x)
        return backend.to_device(x, self.device)

    def backward(self, gy):
        return to_device(gy, self.input_device)


def clone(x):
    return Clone()(x)


def cast(x, dtype):
    if numpy.dtype(dtype) == x.dtype:
        return x
    if numpy.dtype(dtype).kind not in "fc" and x.requires_grad:
        return Tensor(x.array.astype(dtype))  # an integer result has no gradient
    return Cast(dtype)(x)


def to_device(x, device):
    return ToDevice(backend.normalize_device(device))(x)


# ----------------------------------------------------------------------------
# Comparisons and logic: boolean results, outside the graph
# ----------------------------------------------------------------------------
_COMPARISONS = {
    "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
    "eq": "equal", "ne": "not_equal", "and": "logical_and", "or": "logical_or",
}


def compare(kind, a, b):
    """a < b, a == b, ... as a bool Tensor."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        return NotImplemented
    a, b = operands(a, b)
    xp = backend.get_array_module(a.array)
    try:
        return Tensor(getattr(xp, _COMPARISONS[kind])(a.array, b.array))
    except ValueError as err:
        raise ValueError(f"{kind}: cannot broadcast shapes {a.shape} and {b.shape}") from err


def logical_not(x):
    return Tensor(backend.get_array_module(x.array).logical_not(x.array))


def _logical(kind, a, b):
    """a and/or/xor b elementwise, as a bool Tensor: non-zero counts as True (as PyTorch)."""
    if not isinstance(a, Tensor):
        raise TypeError(f"logical_{kind}: expected a Tensor, got {type(a).__name__}")
    b_array = b.array if isinstance(b, Tensor) else b
    xp = backend.get_array_module(a.array)
    try:
        return Tensor(getattr(xp, f"logical_{kind}")(a.array, b_array))
    except ValueError as err:
        raise ValueError(f"logical_{kind}: cannot broadcast shapes {a.shape} and "
                         f"{tuple(getattr(b_array, 'shape', ()))}") from err


def logical_and(a, b):
    return _logical("and", a, b)


def logical_or(a, b):
    return _logical("or", a, b)


def logical_xor(a, b):
    return _logical("xor", a, b)


def isinf(x):
    return Tensor(backend.get_array_module(x.array).isinf(x.array))


def isposinf(x):
    xp = backend.get_array_module(x.array)
    return Tensor(xp.isinf(x.array) & (x.array > 0))


def isneginf(x):
    xp = backend.get_array_module(x.array)
    return Tensor(xp.isinf(x.array) & (x.array < 0))


def eq(a, b):
    return compare("eq", a, b)


def ne(a, b):
    return compare("ne", a, b)


def lt(a, b):
    return compare("lt", a, b)


def le(a, b):
    return compare("le", a, b)


def gt(a, b):
    return compare("gt", a, b)


def ge(a, b):
    return compare("ge", a, b)


def isfinite(x):
    return Tensor(backend.get_array_module(x.array).isfinite(x.array))


def isnan(x):
    return Tensor(backend.get_array_module(x.array).isnan(x.array))


def allclose(a, b, rtol=1e-5, atol=1e-8):
    a, b = operands(a, b)
    return bool(backend.get_array_module(a.array).allclose(a.array, b.array, rtol=rtol, atol=atol))


def masked_fill(x, mask, value):
    """x with ``value`` wherever the boolean ``mask`` (broadcast against x) is True."""
    mask_array = mask.array if isinstance(mask, Tensor) else mask
    if getattr(mask_array, "dtype", None) != numpy.bool_:
        raise TypeError(f"masked_fill: expected a boolean mask, got {getattr(mask_array, 'dtype', type(mask_array))}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: only a 0-dim value tensor is supported, got shape {tuple(value.shape)}")
    if isinstance(value, Tensor):
        value = value.to(dtype=x.dtype)
    out = where(mask_array, value, x)
    if out.shape != x.shape:
        raise ValueError(f"masked_fill: mask of shape {tuple(mask_array.shape)} does not broadcast "
                         f"to the input's shape {tuple(x.shape)}")
    return out
