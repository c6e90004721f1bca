"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2017)."""
from __future__ import annotations

from typing import Tuple

from .adam import Adam
from .optimizer import ParamsLike


class AdamW(Adam):
    r"""AdamW, as ``torch.optim.AdamW``: Adam whose weight decay shrinks θ directly.

    In Adam, weight decay is added to the gradient, so it passes through the
    adaptive scaling 1/(√v̂ + eps) and large-gradient weights are decayed less.
    AdamW decays every weight by the same factor, before the Adam step::

        g ← -g                                 if maximize
        θ ← θ · (1 - lr · weight_decay)        decoupled weight decay
        m ← β1 · m + (1 - β1) · g
        v ← β2 · v + (1 - β2) · g²
        m̂ ← m / (1 - β1^t);  v̂ ← v / (1 - β2^t)
        if amsgrad:  v_max ← max(v_max, v);  v̂ ← v_max / (1 - β2^t)
        θ ← θ - lr · m̂ / (√v̂ + eps)

    State and the exact arithmetic are Adam's (see adam.py).
    """

    decoupled_weight_decay = True

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)
