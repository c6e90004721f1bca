"""RMSprop: divide each step by a running root-mean-square of the gradient (Hinton, 2012)."""
from __future__ import annotations

from ..backend import get_array_module
from .optimizer import Optimizer, ParamsLike, check_number, regularised_gradient


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    For each parameter θ with gradient g (PyTorch's documented algorithm; v, ḡ and
    the buffer b start at 0)::

        g ← -g                                 if maximize
        g ← g + weight_decay · θ               if weight_decay ≠ 0
        v ← α · v + (1 - α) · g²               running mean of g²
        if centered:
            ḡ ← α · ḡ + (1 - α) · g            running mean of g
            d ← √(v - ḡ²) + eps                (an estimate of g's standard deviation)
        else:
            d ← √v + eps                       eps is added after the square root
        if momentum > 0:
            b ← momentum · b + g / d
            θ ← θ - lr · b
        else:
            θ ← θ - lr · g / d

    ``state[p]`` holds ``step``, ``square_avg`` (v) and, when used,
    ``momentum_buffer`` (b) and ``grad_avg`` (ḡ).
    """

    def __init__(self, params: ParamsLike, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, maximize: bool = False) -> None:
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                    "momentum": momentum, "centered": centered, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_number("RMSprop", name, group[name])

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        if not state:
            self._init_state(xp, param, state, group)
        alpha = group["alpha"]
        state["step"] += 1

        grad = regularised_gradient(param, grad, group)

        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            denominator = xp.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denominator = xp.sqrt(square_avg) + group["eps"]

        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer *= group["momentum"]
            buffer += grad / denominator
            param -= group["lr"] * buffer
        else:
            param -= group["lr"] * (grad / denominator)

    def state_keys(self, group):
        keys = {"step": "count", "square_avg": "param"}
        if group["momentum"] > 0:
            keys["momentum_buffer"] = "param"
        if group["centered"]:
            keys["grad_avg"] = "param"
        return keys

    @staticmethod
    def _init_state(xp, param, state, group):
        state["step"] = 0
        state["square_avg"] = xp.zeros_like(param)
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(param)
