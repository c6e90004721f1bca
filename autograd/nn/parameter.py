"""Parameter: a Tensor that a Module registers as something to train."""
from __future__ import annotations

from typing import Optional

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` by default.

    Assigning one to a Module attribute registers it, so it shows up in
    ``parameters()``, ``state_dict()`` and the optimizer.
    """
    __slots__ = ()

    def __init__(self, data: Optional[Tensor] = None, requires_grad: bool = True) -> None:
        if data is None:
            from ..creation import zeros
            data = zeros(0)
        array = data.array if isinstance(data, Tensor) else data
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
