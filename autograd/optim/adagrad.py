"""Adagrad: each coordinate's step divided by the root of its summed squared gradients (Duchi et al., 2011)."""
from __future__ import annotations

from ..backend import get_array_module
from .optimizer import Optimizer, ParamsLike, check_number, regularised_gradient


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``.

    For each parameter θ with gradient g, at step t = 1, 2, ... (PyTorch's
    documented algorithm; s starts at initial_accumulator_value)::

        g ← -g                                 if maximize
        g ← g + weight_decay · θ               if weight_decay ≠ 0
        lr_t ← lr / (1 + (t - 1) · lr_decay)
        s ← s + g²                             the running sum of squared gradients
        θ ← θ - lr_t · g / (√s + eps)

    ``state[p]`` holds ``step`` (t) and ``sum`` (s).
    """

    def __init__(self, params: ParamsLike, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0, eps: float = 1e-10,
                 maximize: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "eps": eps,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_number("Adagrad", name, group[name])

    def state_keys(self, group):
        return {"step": "count", "sum": "param"}

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        grad = regularised_gradient(param, grad, group)
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        param -= lr * grad / (xp.sqrt(state["sum"]) + group["eps"])
