"""``torch.random``: the random generators' seed and state.

``autograd.random.manual_seed(0)`` is ``autograd.manual_seed(0)``; the state from
``get_rng_state`` is a dict of plain values (PyTorch's is a ByteTensor), which
``set_rng_state`` restores.
"""
from .backend import get_rng_state, set_rng_state  # noqa: F401
from .creation import manual_seed  # noqa: F401
from .toplevel import initial_seed, seed  # noqa: F401

__all__ = ["get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]
