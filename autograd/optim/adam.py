"""Adam: adaptive moment estimation (Kingma & Ba, 2014)."""
from __future__ import annotations

from typing import Tuple

from ..backend import get_array_module
from .optimizer import Optimizer, ParamsLike, check_number, regularised_gradient


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``.

    For each parameter θ with gradient g, at step t = 1, 2, ... (PyTorch's
    documented algorithm; m, v and v_max start at 0)::

        g ← -g                                 if maximize
        g ← g + weight_decay · θ               if weight_decay ≠ 0
        m ← β1 · m + (1 - β1) · g              first moment: a running mean of g
        v ← β2 · v + (1 - β2) · g²             second moment: a running mean of g²
        m̂ ← m / (1 - β1^t)                     bias corrections: m and v start at 0,
        v̂ ← v / (1 - β2^t)                     so early averages are too small
        if amsgrad:  v_max ← max(v_max, v);  v̂ ← v_max / (1 - β2^t)
        θ ← θ - lr · m̂ / (√v̂ + eps)

    The last line is computed as PyTorch does,
    ``θ ← θ - (lr / (1 - β1^t)) · m / (√v / √(1 - β2^t) + eps)``.
    ``state[p]`` holds ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq`` (v_max).
    """

    # AdamW sets this: weight decay then shrinks θ directly instead of adding to g.
    decoupled_weight_decay = False

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, maximize: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        name = type(self).__name__
        check_number(name, "lr", group["lr"])
        check_number(name, "eps", group["eps"])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        check_number(name, "betas[0]", betas[0], high=1.0)
        check_number(name, "betas[1]", betas[1], high=1.0)
        check_number(name, "weight_decay", group["weight_decay"])

    def _update(self, param, grad, state, group):
        xp = get_array_module(param)
        if not state:
            self._init_state(xp, param, state, group)
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        state["step"] += 1
        step = state["step"]

        grad = regularised_gradient(param, grad, group, self.decoupled_weight_decay)

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]

        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        denominator = xp.sqrt(exp_avg_sq) / bias_correction2_sqrt + group["eps"]
        param -= step_size * (exp_avg / denominator)

    def state_keys(self, group):
        keys = {"step": "count", "exp_avg": "param", "exp_avg_sq": "param"}
        if group["amsgrad"]:
            keys["max_exp_avg_sq"] = "param"
        return keys

    @staticmethod
    def _init_state(xp, param, state, group):
        state["step"] = 0
        state["exp_avg"] = xp.zeros_like(param)
        state["exp_avg_sq"] = xp.zeros_like(param)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = xp.zeros_like(param)
