"""Datasets: what a DataLoader reads examples from.

Two kinds, as in PyTorch:

- a map-style ``Dataset`` answers ``dataset[i]`` and ``len(dataset)``; a
  sampler decides which indices a DataLoader asks for, in which order;
- an ``IterableDataset`` is a stream: the DataLoader reads ``iter(dataset)``.

Plus the usual ways of building one from others: ``TensorDataset`` (rows of
tensors), ``Subset``, ``ConcatDataset``, ``ChainDataset`` and ``random_split``.
"""
from __future__ import annotations

import bisect
import itertools
import math
import numbers
import warnings
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Union

import numpy

from ...generator import Generator, generator_or_default
from ...tensor import Tensor


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__`` and usually ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define ``__iter__``."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: "IterableDataset") -> "ChainDataset":
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Example i is ``(t[i] for t in tensors)``: rows of tensors sharing their first dim."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor, got none")
        for position, t in enumerate(tensors):
            if not isinstance(t, Tensor) or t.ndim == 0:
                kind = "a 0-d tensor" if isinstance(t, Tensor) else type(t).__name__
                raise TypeError(f"TensorDataset: argument {position} must be a tensor with a "
                                f"first dimension, got {kind}")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: every tensor needs the same size in dim 0, "
                             f"got sizes {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Union[int, List[int]]) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Map-style datasets one after another: index ``len(first)`` is the second's 0."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expected at least one dataset, got an empty iterable")
        for position, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {position} is an IterableDataset, which "
                                f"has no indices; chain streams with ChainDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise IndexError(f"ConcatDataset: index {index} is out of range for "
                                 f"{len(self)} examples")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} is out of range for "
                             f"{len(self)} examples")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Iterable datasets read one after another."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise TypeError(f"ChainDataset: expected IterableDatasets, got "
                                f"{type(dataset).__name__}")
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)


def _lengths_from_fractions(fractions: Sequence[float], total: int) -> List[int]:
    """Fractions summing to 1 -> whole lengths summing to ``total``.

    Each length is floor(total * fraction); the examples left over go one
    each to the first subsets, round robin (as PyTorch does)."""
    lengths = [math.floor(total * fraction) for fraction in fractions]
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"random_split: the fraction {fractions[i]} gives subset {i} "
                          f"no example of {total}", stacklevel=3)
    return lengths


def random_split(dataset: Dataset, lengths: Sequence[Union[int, float]],
                 generator: Optional[Generator] = None) -> List[Subset]:
    """Split ``dataset`` at random into disjoint Subsets of the given ``lengths``.

    ``lengths`` are either counts summing to ``len(dataset)`` or fractions
    summing to 1.  The shuffle draws from ``generator`` (the library's global
    generator when None)."""
    total, lengths = len(dataset), list(lengths)
    is_fraction = all(isinstance(n, numbers.Real) and 0 <= n <= 1 for n in lengths)
    if is_fraction and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, total)
    for n in lengths:
        if not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"random_split: lengths must be non-negative integers or fractions "
                             f"summing to 1, got {lengths}")
    if sum(lengths) != total:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but "
                         f"the dataset has {total} examples")
    order = generator_or_default(generator, numpy).permutation(total).tolist()
    ends = list(itertools.accumulate(lengths))
    return [Subset(dataset, order[end - n:end]) for n, end in zip(lengths, ends)]
