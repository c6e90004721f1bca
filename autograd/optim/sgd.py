"""SGD: stochastic gradient descent, with optional momentum and Nesterov momentum."""
from __future__ import annotations

from ..backend import get_array_module
from .optimizer import Optimizer, ParamsLike, check_number, regularised_gradient


class SGD(Optimizer):
    r"""Stochastic gradient descent, as ``torch.optim.SGD``.

    For each parameter θ with gradient g, at step t (PyTorch's documented algorithm)::

        g ← -g                      if maximize
        g ← g + weight_decay · θ    if weight_decay ≠ 0
        if momentum ≠ 0:
            b ← g                                      at the first step
            b ← momentum · b + (1 - dampening) · g     afterwards
            g ← g + momentum · b    if nesterov
            g ← b                   otherwise
        θ ← θ - lr · g

    ``state[p]["momentum_buffer"]`` holds b (only when momentum ≠ 0).
    """

    def __init__(self, params: ParamsLike, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 maximize: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_number("SGD", "lr", group["lr"])
        check_number("SGD", "momentum", group["momentum"])
        check_number("SGD", "dampening", group["dampening"], low=-float("inf"))
        check_number("SGD", "weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0, "
                             f"got momentum={group['momentum']}, dampening={group['dampening']}")

    def state_keys(self, group):
        return {"momentum_buffer": "param"} if group["momentum"] != 0 else {}

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        momentum = group["momentum"]
        grad = regularised_gradient(param, grad, group)
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = xp.array(grad, copy=True)
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= group["lr"] * grad
