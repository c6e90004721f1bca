"""Adadelta: steps scaled by running averages of squared gradients and squared steps (Zeiler, 2012)."""
from __future__ import annotations

from ..backend import get_array_module
from .optimizer import Optimizer, ParamsLike, check_number, regularised_gradient


class Adadelta(Optimizer):
    r"""Adadelta, as ``torch.optim.Adadelta``.

    For each parameter θ with gradient g (PyTorch's documented algorithm; v and u
    start at 0)::

        g ← -g                                 if maximize
        g ← g + weight_decay · θ               if weight_decay ≠ 0
        v ← ρ · v + (1 - ρ) · g²               running mean of g²
        Δ ← √(u + eps) / √(v + eps) · g        the step, in the units of θ
        u ← ρ · u + (1 - ρ) · Δ²               running mean of the squared steps
        θ ← θ - lr · Δ

    ``state[p]`` holds ``step``, ``square_avg`` (v) and ``acc_delta`` (u).
    """

    def __init__(self, params: ParamsLike, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, maximize: bool = False) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_number("Adadelta", "lr", group["lr"])
        check_number("Adadelta", "rho", group["rho"], high=1.0, high_inclusive=True)
        check_number("Adadelta", "eps", group["eps"])
        check_number("Adadelta", "weight_decay", group["weight_decay"])

    def state_keys(self, group):
        return {"step": "count", "square_avg": "param", "acc_delta": "param"}

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(param)
            state["acc_delta"] = xp.zeros_like(param)
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        grad = regularised_gradient(param, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param -= group["lr"] * delta
