"""Which array library holds an array, and the few helpers whose spelling differs.

A Tensor's data is a ``numpy.ndarray`` on the CPU or a ``cupy.ndarray`` on a GPU.
Ops never call ``numpy`` directly on tensor data: they ask ``get_array_module(a)``
for the module (``xp``) and write ``xp.exp(a)``, so one code path serves both.

CuPy is imported lazily, the first time a GPU is asked for; without it everything
runs on NumPy and this module costs nothing.
"""
from __future__ import annotations

import math
from types import ModuleType
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import numpy

if TYPE_CHECKING:
    from .typing_aliases import Array, DeviceLike, Shape

_cupy = None            # the cupy module once a GPU has been asked for, else None


def _load_cupy():
    """Import CuPy on first use and check that a GPU is visible."""
    global _cupy
    if _cupy is not None:
        return _cupy
    try:
        import cupy
    except ImportError as err:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "device 'cuda' needs CuPy, which is not installed: "
            "pip install 'scratchgen[gpu]' (or the cupy-cudaXXx wheel for your CUDA)") from err
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # pragma: no cover - depends on the machine
        raise RuntimeError(f"device 'cuda': CuPy is installed but no CUDA GPU is usable ({err})") from err
    if count == 0:  # pragma: no cover
        raise RuntimeError("device 'cuda': CuPy is installed but no CUDA GPU is visible")
    _cupy = cupy
    return cupy


def is_cupy_array(a: Any) -> bool:
    return _cupy is not None and isinstance(a, _cupy.ndarray)


def get_array_module(a: Any) -> ModuleType:
    """``numpy`` or ``cupy``: the module that owns array ``a``."""
    if _cupy is not None and isinstance(a, _cupy.ndarray):
        return _cupy
    return numpy


# Where factories (tensor, zeros, randn, layers' parameters...) put new tensors
# when no device is named.  'cpu' unless set_default_device says otherwise.
_default_device = "cpu"


def set_default_device(device: DeviceLike) -> None:
    """Make ``device`` where new tensors go when a factory is given no device.

    As PyTorch's ``torch.set_default_device``: ``set_default_device('cuda')``
    makes ``tensor(numpy_array)``, ``zeros(3)`` and ``nn.Linear(2, 3)`` live on
    the GPU.  ``from_numpy`` still shares the NumPy array, and ops keep their
    inputs' device.  The test suite uses it to run on CuPy (``--backend cupy``).
    """
    global _default_device
    device = normalize_device(device)
    if device == "cuda":
        _load_cupy()  # fail here, with the reason, rather than at the first tensor
    _default_device = device


def get_default_device() -> str:
    return _default_device


def normalize_device(device: Optional[DeviceLike]) -> str:
    """'cpu', 'cuda', 'cuda:0' or None (the default device) -> 'cpu' | 'cuda'."""
    if device is None:
        return _default_device
    name = str(device)
    if name == "cpu":
        return "cpu"
    if name == "cuda" or name.startswith("cuda:"):
        return "cuda"
    raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")


def device_of(a: Array) -> str:
    return "cuda" if is_cupy_array(a) else "cpu"


def module_for(device: DeviceLike) -> ModuleType:
    """The array module for a device name: numpy for 'cpu', cupy for 'cuda'."""
    return _load_cupy() if normalize_device(device) == "cuda" else numpy


def to_device(a: Array, device: DeviceLike) -> Array:
    """Return array ``a`` on ``device`` (no copy when it is already there)."""
    device = normalize_device(device)
    if device == "cuda":
        cupy = _load_cupy()
        return a if isinstance(a, cupy.ndarray) else cupy.asarray(a)
    if is_cupy_array(a):
        return _cupy.asnumpy(a)
    return a


def to_numpy(a: Array) -> numpy.ndarray:
    """A NumPy copy (or the array itself) of a NumPy or CuPy array."""
    return _cupy.asnumpy(a) if is_cupy_array(a) else numpy.asarray(a)


def strided_view(a: Array, shape: Shape, strides: Tuple[int, ...]) -> Array:
    """A read-only view of ``a`` with the given shape and byte strides (no copy).

    NumPy marks it read-only, so that writing through overlapping windows
    fails loudly; CuPy's ``as_strided`` has no such flag."""
    if is_cupy_array(a):
        return _cupy.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)
    return numpy.lib.stride_tricks.as_strided(a, shape=shape, strides=strides, writeable=False)


def erf(a: Array) -> Array:
    """The error function elementwise.  CuPy has it in cupyx.  NumPy has none: float64
    arrays (gradient checks, parity tests) get Python's math.erf on each element, exact
    but slow; other dtypes get ``erf_approximation``, whose 1.2e-7 relative error is
    below float32's resolution."""
    if is_cupy_array(a):
        import cupyx.scipy.special
        return cupyx.scipy.special.erf(a)
    if a.dtype == numpy.float64:
        return numpy.asarray(numpy.frompyfunc(math.erf, 1, 1)(a), dtype=a.dtype)
    return erf_approximation(a)


# Chebyshev fit of erfc (Numerical Recipes, 2nd ed., section 6.2: "erfcc"), with a
# relative error below 1.2e-7 everywhere, tails included
_ERFC_FIT = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807,
             -1.13520398, 1.48851587, -0.82215223, 0.17087277)


# erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)): its first eight terms, good to
# 1e-11 for |x| < 0.5
_ERF_SERIES = tuple((-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(8))


def erf_approximation(x: Array) -> Array:
    """erf(x) = 1 - erfc(|x|) (sign restored), erfc from ``_ERFC_FIT``, computed in x's
    dtype; near 0, where 1 - erfc would lose digits, the series ``_ERF_SERIES``."""
    z = numpy.abs(x)
    t = 1 / (1 + 0.5 * z)
    polynomial = numpy.zeros_like(t)
    for coefficient in reversed(_ERFC_FIT[1:]):
        polynomial += coefficient
        polynomial *= t
    erfc = t * numpy.exp(_ERFC_FIT[0] - z * z + polynomial)
    result = numpy.copysign(1 - erfc, x)
    small = z < 0.5
    if small.any():
        y = x[small]
        square, total = y * y, numpy.zeros_like(y)
        for coefficient in reversed(_ERF_SERIES):     # Horner's rule in y^2
            total *= square
            total += coefficient
        result[small] = total * y * (2 / math.sqrt(math.pi))
    return result


def scatter_add(target: Array, index: Any, values: Array) -> None:
    """target[index] += values, adding repeated indices once each (unbuffered)."""
    if is_cupy_array(target):
        import cupyx
        cupyx.scatter_add(target, index, values)
    else:
        numpy.add.at(target, index, values)


# ----------------------------------------------------------------------------
# Random numbers: one generator per backend, all reseeded by manual_seed.
# ----------------------------------------------------------------------------
_seed = None
_numpy_rng = numpy.random.default_rng()
_cupy_rng = None


def manual_seed(seed: int) -> None:
    """Seed every generator the library draws from (NumPy now, CuPy when used)."""
    global _seed, _numpy_rng, _cupy_rng
    _seed = int(seed)
    _numpy_rng = numpy.random.default_rng(_seed)
    _cupy_rng = None  # recreated from _seed on its next use


def rng(xp: ModuleType) -> Any:
    """The random generator for array module ``xp``."""
    global _cupy_rng
    if xp is numpy:
        return _numpy_rng
    if _cupy_rng is None:
        _cupy_rng = xp.random.default_rng(_seed)
    return _cupy_rng


def get_rng_state() -> Dict[str, Any]:
    """The state of the library's random generators, as plain (JSON-able) values."""
    state = {"seed": _seed, "numpy": _numpy_rng.bit_generator.state}
    if _cupy_rng is not None:  # pragma: no cover - needs a GPU
        state["cupy"] = None  # CuPy's generator state cannot be exported; resumed runs reseed it
    return state


def check_rng_state(state: Dict[str, Any]) -> None:
    """Raise ValueError unless ``state`` is what ``get_rng_state`` gives (tried on a spare
    generator, so nothing changes)."""
    if not isinstance(state, dict) or "seed" not in state or "numpy" not in state:
        raise ValueError("a random generator state must be a dict with 'seed' and 'numpy'")
    seed = state["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"a random generator state has a bad seed {seed!r:.40}")
    try:
        numpy.random.default_rng().bit_generator.state = state["numpy"]
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise ValueError(f"a random generator state that NumPy refuses ({err})") from None


def set_rng_state(state: Dict[str, Any]) -> None:
    """Restore generators saved by ``get_rng_state`` (a resumed run draws the same numbers)."""
    check_rng_state(state)
    global _seed, _numpy_rng, _cupy_rng
    _seed = state["seed"]
    generator = numpy.random.default_rng()
    generator.bit_generator.state = state["numpy"]
    _numpy_rng = generator
    _cupy_rng = None
