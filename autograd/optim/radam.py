"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2019)."""
from __future__ import annotations

import math
from typing import Optional, Tuple

from ..backend import get_array_module
from .adam import Adam
from .optimizer import Optimizer, ParamsLike, regularised_gradient


class RAdam(Adam):
    r"""RAdam, as ``torch.optim.RAdam``.

    Early on, v has averaged too few squared gradients for 1/√v̂ to be trusted, so
    the adaptive step is only taken once the length of the approximated simple
    moving average, ρ_t, exceeds 5, and then scaled by the rectification r_t
    (PyTorch's documented algorithm; m and v start at 0)::

        g ← -g                                      if maximize
        θ ← θ · (1 - lr · weight_decay)             if decoupled_weight_decay
        g ← g + weight_decay · θ                    otherwise, if weight_decay ≠ 0
        m ← β1 · m + (1 - β1) · g
        v ← β2 · v + (1 - β2) · g²
        m̂ = m / (1 - β1^t)
        ρ_∞ = 2 / (1 - β2) - 1;   ρ_t = ρ_∞ - 2 t β2^t / (1 - β2^t)
        if ρ_t > 5:
            r_t = √((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
            θ ← θ - lr · m̂ · r_t · √(1 - β2^t) / (√v + eps)
        else:
            θ ← θ - lr · m̂                         (plain momentum SGD)

    ``state[p]`` holds ``step``, ``exp_avg`` (m) and ``exp_avg_sq`` (v).
    """

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize}
        Optimizer.__init__(self, params, defaults)   # Adam's hyperparameter checks, not its defaults

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        if not state:
            state.update(step=0, exp_avg=xp.zeros_like(param), exp_avg_sq=xp.zeros_like(param))
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        state["step"] += 1
        step = state["step"]

        grad = regularised_gradient(param, grad, group, group["decoupled_weight_decay"])

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        corrected_avg = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                             ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = math.sqrt(bias_correction2) / (xp.sqrt(exp_avg_sq) + group["eps"])
            param -= corrected_avg * lr * adaptive * rect
        else:
            param -= corrected_avg * lr

    def state_keys(self, group):
        return {"step": "count", "exp_avg": "param", "exp_avg_sq": "param"}
