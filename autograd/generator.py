"""Generator: a random-number stream of its own, as PyTorch's ``torch.Generator``.

Code that takes ``generator=`` (samplers, ``random_split``, the DataLoader)
draws from that generator when one is given and from the library's global
generators otherwise, so ``autograd.manual_seed`` keeps governing the default::

    g = Generator().manual_seed(42)       # manual_seed returns the generator
    loader = DataLoader(data, shuffle=True, generator=g)

A Generator wraps a ``numpy.random.Generator`` (a CuPy one for
``device='cuda'``).  Like PyTorch's, a new Generator that was never seeded
starts from the same fixed seed, so it is reproducible.

``get_state()`` returns a uint8 Tensor, the type PyTorch returns: the bytes
of the NumPy bit generator's state written as JSON.  ``set_state`` reads
such a tensor (or a NumPy uint8 array) back.  Its bytes mean nothing to
PyTorch, and PyTorch's states mean nothing here.

``default_generator`` stands for the global generators of ``backend``:
seeding it is ``backend.manual_seed``.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import numpy

from . import backend, devices
from .tensor import Tensor

# PyTorch's seed for a generator nobody seeded; kept so initial_seed() reads the same.
DEFAULT_SEED = 67280421310721


def _fresh_seed() -> int:
    """A non-deterministic seed from the operating system's entropy, 64 bits."""
    return int(numpy.random.SeedSequence().entropy) % 2**64


class Generator:
    """A seeded stream of random numbers for one device ('cpu' or 'cuda')."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = devices.device(device)          # equals 'cpu' or 'cuda', as torch.device
        self._xp = backend.module_for(self.device)   # fails here, with the reason, without CuPy
        self._initial_seed = DEFAULT_SEED
        self._engine = self._xp.random.default_rng(DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"Generator(device='{self.device}')"

    def manual_seed(self, seed: int) -> "Generator":
        """Restart the stream from ``seed``; returns the generator for chaining."""
        seed = int(seed)
        if seed < 0:        # PyTorch accepts negative seeds and reads them as unsigned 64 bits
            seed %= 2**64
        self._initial_seed = seed
        self._engine = self._xp.random.default_rng(seed)
        return self

    def seed(self) -> int:
        """Reseed from the system's entropy; returns the new seed."""
        seed = _fresh_seed()
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the current stream started from."""
        return self._initial_seed

    def get_state(self) -> Tensor:
        """The stream's position as a uint8 Tensor (JSON of NumPy's bit-generator state)."""
        if self.device != "cpu":
            raise RuntimeError("Generator.get_state: CuPy's generator state cannot be exported; "
                               "reseed a 'cuda' generator with manual_seed instead")
        text = json.dumps(self._engine.bit_generator.state)
        return Tensor(numpy.frombuffer(text.encode("utf-8"), dtype=numpy.uint8).copy())

    def set_state(self, new_state: Tensor) -> "Generator":
        """Go back to a position returned by ``get_state``."""
        if self.device != "cpu":
            raise RuntimeError("Generator.set_state: CuPy's generator state cannot be restored; "
                               "reseed a 'cuda' generator with manual_seed instead")
        array = getattr(new_state, "array", new_state)   # a Tensor or a NumPy array
        array = backend.to_numpy(array)
        if not isinstance(array, numpy.ndarray) or array.dtype != numpy.uint8 or array.ndim != 1:
            raise TypeError(f"Generator.set_state: expected the 1-d uint8 tensor that get_state "
                            f"returns, got {type(new_state).__name__}")
        try:
            state = json.loads(array.tobytes().decode("utf-8"))
            self._engine.bit_generator.state = state
        except (UnicodeDecodeError, ValueError, TypeError, KeyError) as err:
            raise ValueError(f"Generator.set_state: these {array.size} bytes are not a state "
                             f"from Generator.get_state ({err})") from err
        return self

    def engine(self, xp=numpy):
        """The NumPy (or CuPy) generator to draw from, for arrays of module ``xp``."""
        if xp is not self._xp:
            wanted = "cpu" if xp is numpy else "cuda"
            raise RuntimeError(f"Generator: a '{self.device}' generator cannot draw numbers "
                               f"for a '{wanted}' array; make one with Generator('{wanted}')")
        return self._engine


class _DefaultGenerator(Generator):
    """The library's global generators seen as one Generator (``torch.default_generator``).

    It holds no stream of its own: every call reads or reseeds ``backend``'s."""

    def __init__(self) -> None:
        self.device, self._xp = devices.device("cpu"), numpy

    def __repr__(self) -> str:
        return "default_generator"

    def manual_seed(self, seed: int) -> "Generator":
        backend.manual_seed(int(seed) % 2**64)
        return self

    def initial_seed(self) -> int:
        seed = backend.get_rng_state()["seed"]
        if seed is None:   # never seeded: the generator was started from system entropy
            return int(backend.rng(numpy).bit_generator.seed_seq.entropy) % 2**64
        return seed

    @property
    def _engine(self):
        """get_state and set_state read and write the global NumPy generator itself."""
        return backend.rng(numpy)

    def engine(self, xp=numpy):
        return backend.rng(xp)


default_generator: Generator = _DefaultGenerator()


def generator_or_default(generator: Optional[Generator], xp=numpy):
    """The NumPy/CuPy generator to draw from: ``generator``'s, or the library's global one
    for array module ``xp`` when ``generator`` is None."""
    if generator is None:
        return backend.rng(xp)
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an autograd.Generator or None, "
                        f"got {type(generator).__name__}")
    return generator.engine(xp)
