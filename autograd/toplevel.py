"""Functions PyTorch has at top level, with PyTorch's extra arguments.

The ops in ``autograd/ops`` take what their mathematics needs.  PyTorch's
top-level functions also take ``out=`` (write the result into an existing
tensor), ``alpha=`` and the like; the wrappers here add those and call the op.
Random functions that PyTorch has at top level (``normal``, ``bernoulli``,
``multinomial``) are here too.
"""
import math

import numpy

from . import backend, creation
from .grad_mode import STATE, no_grad
from .ops import elementwise, linalg, shape
from .tensor import DEFAULT_PRINT_OPTIONS, PRINT_OPTIONS, Tensor

pi, e, inf, nan = math.pi, math.e, math.inf, math.nan


def write_out(result, out):
    """The result, or (with ``out=``) the tensor ``out`` holding it, as PyTorch does:
    out is resized if its shape differs, and out= never takes part in autograd."""
    if out is None:
        return result
    if STATE.grad_enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one "
                           "of the arguments requires grad")
    if out.shape == result.shape:
        out.array[...] = result.array
    else:
        out.array = result.array.astype(out.dtype, copy=True)
    out._bump_version()
    return out


def add(input, other, *, alpha=1, out=None):
    return write_out(elementwise.add(input, other if alpha == 1 else other * alpha), out)


def sub(input, other, *, alpha=1, out=None):
    return write_out(elementwise.sub(input, other if alpha == 1 else other * alpha), out)


def mul(input, other, *, out=None):
    return write_out(elementwise.mul(input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    result = elementwise.div(input, other)
    if rounding_mode == "floor":
        result = elementwise.floor(result)
    elif rounding_mode == "trunc":
        result = elementwise.trunc(result)
    elif rounding_mode is not None:
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    return write_out(result, out)


def matmul(input, other, *, out=None):
    return write_out(linalg.matmul(input, other), out)


def cat(tensors, dim=0, *, out=None):
    return write_out(shape.cat(tensors, dim), out)


def t(input):
    return input.t()


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def isclose(input, other, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = elementwise.operands(input, other)
    xp = backend.get_array_module(a.array)
    return Tensor(xp.isclose(a.array, b.array, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    """True when both have the same shape and the same values."""
    return input.shape == other.shape and bool((input.array == other.array).all())


def empty_like(input, dtype=None, device=None, requires_grad=False):
    return creation.zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, dtype=None, device=None):
    if high is None:
        low, high = 0, low
    return creation.randint(low, high, input.shape, dtype=dtype or input.dtype,
                            device=device or input.device)


# ----------------------------------------------------------------------------
# Random draws that PyTorch has at top level
# ----------------------------------------------------------------------------
def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None):
    """Samples N(mean, std^2): mean and std may be tensors (elementwise) or numbers with ``size``."""
    if size is not None:
        return creation.randn(*size, dtype=dtype, device=device) * std + mean
    like = mean if isinstance(mean, Tensor) else std
    if not isinstance(like, Tensor):
        raise TypeError("normal: give size, or a tensor mean or std")
    shape_ = numpy.broadcast_shapes(getattr(mean, "shape", ()), getattr(std, "shape", ()))
    noise = creation.randn(*shape_, dtype=like.dtype, device=like.device)
    with no_grad():
        return noise * std + mean


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (elementwise), else 0, in input's dtype; no gradient."""
    xp = backend.get_array_module(input.array)
    probabilities = input.array if p is None else xp.full(input.shape, p)
    draw = backend.rng(xp).random(input.shape) < probabilities
    return Tensor(draw.astype(input.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn with probability proportional to the rows of ``input`` (1-D or 2-D)."""
    xp = backend.get_array_module(input.array)
    weights = backend.to_numpy(input.array).astype(numpy.float64)
    rows = weights.reshape(-1, weights.shape[-1]) if weights.ndim else weights.reshape(1, 1)
    if (rows < 0).any() or not numpy.isfinite(rows).all() or (rows.sum(axis=1) <= 0).any():
        raise ValueError("multinomial: probabilities must be finite, non-negative and not all zero")
    if not replacement and num_samples > rows.shape[1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from {rows.shape[1]} categories")
    generator = backend.rng(numpy)
    drawn = numpy.stack([generator.choice(rows.shape[1], num_samples, replace=replacement,
                                          p=row / row.sum()) for row in rows])
    drawn = drawn.reshape(weights.shape[:-1] + (num_samples,)).astype(numpy.int64)
    return Tensor(backend.to_device(drawn, backend.device_of(input.array)) if xp is not numpy else drawn)


# ----------------------------------------------------------------------------
# Number formats and the default dtype
# ----------------------------------------------------------------------------
def finfo(dtype=None):
    """Limits of a floating dtype (eps, tiny, max, min), as numpy.finfo gives them."""
    return numpy.finfo(numpy.dtype(dtype or creation.DEFAULT_FLOAT))


def iinfo(dtype):
    return numpy.iinfo(numpy.dtype(dtype))


def get_default_dtype():
    return creation.DEFAULT_FLOAT


def set_default_dtype(dtype):
    """The dtype new floating tensors and layers get (float32 unless changed)."""
    dtype = numpy.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {dtype}")
    creation.DEFAULT_FLOAT = dtype


# ----------------------------------------------------------------------------
# Printing, threads, seeds
# ----------------------------------------------------------------------------
_PRINT_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3},
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """How tensors print, as torch.set_printoptions: ``precision`` decimals (4), at most
    ``threshold`` elements before eliding with '...' (1000), ``edgeitems`` shown at each
    end when eliding (3), ``linewidth`` characters per line; ``profile`` 'default',
    'short' or 'full' sets the first three at once; ``sci_mode`` True/False forces or
    forbids scientific notation (None: automatic)."""
    if profile is not None:
        if profile not in _PRINT_PROFILES:
            raise ValueError(f"set_printoptions: profile must be 'default', 'short' or 'full', "
                             f"got {profile!r}")
        PRINT_OPTIONS.update(_PRINT_PROFILES[profile], linewidth=DEFAULT_PRINT_OPTIONS["linewidth"])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"set_printoptions: {name} must be a non-negative number, got {value!r}")
            PRINT_OPTIONS[name] = value
    PRINT_OPTIONS["sci_mode"] = sci_mode   # as in PyTorch, leaving it out resets it to automatic


def set_num_threads(n):
    """Limit the BLAS thread pool (matrix products, convolutions) to ``n`` threads, for
    the rest of the process (through threadpoolctl)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, got {n!r}")
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=n, user_api="blas")


def get_num_threads():
    """The number of threads the BLAS pool uses (the largest, if several libraries are loaded)."""
    from threadpoolctl import threadpool_info
    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else 1


def seed():
    """Seed the random generators with a fresh non-deterministic seed and return it."""
    value = int(numpy.random.SeedSequence().entropy % (2 ** 63))
    creation.manual_seed(value)
    return value


def initial_seed():
    """The seed of the random generators (from manual_seed or seed).  If neither was
    called yet, the generators are seeded now with a fresh seed, so that the number
    returned does describe the draws from here on."""
    return backend._seed if backend._seed is not None else seed()


def is_nonzero(input):
    """The truth of a one-element tensor; an error for any other number of elements."""
    if input.numel() != 1:
        what = "no values" if input.numel() == 0 else "more than one value"
        raise RuntimeError(f"is_nonzero: Boolean value of Tensor with {what} is ambiguous "
                           f"(shape {tuple(input.shape)})")
    return bool(input.item())
