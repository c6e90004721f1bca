"""Reductions (sum, mean, var, max/min, logsumexp, norm) and softmax along a dim.

Every reduction takes ``dim`` (None for all dims, an int, or a tuple) and
``keepdim``.  Backward first puts the reduced dims back as size 1 (``kept``),
so that the gradient broadcasts against the input.
"""
import builtins
import collections
import math
import warnings

import numpy

from .. import backend
from ..function import Function
from ..tensor import Tensor
from . import elementwise
from .shape import (broadcast_to, flip, gather, getitem, narrow, normalize_dim, normalize_dims,
                    reshape, stack, unbind)


def _kept_shape(shape, dims):
    """``shape`` with every reduced dim set to 1 (the keepdim=True shape)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _reduced_shape(shape, dims, keepdim):
    if keepdim:
        return _kept_shape(shape, dims)
    return tuple(s for i, s in enumerate(shape) if i not in dims)


class Sum(Function):
    saved_inputs, saves_outputs = (), False

    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        self.input_shape = x.shape
        xp = backend.get_array_module(x)
        return xp.asarray(x.sum(axis=self.dims, keepdims=self.keepdim))

    def backward(self, gy):
        # every input element contributed once: copy the gradient back over the reduced dims
        kept = reshape(gy, _kept_shape(self.input_shape, self.dims))
        return broadcast_to(kept, self.input_shape)


def sum(x, dim=None, keepdim=False):
    return Sum(normalize_dims(dim, x.ndim, "sum"), keepdim)(x)


def _count(x, dims):
    return math.prod(x.shape[d] for d in dims)


def mean(x, dim=None, keepdim=False):
    dims = normalize_dims(dim, x.ndim, "mean")
    return sum(x, dims, keepdim) / _count(x, dims)


def var(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """Sample variance: sum((x - mean)^2) / (n - correction); unbiased means correction 1.
    ``var(x, False)`` is unbiased=False, as in PyTorch."""
    dim, unbiased = _var_arguments(dim, unbiased)
    dims = normalize_dims(dim, x.ndim, "var")
    if correction is None:
        correction = 1 if unbiased else 0
    centred = x - mean(x, dims, keepdim=True)
    return sum(centred * centred, dims, keepdim) / builtins.max(_count(x, dims) - correction, 0)


def std(x, dim=None, unbiased=True, keepdim=False, correction=None):
    dim, unbiased = _var_arguments(dim, unbiased)
    return root(var(x, dim, unbiased, keepdim, correction), 2)


# ----------------------------------------------------------------------------
# max and min: the gradient goes to the selected element(s)
# ----------------------------------------------------------------------------
class Extremum(Function):
    """The largest (or smallest) value over ``dims``.

    The backward multiplies the incoming gradient by ``weights``, a fixed array
    that says which elements were selected: with ``split_ties`` every tied
    maximum gets an equal share (``amax``, and ``max()`` over all dims, as
    PyTorch); otherwise only the first one found by argmax (``max(dim)``).
    """
    saved_inputs, saves_outputs = (), False

    def __init__(self, dims, keepdim, largest, split_ties):
        self.dims, self.keepdim = dims, keepdim
        self.largest, self.split_ties = largest, split_ties

    def forward(self, x):
        xp = backend.get_array_module(x)
        kept = _kept_shape(x.shape, self.dims)
        if self.split_ties:
            best = (xp.amax if self.largest else xp.amin)(x, axis=self.dims, keepdims=True)
            chosen = x == best
            self.weights = chosen / chosen.sum(axis=self.dims, keepdims=True).astype(x.dtype)
        else:  # one dim: pick the index argmax finds
            dim, = self.dims
            pick = xp.argmax if self.largest else xp.argmin
            self.indices = pick(x, axis=dim).reshape(kept)
            best = xp.take_along_axis(x, self.indices, axis=dim)
            positions = xp.arange(x.shape[dim]).reshape([-1 if i == dim else 1 for i in range(x.ndim)])
            self.weights = (positions == self.indices).astype(x.dtype)
        self.kept = kept
        return best.reshape(_reduced_shape(x.shape, self.dims, self.keepdim))

    def backward(self, gy):
        return reshape(gy, self.kept) * Tensor(self.weights)


MinMax = collections.namedtuple("MinMax", ["values", "indices"])


def _extremum(x, dim, keepdim, largest):
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        return (elementwise.maximum if largest else elementwise.minimum)(x, dim)
    if dim is None:
        return Extremum(normalize_dims(None, x.ndim), keepdim, largest, split_ties=True)(x)
    if x.ndim == 0:
        return MinMax(x, Tensor(backend.get_array_module(x.array).asarray(0)))
    dims = (normalize_dim(dim, x.ndim, "max" if largest else "min"),)
    op = Extremum(dims, keepdim, largest, split_ties=False)
    values = op(x)
    indices = op.indices if keepdim else op.indices.reshape(values.shape)
    return MinMax(values, Tensor(indices))


def max(x, dim=None, keepdim=False):
    """max over all elements, or (values, indices) along ``dim``, or maximum(x, other)."""
    return _extremum(x, dim, keepdim, largest=True)


def min(x, dim=None, keepdim=False):
    return _extremum(x, dim, keepdim, largest=False)


def amax(x, dim=None, keepdim=False):
    return Extremum(normalize_dims(dim, x.ndim, "amax"), keepdim, True, split_ties=True)(x)


def amin(x, dim=None, keepdim=False):
    return Extremum(normalize_dims(dim, x.ndim, "amin"), keepdim, False, split_ties=True)(x)


def argmax(x, dim=None, keepdim=False):
    xp = backend.get_array_module(x.array)
    if dim is None:
        return Tensor(xp.asarray(xp.argmax(x.array)))
    return Tensor(xp.argmax(x.array, axis=normalize_dim(dim, x.ndim, "argmax"), keepdims=keepdim))


def argmin(x, dim=None, keepdim=False):
    xp = backend.get_array_module(x.array)
    if dim is None:
        return Tensor(xp.asarray(xp.argmin(x.array)))
    return Tensor(xp.argmin(x.array, axis=normalize_dim(dim, x.ndim, "argmin"), keepdims=keepdim))


# ----------------------------------------------------------------------------
# logsumexp and softmax, computed stably by subtracting the maximum first
# ----------------------------------------------------------------------------
def _stable_logsumexp(x, dims):
    """log(sum(exp(x))) over dims with keepdims, shifted by the max so exp cannot overflow."""
    xp = backend.get_array_module(x)
    shift = xp.amax(x, axis=dims, keepdims=True)
    shift = xp.where(xp.isfinite(shift), shift, 0)
    return xp.log(xp.exp(x - shift).sum(axis=dims, keepdims=True)) + shift


class LogSumExp(Function):
    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        self.kept = _kept_shape(x.shape, self.dims)
        y = _stable_logsumexp(x, self.dims)
        return y if self.keepdim else y.reshape(_reduced_shape(x.shape, self.dims, False))

    def backward(self, gy):
        # d logsumexp(x) / dx = softmax(x) = exp(x - logsumexp(x))
        x = self.inputs[0]
        y = reshape(self.saved_output(), self.kept)
        return reshape(gy, self.kept) * elementwise.exp(x - y)


class Softmax(Function):
    saved_inputs = ()   # backward reads only the output

    def __init__(self, dims):
        self.dims = dims  # one dim, or none for a 0-d tensor

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.exp(x - _stable_logsumexp(x, self.dims))

    def backward(self, gy):
        # dx = y * (gy - sum(gy * y)): the Jacobian diag(y) - y y^T applied to gy
        y = self.saved_output()
        return y * (gy - sum(gy * y, self.dims, keepdim=True))


class LogSoftmax(Function):
    saved_inputs = ()

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x - _stable_logsumexp(x, self.dims)

    def backward(self, gy):
        # y = x - logsumexp(x)  =>  dx = gy - softmax(x) * sum(gy)
        y = self.saved_output()
        return gy - elementwise.exp(y) * sum(gy, self.dims, keepdim=True)


def logsumexp(x, dim, keepdim=False):
    return LogSumExp(normalize_dims(dim, x.ndim, "logsumexp"), keepdim)(x)


def _one_dim(dim, x, op):
    if dim is None:   # old PyTorch code leaves it out; PyTorch then picks one, with a warning
        dim = 0 if x.ndim in (0, 1, 3) else 1
        warnings.warn(f"{op}: implicit dimension choice is deprecated; pass dim (dim={dim} used, "
                      "as PyTorch does)", UserWarning, stacklevel=3)
    return normalize_dims(dim, x.ndim, op)


def softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype=dtype)
    return Softmax(_one_dim(dim, x, "softmax"))(x)


def log_softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype=dtype)
    return LogSoftmax(_one_dim(dim, x, "log_softmax"))(x)


# ----------------------------------------------------------------------------
# Norms, as compositions of the ops above
# ----------------------------------------------------------------------------
class Root(Function):
    """y = s^(1/p) for s >= 0, the last step of a p-norm or a standard deviation.

    The true derivative y / (p s) is infinite at s = 0 (a zero vector, a constant
    row); like PyTorch we give those elements gradient 0 instead of NaN.
    """

    def __init__(self, p):
        self.p = p

    def forward(self, s):
        xp = backend.get_array_module(s)
        return xp.sqrt(s) if self.p == 2 else s ** (1.0 / self.p)

    def backward(self, gy):
        s, y = self.inputs[0], self.saved_output()
        at_zero = s.array == 0
        safe_s = elementwise.where(at_zero, 1.0, s)
        return elementwise.where(at_zero, 0.0, gy * y / (safe_s * self.p))


def root(s, p):
    return Root(p)(s)


def norm(x, p=2, dim=None, keepdim=False):
    """The p-norm (sum |x|^p)^(1/p); p may be 1, 2, 'fro', inf or any positive number."""
    if p in (2, "fro"):
        return root(sum(x * x, dim, keepdim), 2)
    if p == 1:
        return sum(elementwise.abs(x), dim, keepdim)
    if p == math.inf:
        return amax(elementwise.abs(x), dim, keepdim)
    if isinstance(p, (int, float)) and p > 0:
        return root(sum(elementwise.abs(x) ** p, dim, keepdim), p)
    raise ValueError(f"norm: unsupported p={p!r}; use a positive number, 'fro' or inf")


# ----------------------------------------------------------------------------
# Running sums and products along a dim
# ----------------------------------------------------------------------------
class CumSum(Function):
    """y_i = x_0 + ... + x_i along ``dim``; each x_i reaches every y_j with j >= i, so its
    gradient is the sum of gy_j over j >= i: a running sum taken from the end."""
    saved_inputs, saves_outputs = (), False

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        return backend.get_array_module(x).cumsum(x, axis=self.dim, dtype=_scan_dtype(x))

    def backward(self, gy):
        return flip(CumSum(self.dim)(flip(gy, self.dim)), self.dim)


def _scan_dtype(x):
    """Integers and booleans add up in int64, as PyTorch; floats keep their dtype."""
    return x.dtype if x.dtype.kind in "fc" else numpy.int64


def cumsum(x, dim, dtype=None):
    if dtype is not None:
        x = x.to(dtype=dtype)
    return CumSum(normalize_dim(dim, x.ndim, "cumsum"))(x)


class CumProd(Function):
    """y_i = x_0 * ... * x_i along ``dim``.

    dy_j / dx_i = y_j / x_i for j >= i, so without zeros the gradient is
    (sum over j >= i of gy_j y_j) / x_i.  Where x has zeros that division is
    undefined, and backward uses the exact form instead:
    gx_i = (x_0 ... x_{i-1}) * sum_{j >= i} gy_j (x_{i+1} ... x_j), with the
    second factor R_i = gy_i + x_{i+1} R_{i+1} computed from the end.
    """

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        return backend.get_array_module(x).cumprod(x, axis=self.dim, dtype=_scan_dtype(x))

    def backward(self, gy):
        x, y, dim = self.inputs[0], self.saved_output(), self.dim
        if not bool((x.array == 0).any()):
            return flip(cumsum(flip(gy * y, dim), dim), dim) / x
        return _cumprod_grad_with_zeros(x, gy, dim)


def _cumprod_grad_with_zeros(x, gy, dim):
    xs, gys = unbind(x, dim), unbind(gy, dim)
    n = len(xs)
    before = [None] * n          # x_0 ... x_{i-1}
    running = elementwise.constant_like(1.0, x)
    for i in range(n):
        before[i] = running
        running = running * xs[i]
    after = [None] * n           # R_i
    after[n - 1] = gys[n - 1]
    for i in range(n - 2, -1, -1):
        after[i] = gys[i] + xs[i + 1] * after[i + 1]
    return stack([b * a for b, a in zip(before, after)], dim)


def cumprod(x, dim, dtype=None):
    if dtype is not None:
        x = x.to(dtype=dtype)
    return CumProd(normalize_dim(dim, x.ndim, "cumprod"))(x)


def prod(x, dim=None, keepdim=False, dtype=None):
    """The product over ``dim`` (all elements if None): the last entry of a running
    product, so the gradient is exact where x has zeros too."""
    if dim is None:
        flat = reshape(x, (-1,))
        if flat.shape[0] == 0:
            return elementwise.constant_like(1.0, x)
        total = getitem(cumprod(flat, 0, dtype), -1)
        return reshape(total, (1,) * x.ndim) if keepdim else total
    dim = normalize_dim(dim, x.ndim, "prod")
    last = getitem(cumprod(x, dim, dtype), (slice(None),) * dim + (slice(-1, None),))
    return last if keepdim else reshape(last, last.shape[:dim] + last.shape[dim + 1:])


def any(x, dim=None, keepdim=False):  # noqa: A001 - torch.any
    xp = backend.get_array_module(x.array)
    axis = None if dim is None else normalize_dim(dim, x.ndim, "any")
    return Tensor(xp.asarray(xp.any(x.array, axis=axis, keepdims=keepdim)))


def all(x, dim=None, keepdim=False):  # noqa: A001 - torch.all
    xp = backend.get_array_module(x.array)
    axis = None if dim is None else normalize_dim(dim, x.ndim, "all")
    return Tensor(xp.asarray(xp.all(x.array, axis=axis, keepdims=keepdim)))


# ----------------------------------------------------------------------------
# Sorting: the values are the input gathered at the sorted positions, so their
# gradient goes back to where each value came from
# ----------------------------------------------------------------------------
SortResult = collections.namedtuple("SortResult", ["values", "indices"])


def argsort(x, dim=-1, descending=False):
    xp = backend.get_array_module(x.array)
    dim = normalize_dim(dim, x.ndim, "argsort")
    order = xp.argsort(-x.array if descending else x.array, axis=dim, kind="stable")
    return Tensor(order.astype(numpy.int64))


def sort(x, dim=-1, descending=False):
    if x.ndim == 0:
        return SortResult(x, Tensor(backend.get_array_module(x.array).asarray(0)))
    indices = argsort(x, dim, descending)
    return SortResult(gather(x, dim, indices), indices)


def topk(x, k, dim=-1, largest=True, sorted=True):
    dim = normalize_dim(dim, x.ndim, "topk")
    if not 0 <= k <= x.shape[dim]:
        raise ValueError(f"topk: k ({k}) must be between 0 and the size of dim {dim} ({x.shape[dim]})")
    indices = narrow(argsort(x, dim, descending=largest), dim, 0, k)
    return SortResult(gather(x, dim, indices), indices)


def nonzero(x, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D
    tensor per dim with ``as_tuple`` (what ``torch.where(condition)`` returns)."""
    xp = backend.get_array_module(x.array)
    found = xp.nonzero(x.array.reshape(1) if x.ndim == 0 else x.array)
    if as_tuple:
        return tuple(Tensor(i.astype(numpy.int64)) for i in found)
    return Tensor(xp.stack(found, axis=1).astype(numpy.int64) if found else xp.zeros((0, 0), numpy.int64))


# ----------------------------------------------------------------------------
# median, std_mean / var_mean, count_nonzero, aminmax
# ----------------------------------------------------------------------------
def median(x, dim=None, keepdim=False):
    """The lower median: the element at position (n - 1) // 2 once sorted.

    Over all elements a 0-d tensor; along ``dim`` (values, indices).  The gradient
    goes to the element chosen (one of them if several are equal)."""
    if dim is None:
        flat = reshape(x, (-1,))
        if flat.shape[0] == 0:
            raise RuntimeError("median: cannot compute the median of an empty tensor")
        order = argsort(flat, 0)
        chosen = narrow(order, 0, (flat.shape[0] - 1) // 2, 1)
        return reshape(gather(flat, 0, chosen), ())
    if x.ndim == 0:
        return MinMax(x, Tensor(backend.get_array_module(x.array).asarray(0)))
    dim = normalize_dim(dim, x.ndim, "median")
    if x.shape[dim] == 0:
        raise IndexError(f"median: dim {dim} of shape {x.shape} is empty")
    indices = narrow(argsort(x, dim), dim, (x.shape[dim] - 1) // 2, 1)
    values = gather(x, dim, indices)
    if not keepdim:
        values, indices = reshape(values, values.shape[:dim] + values.shape[dim + 1:]), \
            Tensor(indices.array.reshape(indices.shape[:dim] + indices.shape[dim + 1:]))
    return MinMax(values, indices)


def _var_arguments(dim, unbiased):
    """torch.var(x, True) means unbiased=True, not dim=1 (PyTorch's overload)."""
    if isinstance(dim, bool):
        return None, dim
    return dim, unbiased


def var_mean(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """(var(x), mean(x)) over ``dim``, with var's correction (1 by default)."""
    dim, unbiased = _var_arguments(dim, unbiased)
    return var(x, dim, unbiased, keepdim, correction), mean(x, normalize_dims(dim, x.ndim), keepdim)


def std_mean(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """(std(x), mean(x)) over ``dim``, with std's correction (1 by default)."""
    dim, unbiased = _var_arguments(dim, unbiased)
    return std(x, dim, unbiased, keepdim, correction), mean(x, normalize_dims(dim, x.ndim), keepdim)


def count_nonzero(x, dim=None):
    """The number of non-zero elements over ``dim`` (all if None), as int64."""
    xp = backend.get_array_module(x.array)
    dims = normalize_dims(dim, x.ndim, "count_nonzero")
    return Tensor(xp.asarray(xp.count_nonzero(x.array, axis=dims)).astype(numpy.int64))


AminMax = collections.namedtuple("AminMax", ["min", "max"])


def aminmax(x, *, dim=None, keepdim=False):
    """(amin(x), amax(x)) over ``dim`` (all elements if None)."""
    if x.numel() == 0:
        raise RuntimeError("aminmax: cannot compute on an empty tensor")
    return AminMax(amin(x, dim, keepdim), amax(x, dim, keepdim))
