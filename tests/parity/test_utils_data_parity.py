"""autograd.utils.data against torch.utils.data: the same batches, lengths and types.

Each check runs the same code with ``m`` = autograd and ``m`` = torch, then
compares a plain description of the results: container types, tensor dtypes,
shapes and values.  Shuffled orders are not compared: they come from
different random generators (NumPy's against PyTorch's) by design.

The whole module is skipped when torch is not installed.
"""
import collections

import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import autograd.utils.data  # noqa: E402,F401  (binds autograd.utils)
from autograd import Tensor  # noqa: E402

LIBRARIES = {"autograd": autograd, "torch": torch}
Pair = collections.namedtuple("Pair", "left right")


def describe(value):
    """A library-neutral picture of a (nested) batch: types, dtypes, shapes, values."""
    if isinstance(value, (Tensor, torch.Tensor)):
        dtype = str(value.dtype).replace("torch.", "")
        return ("tensor", dtype, tuple(value.shape), value.tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {key: describe(v) for key, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [describe(v) for v in value])
    return (type(value).__name__, value)


def on_both(make):
    """describe(make(m)) for both libraries; asserts they agree and returns one."""
    pictures = {name: describe(make(m)) for name, m in LIBRARIES.items()}
    assert pictures["autograd"] == pictures["torch"]
    return pictures["torch"]


def columns(m):
    """A TensorDataset with four dtypes and shapes, made by library m."""
    rng = numpy.random.default_rng(0)
    arrays = (rng.standard_normal((11, 2, 3)).astype(numpy.float32),
              numpy.arange(11, dtype=numpy.int64),
              rng.integers(0, 256, (11, 4), dtype=numpy.uint8),
              rng.standard_normal(11) > 0)
    return m.utils.data.TensorDataset(*(m.tensor(a) for a in arrays))


class Records:
    """A map-style dataset of dicts mixing numbers, arrays, strings and tuples."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"id": i, "score": i / 4, "flag": i % 2 == 0, "name": f"r{i}",
                "pixels": numpy.full((2, 2), i, dtype=numpy.float32),
                "pair": (numpy.int16(i), numpy.float64(-i)), "point": Pair(i, [i, 2.5])}


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (4, False), (4, True), (11, False),
                                                   (20, False), (20, True), (None, False)])
def test_tensor_dataset_batches_match(batch_size, drop_last):
    def epoch(m):
        loader = m.utils.data.DataLoader(columns(m), batch_size=batch_size, drop_last=drop_last)
        return [len(loader)] + list(loader)

    on_both(epoch)


@pytest.mark.parametrize("batch_size", [3, None])
def test_dict_dataset_batches_match(batch_size):
    picture = on_both(lambda m: list(m.utils.data.DataLoader(Records(), batch_size=batch_size)))
    assert len(picture[1]) == (3 if batch_size else 7)


def test_sampler_and_batch_sampler_batches_match():
    on_both(lambda m: list(m.utils.data.DataLoader(columns(m), batch_size=3,
                                                   sampler=[10, 0, 9, 1, 8])))
    on_both(lambda m: list(m.utils.data.DataLoader(columns(m), batch_sampler=[[5, 6], [1]])))
    on_both(lambda m: list(m.utils.data.BatchSampler(range(10), 4, drop_last=False)))


def test_iterable_dataset_batches_match():
    def stream(m):
        class Stream(m.utils.data.IterableDataset):
            def __iter__(self):
                return iter([(i, float(i)) for i in range(5)])

        return [list(m.utils.data.DataLoader(Stream(), batch_size=2, drop_last=drop))
                for drop in (False, True)]

    on_both(stream)


COLLATE_INPUTS = {
    "python ints": [1, 2, 3],
    "python floats": [1.5, 2.0],
    "int then float": [1, 2.5],
    "bools": [True, False],
    "strings": ["a", "b"],
    "numpy float32 scalars": [numpy.float32(1), numpy.float32(2)],
    "numpy int32 scalars": [numpy.int32(1), numpy.int32(2)],
    "numpy bool scalars": [numpy.bool_(True), numpy.bool_(False)],
    "0-d arrays": [numpy.array(1.5), numpy.array(2.5)],
    "uint8 arrays": [numpy.zeros((2, 3), numpy.uint8), numpy.ones((2, 3), numpy.uint8)],
    "float16 arrays": [numpy.zeros(2, numpy.float16)] * 3,
    "tuples": [(1, "x", 0.5), (2, "y", 1.5)],
    "lists": [[1, 2], [3, 4]],
    "namedtuples": [Pair(1, 2.0), Pair(3, 4.0)],
    "nested dicts": [{"a": {"b": (1, [2.0])}, "c": "s"}] * 2,
    "ordered dicts": [collections.OrderedDict(z=1, a=2.0)] * 2,
}


@pytest.mark.parametrize("name", sorted(COLLATE_INPUTS))
def test_default_collate_types_match(name):
    on_both(lambda m: m.utils.data.default_collate(COLLATE_INPUTS[name]))


def test_default_collate_of_tensors_matches():
    def collate(m):
        float_rows = [m.tensor(numpy.full(3, i, numpy.float64)) for i in range(4)]
        int_rows = [m.tensor(numpy.arange(2, dtype=numpy.int32)) for _ in range(2)]
        return [m.utils.data.default_collate(float_rows), m.utils.data.default_collate(int_rows)]

    on_both(collate)


@pytest.mark.parametrize("name", ["python ints", "tuples", "nested dicts", "numpy float32 scalars",
                                  "uint8 arrays"])
def test_default_convert_types_match(name):
    on_both(lambda m: [m.utils.data.default_convert(x) for x in COLLATE_INPUTS[name]])


@pytest.mark.parametrize("total, lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (5, [0.5, 0.5]), (7, [0.25, 0.25, 0.5]), (11, [0.2] * 5),
    (3, [1, 1, 1]), (100, [0.33, 0.33, 0.34])])
def test_random_split_lengths_and_disjointness_match(total, lengths):
    def split(m):
        parts = m.utils.data.random_split(range(total), lengths)
        indices = [list(p.indices) for p in parts]
        flat = sum(indices, [])
        assert sorted(flat) == list(range(total))          # disjoint and complete
        return [len(p) for p in parts]

    on_both(split)


def test_random_split_rejects_what_torch_rejects():
    for name, m in LIBRARIES.items():
        with pytest.raises(ValueError):
            m.utils.data.random_split(range(10), [3, 6])
        with pytest.raises(ValueError):
            m.utils.data.random_split(range(10), [0.5, 0.2])
