"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""
from __future__ import annotations

from typing import Optional, Tuple

from ..backend import get_array_module
from .adam import Adam
from .optimizer import Optimizer, ParamsLike, check_number, regularised_gradient


class NAdam(Adam):
    r"""NAdam, as ``torch.optim.NAdam``.

    For each parameter θ with gradient g, at step t = 1, 2, ... (PyTorch's
    documented algorithm; m and v start at 0, μ-product at 1; ψ = momentum_decay)::

        g ← -g                                      if maximize
        θ ← θ · (1 - lr · weight_decay)             if decoupled_weight_decay
        g ← g + weight_decay · θ                    otherwise, if weight_decay ≠ 0
        μ_t     = β1 · (1 - 0.96^(t ψ) / 2)         momentum of this step ...
        μ_{t+1} = β1 · (1 - 0.96^((t+1) ψ) / 2)     ... and of the next (the Nesterov look-ahead)
        Π_t = Π_{t-1} · μ_t                         the μ-product
        m ← β1 · m + (1 - β1) · g
        v ← β2 · v + (1 - β2) · g²
        d = √(v / (1 - β2^t)) + eps
        θ ← θ - lr (1 - μ_t) / (1 - Π_t) · g / d - lr μ_{t+1} / (1 - Π_t μ_{t+1}) · m / d

    ``state[p]`` holds ``step``, ``mu_product`` (Π), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(self, params: ParamsLike, lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize}
        Optimizer.__init__(self, params, defaults)   # Adam's hyperparameter checks, not its defaults

    def _check_hyperparameters(self, group):
        super()._check_hyperparameters(group)
        check_number(type(self).__name__, "momentum_decay", group["momentum_decay"])

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        if not state:
            state.update(step=0, mu_product=1.0, exp_avg=xp.zeros_like(param),
                         exp_avg_sq=xp.zeros_like(param))
        beta1, beta2 = group["betas"]
        lr, psi = group["lr"], group["momentum_decay"]
        state["step"] += 1
        step = state["step"]

        grad = regularised_gradient(param, grad, group, group["decoupled_weight_decay"])

        mu = beta1 * (1 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denominator = xp.sqrt(exp_avg_sq / (1 - beta2 ** step)) + group["eps"]
        param -= (lr * (1 - mu) / (1 - mu_product)) * (grad / denominator)
        param -= (lr * mu_next / (1 - mu_product * mu_next)) * (exp_avg / denominator)

    def state_keys(self, group):
        return {"step": "count", "mu_product": "number", "exp_avg": "param", "exp_avg_sq": "param"}
