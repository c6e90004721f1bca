"""Optimizers and learning-rate schedulers with PyTorch's names and update rules.

::

    from autograd import optim
    optimizer = optim.Adam([w, b], lr=1e-3)
    for x, y in batches:
        optimizer.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        optimizer.step()

optimizer.py holds the base class (param groups, state, state_dict); each
optimizer (SGD, Adam, AdamW, NAdam, RAdam, RMSprop, Adagrad, Adadelta) has its
own file with its update formula in the docstring.  lr_scheduler.py holds the
learning-rate schedules (StepLR, CosineAnnealingLR, OneCycleLR, ...), and
ema.py an exponential moving average of a model's weights.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .ema import ExponentialMovingAverage
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "NAdam", "RAdam", "RMSprop", "Adadelta", "Adagrad",
           "ExponentialMovingAverage", "lr_scheduler"]
