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


def _grad_or_none(self, index, grad, shape):
    return sum_to(grad, shape) if self.needs_input_grad[index] else None


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

    def backward(self, gy):
        a, b = self.inputs
        return _grad_or_none(self, 0, gy, a.shape), _grad_or_none(self, 1, gy, b.shape)


class Sub(Broadcasting):
    saved_inputs = ()

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        a, b = self.inputs
        gb = sum_to(-gy, b.shape) if self.needs_input_grad[1] else None
        return _grad_or_none(self, 0, gy, a.shape), gb


class Mul(Bilinear, Broadcasting):
    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs  # d(ab) = b da + a db
        ga = sum_to(gy * b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(gy * a, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Div(Broadcasting):
    def forward(self, a, b):
        return a / b

    def inputs_read_by_backward(self, needs_input_grad):
        return [0, 1] if needs_input_grad[1] else [1]   # a's gradient reads only b

    def backward(self, gy):
        a, b = self.inputs  # d(a/b) = da / b - a db / b^2
        ga = sum_to(gy / b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(-gy * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Pow(Broadcasting):
    saves_outputs = True   # b's gradient reuses a^b

    def forward(self, a, b):
        return a ** b

    def backward(self, gy):
        a, b = self.inputs  # d(a^b) = b a^(b-1) da + a^b log(a) db
        ga = sum_to(gy * b * a ** (b - 1), a.shape) if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:
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

    def backward(self, gy):
        a, b = self.inputs
        share_a = Tensor(self.share_a)
        ga = sum_to(gy * share_a, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(gy * (1 - share_a), b.shape) if self.needs_input_grad[1] else None
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

    def backward(self, gy):
        a, b = self.inputs
        zero = constant_like(0, gy)
        ga = sum_to(where(self.condition, gy, zero), a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(where(self.condition, zero, gy), b.shape) if self.needs_input_grad[1] else None
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
        from .reduce import nonzero
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
