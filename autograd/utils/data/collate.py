"""Collation: a list of examples -> one batch, as PyTorch's ``default_collate``.

The first example's type decides, and containers are collated field by field::

    Tensor / NumPy array / NumPy scalar -> Tensor with a new first dim (dtype kept)
    Python float                         -> float64 Tensor
    Python int (bool)                    -> int64 (bool) Tensor
    str / bytes                          -> left as they are (the list, or the tuple
                                            of a field of tuples, itself)
    dict                                 -> dict of collated values, same keys
    namedtuple                           -> the same namedtuple of collated fields
    tuple / list                         -> a list of collated positions

``default_convert`` is the same walk for one example without batching (the
DataLoader's ``batch_size=None``): arrays and NumPy scalars become Tensors,
everything else keeps its value.
"""
from __future__ import annotations

import collections.abc
import copy
import numbers
from typing import Any, Callable, List, Sequence

import numpy

from ... import backend
from ...creation import as_tensor, tensor
from ...dtypes import float64
from ...grad_mode import STATE
from ...ops.shape import stack
from ...tensor import Tensor

# NumPy dtype characters with no Tensor counterpart: bytes, strings and objects.
_UNCONVERTIBLE_DTYPES = "SaUO"


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _shape_report(shapes: List[tuple]) -> str:
    """'(3,) at entry 0, (2,) at entry 1': each distinct shape with where it first appears."""
    first_seen: dict = {}
    for entry, shape in enumerate(shapes):
        first_seen.setdefault(tuple(shape), entry)
    return ", ".join(f"{shape} at entry {entry}" for shape, entry in first_seen.items())


def _check_same_shapes(shapes: List[tuple], what: str) -> None:
    if len(set(map(tuple, shapes))) > 1:
        raise RuntimeError(f"default_collate: {what} in a batch must have the same shape to be "
                           f"stacked, got {_shape_report(shapes)}; pad them to one shape or "
                           f"pass the DataLoader a collate_fn")


def _collate_tensors(batch: Sequence[Tensor]) -> Tensor:
    _check_same_shapes([t.shape for t in batch], "Tensors")
    devices = {backend.device_of(t.array) for t in batch}
    if len(devices) > 1:
        raise RuntimeError(f"default_collate: the batch mixes Tensors on {sorted(devices)}; "
                           f"move them to one device first")
    if STATE.grad_enabled and any(t.requires_grad for t in batch):
        return stack(batch)          # through the graph, so gradients reach the examples
    xp = backend.get_array_module(batch[0].array)
    return Tensor(xp.stack([t.array for t in batch]))   # plain data: skip the graph


def _collate_numpy(batch: Sequence[Any]) -> Tensor:
    """NumPy arrays or NumPy scalars -> one Tensor keeping their dtype."""
    arrays = [numpy.asarray(b) for b in batch]
    if arrays[0].dtype.char in _UNCONVERTIBLE_DTYPES:
        raise TypeError(f"default_collate: cannot collate NumPy arrays of dtype "
                        f"{arrays[0].dtype} (strings or objects) into a Tensor")
    _check_same_shapes([a.shape for a in arrays], "NumPy arrays")
    return as_tensor(numpy.stack(arrays))


def _collate_mapping(batch: Sequence[Any], collate: Callable) -> Any:
    first = batch[0]
    collated = {}
    for key in first:
        values = []
        for entry, example in enumerate(batch):
            if key not in example:
                raise KeyError(f"default_collate: entry {entry} of the batch has no key "
                               f"{key!r}, which entry 0 has")
            values.append(example[key])
        collated[key] = collate(values)
    return _same_mapping_type(first, collated)


def _same_mapping_type(template: Any, values: dict) -> Any:
    """``values`` in the mapping type of ``template`` (OrderedDict stays one), else a dict."""
    if isinstance(template, collections.abc.MutableMapping):
        clone = copy.copy(template)      # keeps what the type carries, e.g. a default_factory
        clone.update(values)
        return clone
    try:
        return type(template)(values)
    except TypeError:
        return values


def _collate_sequences(batch: Sequence[Any], collate: Callable) -> Any:
    first = batch[0]
    lengths = [len(example) for example in batch]
    if len(set(lengths)) > 1:
        raise RuntimeError(f"default_collate: every sequence in a batch must have the same "
                           f"length to be collated, got lengths {lengths}")
    columns = [collate(column) for column in zip(*batch)]   # each column a tuple, as PyTorch
    if _is_namedtuple(first):
        return type(first)(*columns)
    if isinstance(first, tuple):
        return columns                   # PyTorch turns a batch of tuples into a list
    try:
        return type(first)(columns)
    except TypeError:
        return columns


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of examples into a batch (see the module docstring for the rules)."""
    if len(batch) == 0:
        raise ValueError("default_collate: the batch is empty; there is nothing to collate")
    first = batch[0]
    if isinstance(first, Tensor):
        return _collate_tensors(batch)
    if isinstance(first, (numpy.ndarray, numpy.bool_, numpy.number)):
        return _collate_numpy(batch)
    if isinstance(first, float):
        return tensor(batch, dtype=float64)
    if isinstance(first, numbers.Integral):     # int and bool, as torch.tensor reads them
        return tensor(batch)
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, collections.abc.Mapping):
        return _collate_mapping(batch, default_collate)
    if isinstance(first, collections.abc.Sequence):
        return _collate_sequences(batch, default_collate)
    raise TypeError(f"default_collate: cannot collate elements of type {type(first).__name__}; "
                    f"it collates Tensors, NumPy arrays, numbers, strings, dicts, lists and "
                    f"tuples (pass the DataLoader a collate_fn for other types)")


def default_convert(data: Any) -> Any:
    """One example's arrays and NumPy scalars as Tensors, containers walked through."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (numpy.ndarray, numpy.bool_, numpy.number)):
        array = numpy.asarray(data)
        return data if array.dtype.char in _UNCONVERTIBLE_DTYPES else as_tensor(array)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _same_mapping_type(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, tuple):
        return [default_convert(value) for value in data]
    if isinstance(data, collections.abc.Sequence):
        converted = [default_convert(value) for value in data]
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data
