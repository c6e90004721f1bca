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
import copy
import math
import numbers
import types

from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses write ``get_lr()``, the learning rates at ``last_epoch``."""

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()   # to epoch 0: the optimizer now holds the schedule's first learning rates

    def get_lr(self):
        """The learning rate of each param group at epoch ``last_epoch``."""
        raise NotImplementedError

    def step(self):
        """Move to the next epoch and set its learning rates."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates the last ``step()`` set, one per param group."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (save and load that separately)."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(copy.deepcopy(state_dict))


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs::

        lr(epoch) = base_lr · gamma ^ (epoch // step_size)

    Computed as PyTorch does, by multiplying the group's current lr by gamma at
    each multiple of step_size, so the values are PyTorch's to the last bit.
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
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

    def __init__(self, optimizer, T_max, eta_min=0):  # noqa: N803 - PyTorch's name
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

    def __init__(self, optimizer, lr_lambda):
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
