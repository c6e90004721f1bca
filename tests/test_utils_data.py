"""autograd.utils.data and autograd.Generator: datasets, samplers, collation, DataLoader.

What PyTorch's documentation promises is checked here on our own; the
comparisons with torch itself are in tests/parity/test_utils_data_parity.py.
"""
import collections
import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import backend
from autograd.generator import DEFAULT_SEED, Generator, default_generator, generator_or_default
from autograd.utils import data
from autograd.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                                 IterableDataset, RandomSampler, SequentialSampler, Subset,
                                 SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                                 default_collate, default_convert, random_split)
from autograd.utils.data import dataloader as dataloader_module


def rows(n=10):
    """A TensorDataset whose example i is (row [i, i + 0.5] as float32, label i as int64)."""
    x = numpy.stack([numpy.arange(n), numpy.arange(n) + 0.5], axis=1).astype(numpy.float32)
    return TensorDataset(autograd.Tensor(x), autograd.Tensor(numpy.arange(n)))


def labels_of(loader):
    """The label batches of one epoch, as lists of ints."""
    return [y.tolist() for _, y in loader]


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return {"x": float(i), "sq": i * i}

    def __len__(self):
        return self.n


class Count(IterableDataset):
    """0, 1, ..., n - 1 as a stream, with no __len__ (SizedCount has one)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


class SizedCount(Count):
    def __len__(self):
        return self.n


# ----------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------
def test_generator_manual_seed_chains_and_repeats():
    g = Generator().manual_seed(42)
    assert isinstance(g, Generator) and g.initial_seed() == 42
    first = g.engine().random(5)
    assert numpy.array_equal(Generator().manual_seed(42).engine().random(5), first)
    assert not numpy.array_equal(Generator().manual_seed(43).engine().random(5), first)


def test_unseeded_generator_is_fixed_as_pytorch():
    assert Generator().initial_seed() == DEFAULT_SEED == 67280421310721
    assert numpy.array_equal(Generator().engine().random(3), Generator().engine().random(3))


def test_generator_seed_picks_a_fresh_seed():
    g = Generator()
    seed = g.seed()
    assert g.initial_seed() == seed and seed != DEFAULT_SEED
    assert numpy.array_equal(g.engine().random(3), Generator().manual_seed(seed).engine().random(3))


def test_generator_state_round_trip():
    g = Generator().manual_seed(7)
    state = g.get_state()
    assert isinstance(state, autograd.Tensor) and state.dtype == numpy.uint8 and state.ndim == 1
    ahead = g.engine().random(4)
    g.set_state(state)
    assert numpy.array_equal(g.engine().random(4), ahead)
    other = Generator().set_state(state)          # a state moves between generators
    g.set_state(state)
    assert numpy.array_equal(other.engine().random(4), g.engine().random(4))


def test_generator_set_state_rejects_other_values():
    with pytest.raises(TypeError, match="uint8 tensor"):
        Generator().set_state([1, 2, 3])
    with pytest.raises(ValueError, match="not a state from Generator.get_state"):
        Generator().set_state(autograd.Tensor(numpy.arange(5, dtype=numpy.uint8)))


def test_generator_device_and_kind_are_checked():
    with pytest.raises(ValueError, match="unknown device"):
        Generator("tpu")
    with pytest.raises(TypeError, match="got int"):
        generator_or_default(3)
    if autograd.cuda.is_available():  # pragma: no cover - needs a GPU
        with pytest.raises(RuntimeError, match="'cuda' array"):
            generator_or_default(Generator("cpu"), backend.module_for("cuda"))


def test_default_generator_is_the_global_one():
    assert generator_or_default(None) is backend.rng(numpy)
    assert default_generator.manual_seed(5) is default_generator
    assert default_generator.initial_seed() == 5
    expected = numpy.random.default_rng(5).random(3)
    assert numpy.array_equal(backend.rng(numpy).random(3), expected)
    state = default_generator.get_state()
    ahead = autograd.rand(4).numpy()
    default_generator.set_state(state)
    assert numpy.array_equal(autograd.rand(4).numpy(), ahead)


# ----------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------
def test_tensor_dataset_rows():
    dataset = rows(4)
    assert len(dataset) == 4
    x, y = dataset[2]
    assert x.tolist() == [2.0, 2.5] and y.item() == 2 and x.dtype == numpy.float32


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same size in dim 0, got sizes \[10, 9\]"):
        TensorDataset(autograd.zeros(10, 2), autograd.zeros(9))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 .* got ndarray"):
        TensorDataset(autograd.zeros(3), numpy.zeros(3))
    with pytest.raises(TypeError, match="0-d tensor"):
        TensorDataset(autograd.tensor(1.0))


def test_subset_and_concat():
    subset = Subset(Squares(10), [7, 2, 5])
    assert len(subset) == 3 and subset[0]["sq"] == 49 and subset[2]["sq"] == 25
    both = Squares(3) + Squares(2)
    assert isinstance(both, ConcatDataset) and both.cumulative_sizes == [3, 5] and len(both) == 5
    assert [both[i]["sq"] for i in range(5)] == [0, 1, 4, 0, 1]
    assert both[-1]["sq"] == 1 and both[-5]["sq"] == 0
    for bad in (5, -6):
        with pytest.raises(IndexError, match=f"index {bad} is out of range for 5"):
            both[bad]
    with pytest.raises(ValueError, match="at least one dataset"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="dataset 1 is an IterableDataset"):
        ConcatDataset([Squares(2), Count(2)])


def test_chain_dataset():
    chained = Count(2) + SizedCount(3)
    assert isinstance(chained, ChainDataset) and list(chained) == [0, 1, 0, 1, 2]
    assert len(ChainDataset([SizedCount(2), SizedCount(3)])) == 5
    with pytest.raises(TypeError, match="expected IterableDatasets, got Squares"):
        list(ChainDataset([Squares(2)]))


def test_random_split_with_counts_is_a_seeded_partition():
    parts = random_split(range(10), [3, 7], generator=Generator().manual_seed(1))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(range(10), [3, 7], generator=Generator().manual_seed(1))
    other = random_split(range(10), [3, 7], generator=Generator().manual_seed(2))
    assert again[0].indices == parts[0].indices
    assert other[0].indices != parts[0].indices
    assert [parts[0][i] for i in range(3)] == parts[0].indices   # Subset of range(10)


def test_random_split_with_fractions():
    assert [len(p) for p in random_split(range(10), [0.3, 0.7])] == [3, 7]
    # 5 * 0.5 = 2.5: floors give 2 + 2, the example left over goes to the first subset
    assert [len(p) for p in random_split(range(5), [0.5, 0.5])] == [3, 2]
    assert [len(p) for p in random_split(range(7), [0.25, 0.25, 0.5])] == [2, 2, 3]
    with pytest.warns(UserWarning, match="subset 1 no example"):   # floors 0, 0, 1; +1 to the first
        assert [len(p) for p in random_split(range(2), [0.2, 0.3, 0.5])] == [1, 0, 1]


def test_random_split_errors():
    with pytest.raises(ValueError, match=r"lengths \[3, 6\] sum to 9, but the dataset has 10"):
        random_split(range(10), [3, 6])
    with pytest.raises(ValueError, match="non-negative integers or fractions"):
        random_split(range(10), [0.5, 0.2])
    with pytest.raises(ValueError, match="non-negative integers"):
        random_split(range(10), [12, -2])


def test_random_split_uses_the_global_generator_by_default():
    autograd.manual_seed(3)
    first = random_split(range(20), [10, 10])[0].indices
    autograd.manual_seed(3)
    assert random_split(range(20), [10, 10])[0].indices == first


# ----------------------------------------------------------------------------
# Samplers
# ----------------------------------------------------------------------------
def test_sequential_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert len(SequentialSampler([0] * 6)) == 6


def test_random_sampler_permutes_and_redraws_each_epoch():
    sampler = RandomSampler(range(20), generator=Generator().manual_seed(0))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(20)) and first != second
    replay = RandomSampler(range(20), generator=Generator().manual_seed(0))
    assert [list(replay), list(replay)] == [first, second]


def test_random_sampler_num_samples_and_replacement():
    long = list(RandomSampler(range(4), num_samples=10))   # 2 permutations, then 2 more
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    assert len(set(long[8:])) == 2
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=300))
    assert len(drawn) == 300 and set(drawn) == {0, 1, 2}
    assert len(RandomSampler(range(3), replacement=True, num_samples=300)) == 300
    with pytest.raises(ValueError,
                       match="RandomSampler: num_samples must be a positive integer, got 0"):
        RandomSampler(range(0))
    with pytest.raises(TypeError,
                       match="RandomSampler: replacement must be True or False, got 'no'"):
        RandomSampler(range(3), replacement="no")
    with pytest.raises(ValueError, match="empty dataset"):
        list(RandomSampler(range(0), num_samples=2))


def test_subset_random_sampler():
    sampler = SubsetRandomSampler([10, 20, 30, 40], generator=Generator().manual_seed(0))
    epochs = [list(sampler) for _ in range(4)]
    assert all(sorted(e) == [10, 20, 30, 40] for e in epochs) and len(sampler) == 4
    assert len({tuple(e) for e in epochs}) > 1


def test_weighted_random_sampler():
    drawn = list(WeightedRandomSampler([0.0, 1.0, 3.0], 2000, generator=Generator().manual_seed(0)))
    counts = numpy.bincount(drawn, minlength=3)
    assert counts[0] == 0 and 0.70 < counts[2] / 2000 < 0.80       # 3/4 expected
    distinct = list(WeightedRandomSampler(autograd.tensor([1.0, 1.0, 1.0]), 3, replacement=False))
    assert sorted(distinct) == [0, 1, 2]
    with pytest.raises(ValueError, match="cannot draw 3 indices without replacement from 2"):
        WeightedRandomSampler([1.0, 0.0, 1.0], 3, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)


def test_batch_sampler():
    assert list(BatchSampler(range(7), 3, drop_last=False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    assert len(BatchSampler(range(6), 3, False)) == 2
    with pytest.raises(ValueError,
                       match="BatchSampler: batch_size must be a positive integer, got 0"):
        BatchSampler(range(7), 0, False)
    with pytest.raises(ValueError, match="got True"):
        BatchSampler(range(7), True, False)
    with pytest.raises(TypeError, match="drop_last must be True or False, got None"):
        BatchSampler(range(7), 2, None)


# ----------------------------------------------------------------------------
# Collation
# ----------------------------------------------------------------------------
def test_collate_tensors_and_arrays_keep_dtype():
    examples = [autograd.Tensor(numpy.full((2, 3), i, numpy.float16)) for i in range(4)]
    batch = default_collate(examples)
    assert batch.shape == (4, 2, 3) and batch.dtype == numpy.float16 and batch[3, 1, 2].item() == 3
    arrays = default_collate([numpy.arange(3, dtype=numpy.int32)] * 2)
    assert isinstance(arrays, autograd.Tensor) and arrays.dtype == numpy.int32
    assert arrays.shape == (2, 3)


def test_collate_numbers():
    ints, floats = default_collate([1, 2]), default_collate([1.5, 2])
    bools = default_collate([True, False])
    assert ints.dtype == numpy.int64 and ints.tolist() == [1, 2]
    assert floats.dtype == numpy.float64 and floats.tolist() == [1.5, 2.0]
    assert bools.dtype == numpy.bool_ and bools.tolist() == [True, False]
    assert default_collate([numpy.float32(1), numpy.float32(2)]).dtype == numpy.float32
    assert default_collate([numpy.uint8(1), numpy.uint8(2)]).dtype == numpy.uint8
    zero_d = default_collate([numpy.array(1.5), numpy.array(2.5)])
    assert zero_d.shape == (2,) and zero_d.dtype == numpy.float64


def test_collate_containers():
    assert default_collate(["a", "b"]) == ["a", "b"]
    pairs = default_collate([(1, "a"), (2, "b")])
    assert isinstance(pairs, list) and pairs[0].tolist() == [1, 2] and pairs[1] == ("a", "b")
    lists = default_collate([[1, 2], [3, 4]])
    assert [t.tolist() for t in lists] == [[1, 3], [2, 4]]
    nested = default_collate([{"x": numpy.zeros(2), "meta": {"id": i, "tags": (0.5, "t")}}
                              for i in range(3)])
    assert set(nested) == {"x", "meta"} and nested["x"].shape == (3, 2)
    assert nested["meta"]["id"].tolist() == [0, 1, 2]
    tags = nested["meta"]["tags"]
    assert tags[0].dtype == numpy.float64 and tags[1] == ("t",) * 3
    Point = collections.namedtuple("Point", "x y")
    point = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(point, Point) and point.x.tolist() == [1, 3]
    assert point.y.dtype == numpy.float64
    ordered = default_collate([collections.OrderedDict(b=1, a=2)] * 2)
    assert isinstance(ordered, collections.OrderedDict) and list(ordered) == ["b", "a"]


def test_collate_keeps_the_graph_for_examples_that_need_grad():
    leaves = [autograd.tensor([1.0, 2.0], requires_grad=True) for _ in range(3)]
    batch = default_collate(leaves)
    (batch * autograd.tensor([[1.0, 2.0]])).sum().backward()
    assert all(leaf.grad.tolist() == [1.0, 2.0] for leaf in leaves)


def test_collate_errors_name_what_went_wrong():
    with pytest.raises(RuntimeError, match=r"\(3,\) at entry 0, \(2,\) at entry 1"):
        default_collate([autograd.zeros(3), autograd.zeros(2), autograd.zeros(3)])
    with pytest.raises(RuntimeError,
                       match=r"NumPy arrays .* \(2, 2\) at entry 0, \(1, 2\) at entry 1"):
        default_collate([numpy.zeros((2, 2)), numpy.zeros((1, 2))])
    with pytest.raises(TypeError, match="cannot collate elements of type object"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match=r"same length .* got lengths \[2, 1\]"):
        default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="dtype <U1"):
        default_collate([numpy.array(["a"]), numpy.array(["b"])])
    with pytest.raises(KeyError, match="entry 1 of the batch has no key 'y'"):
        default_collate([{"x": 1, "y": 2}, {"x": 1}])
    with pytest.raises(ValueError, match="empty"):
        default_collate([])


def test_default_convert():
    converted = default_convert((numpy.zeros(2, numpy.float32), 3, "s", {"k": numpy.float64(1)}))
    assert isinstance(converted, list) and converted[0].dtype == numpy.float32
    assert converted[1:3] == [3, "s"]
    assert converted[3]["k"].dtype == numpy.float64 and converted[3]["k"].shape == ()
    strings = numpy.array(["a"])
    assert default_convert(strings) is strings


# ----------------------------------------------------------------------------
# DataLoader
# ----------------------------------------------------------------------------
def test_loader_batches_in_order_with_a_partial_last_batch():
    loader = DataLoader(rows(10), batch_size=4)
    assert len(loader) == 3
    assert labels_of(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    x, y = next(iter(loader))
    assert x.shape == (4, 2) and x.dtype == numpy.float32 and y.dtype == numpy.int64
    assert x.tolist()[1] == [1.0, 1.5]


def test_loader_drop_last():
    loader = DataLoader(rows(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and labels_of(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(rows(3), batch_size=4, drop_last=True)) == 0


def test_loader_shuffle_is_seeded_and_new_each_epoch():
    def make():
        return DataLoader(rows(20), batch_size=6, shuffle=True,
                          generator=Generator().manual_seed(3))

    loader = make()
    epochs = [sum(labels_of(loader), []) for _ in range(3)]
    assert all(sorted(e) == list(range(20)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    replay = make()
    assert [sum(labels_of(replay), []) for _ in range(3)] == epochs
    other = DataLoader(rows(20), batch_size=6, shuffle=True, generator=Generator().manual_seed(4))
    assert sum(labels_of(other), []) != epochs[0]


def test_loader_shuffle_without_generator_follows_manual_seed():
    autograd.manual_seed(11)
    first = labels_of(DataLoader(rows(20), batch_size=5, shuffle=True))
    autograd.manual_seed(11)
    assert labels_of(DataLoader(rows(20), batch_size=5, shuffle=True)) == first


def test_loader_pairs_stay_paired_when_shuffled():
    for x, y in DataLoader(rows(12), batch_size=5, shuffle=True):
        numpy.testing.assert_array_equal(x.numpy()[:, 0], y.numpy())


def test_loader_over_dicts_and_a_custom_collate_fn():
    x_batch = next(iter(DataLoader(Squares(5), batch_size=3)))
    assert x_batch["x"].dtype == numpy.float64 and x_batch["sq"].tolist() == [0, 1, 4]
    sizes = list(DataLoader(Squares(5), batch_size=2, collate_fn=len))
    assert sizes == [2, 2, 1]


def test_loader_without_batching():
    loader = DataLoader(rows(3), batch_size=None)
    assert len(loader) == 3
    x, y = list(loader)[2]
    assert x.shape == (2,) and y.item() == 2
    converted = list(DataLoader([numpy.float32(1.5)], batch_size=None))
    assert converted[0].dtype == numpy.float32 and converted[0].shape == ()


def test_loader_with_a_sampler_or_a_batch_sampler():
    loader = DataLoader(rows(6), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert labels_of(loader) == [[5, 4], [3, 2], [1, 0]]
    batches = DataLoader(rows(6), batch_sampler=[[0, 5], [1, 2, 3]])
    assert batches.batch_size is None and labels_of(batches) == [[0, 5], [1, 2, 3]]
    assert len(batches) == 2


def test_loader_uses_a_batched_read_when_the_dataset_has_one():
    class Batched(Squares):
        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [self[i] for i in indices]

    dataset = Batched(5)
    dataset.calls = []
    list(DataLoader(dataset, batch_size=3))
    assert dataset.calls == [[0, 1, 2], [3, 4]]


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=0), "DataLoader: batch_size must be a positive integer or None, got 0"),
    (dict(batch_size=2.5), "got 2.5"),
    (dict(sampler=[0, 1], shuffle=True), "sampler and shuffle=True exclude each other"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler excludes batch_size"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler excludes"),
    (dict(batch_size=None, drop_last=True), "drop_last must be False"),
    (dict(num_workers=-1), "num_workers must be a non-negative integer .* got -1"),
    (dict(prefetch_factor=2), "prefetch_factor"),
    (dict(persistent_workers=True), "persistent_workers=True needs num_workers > 0"),
    (dict(timeout=-1), "timeout must be non-negative"),
])
def test_loader_rejects_conflicting_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(rows(4), **kwargs)


def test_loader_shuffle_must_be_a_bool():
    with pytest.raises(TypeError, match="shuffle must be True or False, got 'yes'"):
        DataLoader(rows(4), shuffle="yes")


def test_loader_workers_run_in_process_with_one_warning(monkeypatch):
    monkeypatch.setattr(dataloader_module, "_warned_about_workers", False)
    with pytest.warns(UserWarning, match="num_workers=4 .* main process"):
        loader = DataLoader(rows(10), batch_size=4, num_workers=4, pin_memory=True,
                            persistent_workers=True, prefetch_factor=2,
                            worker_init_fn=lambda worker: 1 / 0)   # never called here
    assert labels_of(loader) == labels_of(DataLoader(rows(10), batch_size=4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                             # the second one is silent
        DataLoader(rows(10), batch_size=4, num_workers=2)
    assert data.get_worker_info() is None


def test_loader_over_an_iterable_dataset():
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3, drop_last=True)] == [[0, 1, 2],
                                                                                         [3, 4, 5]]
    assert list(DataLoader(Count(3), batch_size=None)) == [0, 1, 2]   # default_convert keeps ints
    assert len(DataLoader(SizedCount(7), batch_size=3)) == 3
    assert len(DataLoader(SizedCount(7), batch_size=3, drop_last=True)) == 2
    with pytest.raises(TypeError, match="Count defines no __len__"):
        len(DataLoader(Count(7), batch_size=3))
    with pytest.raises(ValueError, match="IterableDataset .* shuffle must be left unset"):
        DataLoader(Count(7), shuffle=True)
    with pytest.raises(ValueError, match="sampler must be left unset"):
        DataLoader(Count(7), sampler=[0, 1])


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), drop_last=st.booleans(),
       shuffle=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_loader_visits_every_index_once_per_epoch(n, batch_size, drop_last, shuffle, seed):
    loader = DataLoader(rows(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        generator=Generator().manual_seed(seed))
    batches = labels_of(loader)
    assert len(batches) == len(loader)
    seen = sum(batches, [])
    assert len(seen) == len(set(seen))                     # never twice
    if drop_last:
        assert all(len(b) == batch_size for b in batches) and len(seen) == n - n % batch_size
    else:
        assert sorted(seen) == list(range(n))              # every one exactly once
        assert all(len(b) == batch_size for b in batches[:-1])
    if not shuffle:
        assert seen == list(range(len(seen)))


def test_a_pytorch_style_training_loop_runs_and_learns():
    """The shape of an ordinary PyTorch script: split, shuffled loader, train, evaluate."""
    torch = autograd
    torch.manual_seed(0)
    inputs = torch.randn(200, 3)
    targets = inputs @ torch.tensor([[1.0], [-2.0], [0.5]])
    train, val = random_split(TensorDataset(inputs, targets), [0.8, 0.2],
                              generator=Generator().manual_seed(0))
    loader = DataLoader(train, batch_size=32, shuffle=True, drop_last=True)
    model, loss_fn = torch.nn.Linear(3, 1), torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    with torch.no_grad():
        val_x, val_y = next(iter(DataLoader(val, batch_size=len(val))))
        assert val_x.shape == (40, 3) and loss_fn(model(val_x), val_y).item() < 1e-3
