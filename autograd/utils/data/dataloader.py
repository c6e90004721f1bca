"""DataLoader: batches from a dataset, as PyTorch's ``torch.utils.data.DataLoader``.

    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True,
                        generator=Generator().manual_seed(0))
    for epoch in range(10):
        for xb, yb in loader:        # a new order every epoch
            ...

The pipeline is PyTorch's: a sampler gives indices, a BatchSampler groups
them, the dataset is read at each index and ``collate_fn`` (by default
``default_collate``) merges the examples.  With ``batch_size=None`` batching
is off and each example goes through ``default_convert`` alone.  An
``IterableDataset`` is read as a stream, ``batch_size`` items at a time.

Everything runs in the main process: ``num_workers > 0`` is accepted so that
scripts run unchanged, and loads the same batches as ``num_workers=0`` (with
a warning, once).  ``pin_memory``, ``timeout``, ``prefetch_factor``,
``persistent_workers`` and ``multiprocessing_context`` are checked as PyTorch
checks them and otherwise ignored: they only tune worker processes and
page-locked copies, and this engine has neither.
"""
from __future__ import annotations

import itertools
import numbers
import warnings
from typing import Any, Callable, Iterator, Optional

from ...generator import Generator
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

_warned_about_workers = False    # the num_workers warning is shown once per process


def get_worker_info() -> None:
    """None: data is always loaded in the main process here (as PyTorch outside a worker)."""
    return None


def _warn_once_about_workers(num_workers: int) -> None:
    global _warned_about_workers
    if _warned_about_workers:
        return
    _warned_about_workers = True
    warnings.warn(f"DataLoader: num_workers={num_workers} is accepted, but this engine has no "
                  f"worker processes: batches are loaded in the main process, as with "
                  f"num_workers=0 (worker_init_fn is not called). Shown once.", UserWarning,
                  stacklevel=3)


def _check_worker_options(num_workers: Any, timeout: Any, prefetch_factor: Any,
                          persistent_workers: bool) -> None:
    if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) \
            or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers must be a non-negative integer (0 loads in "
                         f"the main process), got {num_workers!r}")
    if timeout < 0:
        raise ValueError(f"DataLoader: timeout must be non-negative, got {timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor is for worker processes; with "
                         "num_workers=0 leave it None")
    if num_workers == 0 and persistent_workers:
        raise ValueError("DataLoader: persistent_workers=True needs num_workers > 0")


def _check_batch_size(batch_size: Any) -> None:
    if batch_size is None:
        return
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size <= 0:
        raise ValueError(f"DataLoader: batch_size must be a positive integer or None, "
                         f"got {batch_size!r}")


class DataLoader:
    """Iterate over ``dataset`` in batches; see the module docstring."""

    def __init__(self, dataset: Dataset, batch_size: Optional[int] = 1,
                 shuffle: Optional[bool] = None, sampler: Optional[Sampler] = None,
                 batch_sampler: Optional[Sampler] = None, num_workers: int = 0,
                 collate_fn: Optional[Callable[[Any], Any]] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable[[int], None]] = None,
                 multiprocessing_context: Any = None, generator: Optional[Generator] = None,
                 *, prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        _check_batch_size(batch_size)
        if shuffle not in (None, True, False):
            raise TypeError(f"DataLoader: shuffle must be True or False, got {shuffle!r}")
        shuffle = bool(shuffle)
        self.dataset = dataset
        self.num_workers, self.timeout = int(num_workers), timeout
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.prefetch_factor, self.persistent_workers = prefetch_factor, persistent_workers
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self.in_order = in_order
        self.generator = generator
        self._is_stream = isinstance(dataset, IterableDataset)
        if self._is_stream:
            self._check_stream_options(shuffle, sampler, batch_sampler)
        else:
            sampler, batch_sampler, batch_size, drop_last = self._choose_samplers(
                shuffle, sampler, batch_sampler, batch_size, drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.batch_size, self.drop_last = batch_size, drop_last
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        if self.num_workers > 0:
            _warn_once_about_workers(self.num_workers)

    def _check_stream_options(self, shuffle: bool, sampler: Any, batch_sampler: Any) -> None:
        """An IterableDataset decides its own order: nothing may reorder it."""
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):
            if value is not None and value is not False:
                raise ValueError(f"DataLoader: an IterableDataset yields its examples in its "
                                 f"own order, so {name} must be left unset, got {value!r}")

    def _choose_samplers(self, shuffle: bool, sampler: Any, batch_sampler: Any,
                         batch_size: Optional[int], drop_last: bool) -> tuple:
        """The sampler and batch sampler for a map-style dataset, PyTorch's rules."""
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True exclude each other "
                             "(the sampler decides the order)")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler excludes batch_size, shuffle, "
                                 "sampler and drop_last (it decides all of them)")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None turns batching off, so drop_last "
                             "must be False")
        if sampler is None:
            sampler = (RandomSampler(self.dataset, generator=self.generator) if shuffle
                       else SequentialSampler(self.dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        return sampler, batch_sampler, batch_size, drop_last

    @property
    def _auto_collation(self) -> bool:
        """Whether examples are grouped into batches (False only with batch_size=None)."""
        return self.batch_size is not None or self.batch_sampler is not None

    def __len__(self) -> int:
        """Batches per epoch (examples, with batch_size=None)."""
        if not self._is_stream:
            return len(self.batch_sampler if self._auto_collation else self.sampler)
        if not hasattr(self.dataset, "__len__"):
            raise TypeError(f"DataLoader: the IterableDataset {type(self.dataset).__name__} "
                            f"defines no __len__, so the loader has no length")
        examples = len(self.dataset)
        if self.batch_size is None:
            return examples
        full, rest = divmod(examples, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[Any]:
        """One epoch of batches; each new iteration asks the sampler for a new order."""
        if self._is_stream:
            return self._stream_batches()
        return self._map_batches()

    def _map_batches(self) -> Iterator[Any]:
        if not self._auto_collation:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        read_many = getattr(self.dataset, "__getitems__", None)   # a dataset's batched read
        for indices in self.batch_sampler:
            examples = read_many(indices) if read_many else [self.dataset[i] for i in indices]
            yield self.collate_fn(examples)

    def _stream_batches(self) -> Iterator[Any]:
        stream = iter(self.dataset)
        if not self._auto_collation:
            for example in stream:
                yield self.collate_fn(example)
            return
        while True:
            examples = list(itertools.islice(stream, self.batch_size))
            if not examples or (self.drop_last and len(examples) < self.batch_size):
                return
            yield self.collate_fn(examples)
