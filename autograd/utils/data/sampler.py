"""Samplers: the order in which a DataLoader asks a map-style dataset for examples.

A sampler is an iterable of indices (``SequentialSampler``, ``RandomSampler``,
``SubsetRandomSampler``, ``WeightedRandomSampler``); a ``BatchSampler`` groups
any of them into lists of indices, one list per batch.

Random samplers draw a whole epoch's indices when their iteration starts,
from their ``generator`` or, when it is None, from the library's global
generator (``autograd.manual_seed`` seeds it).  Each new iteration draws
again, so every epoch gets a new order, and a generator seeded the same way
gives the same sequence of orders.  The numbers are NumPy's: they cannot
match PyTorch's, only the behaviour does.
"""
from __future__ import annotations

import numbers
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Sized

import numpy

from ... import backend
from ...generator import Generator, generator_or_default


def _check_positive_int(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, numpy.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source: Optional[Sized] = None) -> None:
        pass  # PyTorch's old signature took the data source; subclasses keep what they need

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices of ``data_source`` in random order.

    Without replacement, each epoch is a permutation (several, cut to
    ``num_samples``, when ``num_samples`` exceeds the data); with replacement,
    ``num_samples`` independent uniform draws."""

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: Optional[int] = None, generator: Optional[Generator] = None) -> None:
        self.data_source = data_source
        self.replacement = _check_bool("RandomSampler", "replacement", replacement)
        self._num_samples = num_samples
        self.generator = generator
        _check_positive_int("RandomSampler", "num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields: len(data_source) unless given."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        size, wanted = len(self.data_source), self.num_samples
        if size == 0:
            raise ValueError(f"RandomSampler: cannot draw {wanted} indices from an empty dataset")
        rng = generator_or_default(self.generator, numpy)
        if self.replacement:
            yield from rng.integers(0, size, size=wanted).tolist()
            return
        for _ in range(wanted // size):
            yield from rng.permutation(size).tolist()
        yield from rng.permutation(size)[:wanted % size].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, new each epoch."""

    def __init__(self, indices: Sequence[int], generator: Optional[Generator] = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        order = generator_or_default(self.generator, numpy).permutation(len(self.indices))
        for i in order.tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in 0 .. len(weights) - 1, index i drawn with probability
    proportional to ``weights[i]`` (the weights need not sum to 1)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Optional[Generator] = None) -> None:
        self.num_samples = _check_positive_int("WeightedRandomSampler", "num_samples", num_samples)
        self.replacement = _check_bool("WeightedRandomSampler", "replacement", replacement)
        weights = numpy.asarray(backend.to_numpy(getattr(weights, "array", weights)), dtype=float)
        if weights.ndim != 1 or not numpy.isfinite(weights).all() or (weights < 0).any() \
                or weights.sum() <= 0:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-d sequence of finite, "
                             f"non-negative numbers with a positive sum, got {weights}")
        if not replacement and num_samples > numpy.count_nonzero(weights):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} indices without "
                             f"replacement from {numpy.count_nonzero(weights)} non-zero weights")
        self.weights = weights
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        rng = generator_or_default(self.generator, numpy)
        drawn = rng.choice(len(self.weights), size=self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last list may be shorter,
    unless ``drop_last`` leaves it out."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = _check_positive_int("BatchSampler", "batch_size", batch_size)
        self.drop_last = _check_bool("BatchSampler", "drop_last", drop_last)

    def __iter__(self) -> Iterator[List[int]]:
        batch: List[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        full, rest = divmod(len(self.sampler), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)
