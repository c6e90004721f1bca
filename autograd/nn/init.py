"""Weight initialisation, as torch.nn.init: each function fills a tensor in place.

Each accepts a Tensor (or a raw array such as ``layer.weight.array``) and
returns it.  The fan of a weight is computed as PyTorch does: for a Linear
weight (out, in) fan_in = in and fan_out = out; for a conv weight the
receptive field (KH * KW) multiplies both, with dim 1 as "in" and dim 0 as
"out" (so for ConvTranspose2d, whose weight is (in, out/groups, KH, KW), the
roles are swapped, exactly as in PyTorch).
"""
import math
import warnings

from .. import backend
from ..tensor import Tensor


def _array(tensor):
    return tensor.array if isinstance(tensor, Tensor) else tensor


def _fill(tensor, values):
    array = _array(tensor)
    array[...] = values
    if isinstance(tensor, Tensor):
        tensor._bump_version()   # an in-place change, as PyTorch counts it
    return tensor


def _rng_for(array):
    return backend.rng(backend.get_array_module(array))


def _empty_warning(tensor):
    """A tensor with no elements (Linear(0, 3)'s weight) has nothing to fill, and no
    fan to divide by: leave it, with PyTorch's warning."""
    warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps activations' variance steady through a nonlinearity."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = _array(tensor).shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need at least 2 dims, got shape {tuple(shape)}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0):
    array = _array(tensor)
    draw = _rng_for(array).random(array.shape)  # U[0, 1), spelled the same in NumPy and CuPy
    return _fill(tensor, a + (b - a) * draw)


def normal_(tensor, mean=0.0, std=1.0):
    array = _array(tensor)
    draw = _rng_for(array).standard_normal(array.shape)
    return _fill(tensor, mean + std * draw)


def constant_(tensor, val):
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def xavier_uniform_(tensor, gain=1.0):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio 2010)."""
    if _array(tensor).size == 0:
        return _empty_warning(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    if _array(tensor).size == 0:
        return _empty_warning(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """U(-b, b) with b = gain * sqrt(3 / fan) (He et al. 2015)."""
    if _array(tensor).size == 0:
        return _empty_warning(tensor)
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """N(0, std^2) with std = gain / sqrt(fan)."""
    if _array(tensor).size == 0:
        return _empty_warning(tensor)
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def default_layer_init_(weight, bias):
    """PyTorch's default for Linear and convolutions: kaiming_uniform_ with a = sqrt(5),
    which gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias uses the same bound."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)


def orthogonal_(tensor, gain=1.0):
    """A (semi-)orthogonal matrix, scaled by ``gain`` (Saxe et al. 2013): the Q of a QR
    factorisation of a standard normal (rows, cols) matrix, with rows = dim 0 and cols
    the rest flattened; signs fixed by R's diagonal so that Q is uniformly distributed."""
    array = _array(tensor)
    if array.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dims are supported, "
                         f"got shape {tuple(array.shape)}")
    xp = backend.get_array_module(array)
    rows = array.shape[0]
    cols = array.size // rows if rows else 0
    normal = _rng_for(array).standard_normal((rows, cols))
    if rows < cols:
        normal = normal.T
    q, r = xp.linalg.qr(normal)
    q = q * xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(array.shape))
