"""Learning-rate schedules: change each param group's ``"lr"`` as training goes on.

A scheduler counts epochs (or steps, as you call it) in ``last_epoch`` and, on
each ``step()``, writes the learning rate for the new epoch into every param
group of its optimizer.  Creating it already takes the first step, to epoch 0::

    scheduler = StepLR(optimizer, step_size=30)
    for epoch in range(100):
        train_one_epoch(optimizer)    # optimizer.step() inside
        scheduler.step()              # after the optimizer, as in PyTorch

``base_lrs`` are the learning rates the groups had when the scheduler was made
(saved in each group as ``"initial_lr"``).
"""
from __future__ import annotations

import copy
import math
import numbers
import types
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from .optimizer import Optimizer

LRLambda = Callable[[int], float]   # epoch -> factor of the base learning rate


class LRScheduler:
    """Base class: subclasses write ``get_lr()``, the learning rates at ``last_epoch``."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()   # to epoch 0: the optimizer now holds the schedule's first learning rates

    def get_lr(self) -> List[float]:
        """The learning rate of each param group at epoch ``last_epoch``."""
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set its learning rates."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> List[float]:
        """The learning rates the last ``step()`` set, one per param group."""
        return list(self._last_lr)

    def state_dict(self) -> Dict[str, Any]:
        """Everything but the optimizer (save and load that separately)."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                if key != "optimizer"}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        self.__dict__.update(copy.deepcopy(state_dict))


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs::

        lr(epoch) = base_lr · gamma ^ (epoch // step_size)

    Computed as PyTorch does, by multiplying the group's current lr by gamma at
    each multiple of step_size, so the values are PyTorch's to the last bit.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        is_integer = isinstance(step_size, numbers.Integral) and not isinstance(step_size, bool)
        if not is_integer or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from base_lr down to ``eta_min`` over ``T_max`` epochs::

        lr(epoch) = eta_min + (base_lr - eta_min) · (1 + cos(π · epoch / T_max)) / 2

    Past T_max the cosine carries on, back up to base_lr at 2·T_max (no restart).
    PyTorch computes the same values recursively from the current lr; for plain
    stepping the two agree to rounding error.
    """

    def __init__(self, optimizer: Optimizer, T_max: float,  # noqa: N803 - PyTorch's name
                 eta_min: float = 0) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, numbers.Real) or not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive number, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer)

    def get_lr(self):
        cosine = math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base_lr - self.eta_min) * (1 + cosine) / 2
                for base_lr in self.base_lrs]


class LambdaLR(LRScheduler):
    """Set the learning rate to ``base_lr · lr_lambda(epoch)``.

    ``lr_lambda`` is one function for all param groups, or a list with one per
    group.  ``state_dict()`` cannot save plain functions and lambdas, so, as in
    PyTorch, it stores None for them (and the attributes of callable objects).
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Union[LRLambda, Sequence[LRLambda]]) -> None:
        n_groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n_groups:
                raise ValueError(f"LambdaLR: expected {n_groups} lr_lambdas (one per param "
                                 f"group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n_groups
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(fn).__name__}")
        super().__init__(optimizer)

    def get_lr(self):
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        # Functions and lambdas cannot be saved; a callable object's attributes can.
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType)
                               else copy.deepcopy(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = copy.deepcopy(state_dict)
        saved_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, attributes in zip(self.lr_lambdas, saved_lambdas):
            if attributes is not None:
                fn.__dict__.update(attributes)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: lr(epoch) = base_lr · gamma ^ epoch
    (computed by multiplying the current lr, as PyTorch does)."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(optimizer)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        return lrs if self.last_epoch == 0 else [lr * self.gamma for lr in lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``
    (twice if it is listed twice): lr(epoch) = base_lr · gamma ^ (milestones passed)."""

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1) -> None:
        milestones = list(milestones)
        if any(isinstance(m, bool) or not isinstance(m, numbers.Integral) for m in milestones):
            raise ValueError(f"MultiStepLR: milestones must be integers, got {milestones!r}")
        self.milestones = sorted(milestones)
        self.gamma = gamma
        super().__init__(optimizer)

    def get_lr(self):
        times = self.milestones.count(self.last_epoch)
        return [group["lr"] * self.gamma ** times for group in self.optimizer.param_groups]


class OneCycleLR(LRScheduler):
    """The one-cycle policy (Smith & Topin, 2017), stepped once per batch: the learning
    rate rises from max_lr / div_factor to max_lr over the first pct_start of the
    steps, then falls to max_lr / (div_factor · final_div_factor); momentum (or Adam's
    beta1) moves the opposite way between max_momentum and base_momentum.  With
    three_phase the fall first returns to the start value, then goes to the minimum.
    Each phase follows half a cosine (anneal_strategy='cos') or a straight line ('linear').
    """

    def __init__(self, optimizer: Optimizer, max_lr: Union[float, Sequence[float]],
                 total_steps: Optional[int] = None, epochs: Optional[int] = None,
                 steps_per_epoch: Optional[int] = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float = 0.85, max_momentum: float = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False) -> None:
        self.total_steps = _one_cycle_steps(total_steps, epochs, steps_per_epoch)
        if not 0 <= pct_start <= 1 or isinstance(pct_start, bool):
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        self.phases = _one_cycle_phases(self.total_steps, pct_start, three_phase)
        groups = optimizer.param_groups
        max_lrs = list(max_lr) if isinstance(max_lr, (list, tuple)) else [max_lr] * len(groups)
        self.cycle_momentum = cycle_momentum
        self.use_beta1 = cycle_momentum and "betas" in optimizer.defaults
        if cycle_momentum and not self.use_beta1 and "momentum" not in optimizer.defaults:
            raise ValueError("OneCycleLR: cycle_momentum needs an optimizer with momentum or betas; "
                             "pass cycle_momentum=False")
        for group, top in zip(groups, max_lrs):
            group["initial_lr"] = group["lr"] = top / div_factor
            group["max_lr"] = top
            group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                group["max_momentum"], group["base_momentum"] = max_momentum, base_momentum
                self._set_momentum(group, max_momentum)
        super().__init__(optimizer)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, fraction):
        if self.anneal_strategy == "linear":
            return (end - start) * fraction + start
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times, more than the "
                             f"{self.total_steps} total steps it was made for")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0
            for index, (end_step, lr_keys, momentum_keys) in enumerate(self.phases):
                if step <= end_step or index == len(self.phases) - 1:
                    fraction = (step - start_step) / (end_step - start_step)
                    lr = self._anneal(group[lr_keys[0]], group[lr_keys[1]], fraction)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[momentum_keys[0]], group[momentum_keys[1]], fraction)
                        self._set_momentum(group, momentum)
                    break
                start_step = end_step
            lrs.append(lr)
        return lrs


def _one_cycle_steps(total_steps, epochs, steps_per_epoch):
    if total_steps is not None:
        if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) or total_steps <= 0:
            raise ValueError(f"OneCycleLR: total_steps must be a positive integer, got {total_steps!r}")
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
    if epochs <= 0 or steps_per_epoch <= 0:
        raise ValueError(f"OneCycleLR: epochs and steps_per_epoch must be positive, got "
                         f"{epochs!r} and {steps_per_epoch!r}")
    return epochs * steps_per_epoch


def _one_cycle_phases(total_steps, pct_start, three_phase):
    """(last step of the phase, (lr at its start, at its end), (momentum at start, end))."""
    rise_end = float(pct_start * total_steps) - 1
    if three_phase:
        return [(rise_end, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum")),
                (float(2 * pct_start * total_steps) - 2, ("max_lr", "initial_lr"),
                 ("base_momentum", "max_momentum")),
                (total_steps - 1, ("initial_lr", "min_lr"), ("max_momentum", "max_momentum"))]
    return [(rise_end, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum")),
            (total_steps - 1, ("max_lr", "min_lr"), ("base_momentum", "max_momentum"))]


class ReduceLROnPlateau(LRScheduler):
    """Divide the learning rate by 1 / ``factor`` when a metric has stopped improving
    for more than ``patience`` epochs; ``step(metric)`` is called once per epoch.

    Improving means below (mode 'min') or above ('max') the best value so far by
    more than ``threshold`` (relative: best · threshold; 'abs': threshold itself).
    After a reduction, ``cooldown`` epochs pass before bad epochs count again, and
    no learning rate goes below ``min_lr`` (nor changes by less than ``eps``).
    Unlike the other schedules it takes no step when made (its first epoch has no
    metric yet), so it does not call ``LRScheduler.__init__``.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: Union[float, Sequence[float]] = 0,
                 eps: float = 1e-8) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1.0, got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        groups = optimizer.param_groups
        self.min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * len(groups)
        if len(self.min_lrs) != len(groups):
            raise ValueError(f"ReduceLROnPlateau: expected {len(groups)} min_lrs, got {len(self.min_lrs)}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in groups]

    def is_better(self, value, best):
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            return value < best * (1 - self.threshold) if relative else value < best - self.threshold
        return value > best * (1 + self.threshold) if relative else value > best + self.threshold

    def step(self, metrics: float) -> None:
        value = float(metrics)
        self.last_epoch += 1
        if self.is_better(value, self.best):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce(self):
        for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
            new_lr = max(group["lr"] * self.factor, floor)
            if group["lr"] - new_lr > self.eps:
                group["lr"] = new_lr


def _check_fraction(scheduler, name, value, low_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and \
        (0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{scheduler}: {name} must be in {interval}, got {value!r}")


def _check_count(scheduler, name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{scheduler}: {name} must be an integer >= {low}, got {value!r}")


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that moves in a straight line from
    ``start_factor`` to ``end_factor`` over ``total_iters`` epochs, then stays::

        lr(epoch) = base_lr · (start + (end - start) · min(epoch, total_iters) / total_iters)

    Computed as PyTorch does, by multiplying the current lr by the ratio of this
    epoch's factor to the last one's (so it composes with other schedulers the same way).
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        _check_fraction("LinearLR", "start_factor", start_factor, low_open=True)
        _check_fraction("LinearLR", "end_factor", end_factor)
        _check_count("LinearLR", "total_iters", total_iters)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        epoch, start, change = self.last_epoch, self.start_factor, self.end_factor - self.start_factor
        if epoch == 0:
            return [lr * start for lr in lrs]
        if epoch > self.total_iters:
            return lrs
        # factor(e) / factor(e - 1), with factor(e) = start + change · e / total
        ratio = 1 + change / (self.total_iters * start + (epoch - 1) * change)
        return [lr * ratio for lr in lrs]


class ConstantLR(LRScheduler):
    """Scale the learning rate by ``factor`` for the first ``total_iters`` epochs:
    lr(epoch) = base_lr · factor while epoch < total_iters, then base_lr (applied
    as PyTorch does, multiplying the current lr by factor, then by 1 / factor)."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        _check_fraction("ConstantLR", "factor", factor)
        _check_count("ConstantLR", "total_iters", total_iters, low=0)
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch != self.total_iters:
            return lrs
        return [lr / self.factor for lr in lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from base_lr to ``eta_min`` over T_i epochs, then a restart
    (SGDR, Loshchilov & Hutter 2016); T_0 is the first period and each next one is
    ``T_mult`` times longer::

        lr = eta_min + (base_lr - eta_min) · (1 + cos(π · T_cur / T_i)) / 2

    where T_cur counts the epochs since the last restart.  ``step(epoch)`` may be
    given a fractional epoch (``epoch + batch / batches``), as in PyTorch.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,  # noqa: N803
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        _check_count("CosineAnnealingWarmRestarts", "T_0", T_0)
        _check_count("CosineAnnealingWarmRestarts", "T_mult", T_mult)
        if not isinstance(eta_min, numbers.Real) or isinstance(eta_min, bool):
            raise ValueError(f"CosineAnnealingWarmRestarts: eta_min must be a number, got {eta_min!r}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = -1
        super().__init__(optimizer)

    def get_lr(self):
        cosine = math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base_lr - self.eta_min) * (1 + cosine) / 2 for base_lr in self.base_lrs]

    def step(self, epoch: Optional[int] = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:     # one more epoch; restart when the period is over
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be >= 0, got {epoch!r}")
            self.T_cur, self.T_i = self._position(epoch)
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _position(self, epoch):
        """(T_cur, T_i) at a given epoch: periods T_0, T_0 T_mult, T_0 T_mult^2, ...
        end at T_0 (T_mult^n - 1) / (T_mult - 1)."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        return epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1), self.T_0 * self.T_mult ** n


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after the other: the i-th takes over at epoch
    ``milestones[i - 1]``, starting afresh from the base learning rates (as PyTorch)."""

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1) -> None:
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError("SequentialLR: expected at least one scheduler")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} milestones for "
                             f"{len(schedulers)} schedulers, got {len(milestones)}")
        for index, scheduler in enumerate(schedulers):
            if getattr(scheduler, "optimizer", None) is not optimizer:
                raise ValueError(f"SequentialLR: scheduler {index} ({type(scheduler).__name__}) "
                                 "belongs to another optimizer")
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError("SequentialLR: ReduceLROnPlateau cannot be part of a sequence")
        self.optimizer, self._schedulers, self._milestones = optimizer, schedulers, milestones
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._restart(schedulers[0])   # undo the first steps the schedulers took when made

    def _restart(self, scheduler):
        for group, lr in zip(self.optimizer.param_groups, scheduler.base_lrs):
            group["lr"] = lr
        scheduler.last_epoch = -1
        if isinstance(scheduler, CosineAnnealingWarmRestarts):
            scheduler.T_cur, scheduler.T_i = -1, scheduler.T_0
        scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def step(self):
        self.last_epoch += 1
        index = sum(1 for m in self._milestones if m <= self.last_epoch)   # bisect_right
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            self._restart(scheduler)
        else:
            scheduler.step()
            self._last_lr = scheduler.get_last_lr()

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = copy.deepcopy(state_dict)
        for scheduler, saved in zip(self._schedulers, state.pop("_schedulers")):
            scheduler.load_state_dict(saved)
        self.__dict__.update(state)


class CyclicLR(LRScheduler):
    """The learning rate cycles between ``base_lr`` and ``max_lr`` (Smith, 2015), stepped
    once per batch: up in ``step_size_up`` steps, down in ``step_size_down`` (default:
    the same).  With x the position in the cycle (0 to 1) and a triangle s(x) rising
    from 0 to 1 over the first step_size_up / (up + down) of it::

        lr = base_lr + (max_lr - base_lr) · s(x) · scale

    where scale is 1 ('triangular'), 1 / 2^(cycle - 1) ('triangular2') or
    gamma^iteration ('exp_range'), or ``scale_fn`` of the cycle number or of the
    iteration (``scale_mode``).  With ``cycle_momentum`` the momentum (or Adam's beta1)
    moves the opposite way, from max_momentum down to base_momentum.
    """

    def __init__(self, optimizer: Optimizer, base_lr: Union[float, Sequence[float]],
                 max_lr: Union[float, Sequence[float]], step_size_up: int = 2000,
                 step_size_down: Optional[int] = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Optional[Callable[[float], float]] = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float = 0.8, max_momentum: float = 0.9,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        groups = optimizer.param_groups
        base_lrs = self._per_group("base_lr", base_lr, groups)
        self.max_lrs = self._per_group("max_lr", max_lr, groups)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        if up <= 0 or down < 0:
            raise ValueError(f"CyclicLR: step sizes must be positive, got {step_size_up!r} and {step_size_down!r}")
        self.total_size, self.step_ratio = up + down, up / (up + down)
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range', got {mode!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        self.mode, self.gamma, self.custom_scale_fn = mode, gamma, scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else \
            ("iterations" if mode == "exp_range" else "cycle")
        for group, lr in zip(groups, base_lrs):
            group["lr"] = lr
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = "betas" in optimizer.defaults
            if not self.use_beta1 and "momentum" not in optimizer.defaults:
                raise ValueError("CyclicLR: cycle_momentum needs an optimizer with momentum or betas; "
                                 "pass cycle_momentum=False")
            self.base_momentums = self._per_group("base_momentum", base_momentum, groups)
            self.max_momentums = self._per_group("max_momentum", max_momentum, groups)
            for group, momentum in zip(groups, self.max_momentums):
                self._set_momentum(group, momentum)
        super().__init__(optimizer)
        self.base_lrs = base_lrs

    @staticmethod
    def _per_group(name, value, groups):
        if isinstance(value, (list, tuple)):
            if len(value) != len(groups):
                raise ValueError(f"CyclicLR: expected {len(groups)} values of {name}, got {len(value)}")
            return list(value)
        return [value] * len(groups)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def scale_fn(self, x):
        if self.custom_scale_fn is not None:
            return self.custom_scale_fn(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle           # position in the cycle
        rise = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * rise * scale for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                self._set_momentum(group, high - (high - low) * rise * scale)
        return lrs

    def state_dict(self):
        state = super().state_dict()
        state["custom_scale_fn"] = None if isinstance(self.custom_scale_fn, types.FunctionType) \
            else copy.deepcopy(getattr(self.custom_scale_fn, "__dict__", None))
        return state

    def load_state_dict(self, state_dict):
        state = copy.deepcopy(state_dict)
        state.pop("custom_scale_fn", None)
        self.__dict__.update(state)
