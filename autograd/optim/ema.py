"""An exponential moving average of a model's weights, for evaluation and sampling.

The weights a generative model ends training with are one noisy point of a
trajectory; their running average is usually a better model (Polyak averaging;
DDPM and GANs sample from it: Ho et al. 2020, Yazici et al. 2019)::

    average <- decay * average + (1 - decay) * weights      after every update

``decay`` near 1 averages over about 1 / (1 - decay) steps.  Early in training
that would drag in the random initialisation, so by default the decay starts
small and grows, min(decay, (1 + n) / (10 + n)) after n updates.

Buffers (BatchNorm's running statistics) are copied, not averaged: they are
already running averages.

    ema = ExponentialMovingAverage(model, decay=0.999)
    ...  optimizer.step(); ema.update(model)
    samples = ema.module(z)
"""
from __future__ import annotations

import copy
from typing import Any

from .. import backend
from ..creation import tensor
from ..grad_mode import no_grad
from ..nn.module import Module


class ExponentialMovingAverage(Module):
    """A module holding ``module``, a frozen copy of the model whose parameters are the
    average, and the count of updates; calling it calls the averaged copy.  Being a
    Module, it is saved and restored with everything else in a checkpoint."""

    def __init__(self, model: Module, decay: float = 0.999, warmup: bool = True) -> None:
        super().__init__()
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"ExponentialMovingAverage: decay must be in [0, 1), got {decay}")
        self.decay, self.warmup = decay, warmup
        self.module = copy.deepcopy(model)
        self.module.requires_grad_(False)
        self.register_buffer("num_updates", tensor(0, dtype="int64", device=_device_of(model)))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def current_decay(self) -> float:
        """The decay the next ``update`` uses, as a Python float (this one reads the count)."""
        return float(self._decay_beside_weights())

    def _decay_beside_weights(self):
        """current_decay() as a 0-d float64 array on the weights' device, worked out
        there: reading num_updates into Python would make the host wait for the GPU."""
        n = self.num_updates.array.astype("float64")
        xp = backend.get_array_module(n)
        limit = (1 + n) / (10 + n) if self.warmup else xp.ones_like(n)
        return xp.minimum(limit, self.decay)

    def update(self, model: Module) -> None:
        """Move the average one step towards ``model``'s current weights."""
        decay = self._decay_beside_weights()
        averages, weights = dict(self.module.named_parameters()), dict(model.named_parameters())
        if averages.keys() != weights.keys():
            raise ValueError("ExponentialMovingAverage.update: the model's parameters are not "
                             "those the average was made from")
        with no_grad():
            for name, average in averages.items():
                average.array *= decay.astype(average.dtype)
                average.array += (1 - decay).astype(average.dtype) * weights[name].array
            for average, buffer in zip(self.module.buffers(), model.buffers()):
                average.array[...] = buffer.array
            self.num_updates.array += 1

    def extra_repr(self) -> str:
        return f"decay={self.decay}, warmup={self.warmup}"


def _device_of(model):
    for param in model.parameters():
        return param.device
    return "cpu"
