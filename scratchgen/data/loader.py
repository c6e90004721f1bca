"""DataLoader: mini-batches of NumPy data as autograd Tensors, shuffled and resumable.

    loader = DataLoader((images, labels), batch_size=64, seed=0)
    for epoch in range(10):
        for x, y in loader:          # Tensors, one epoch per for loop
            ...

Randomness is the loader's own, never the global generators, so a run can be
repeated and resumed exactly:

- epoch e visits the examples in the order of a permutation drawn from
  ``numpy.random.default_rng((seed, e))``: a new order each epoch, and one
  that can be drawn again at any time from two numbers;
- ``transform(batch, rng)`` (e.g. stochastic binarisation) draws from the
  loader's generator ``self.rng``, seeded with ``seed``.

Batches of indices come from ``autograd.utils.data.BatchSampler`` over that
order, the grouping PyTorch's DataLoader uses; the order itself stays this
loader's own (seed, epoch) draw, since a PyTorch-style generator advancing
from epoch to epoch could not redraw epoch e without replaying the ones before.

So the whole state is three plain values: the epoch, the number of batches of
it already given out, and ``self.rng``'s bit-generator state. ``state_dict()``
returns them (JSON-able), ``load_state_dict()`` puts them back, and the loader
then yields exactly the batches an uninterrupted one would have.
A for loop left early leaves the loader mid-epoch: the next loop finishes
that epoch.
"""
import itertools

import numpy

from autograd import Tensor, backend
from autograd.utils.data import BatchSampler


class DataLoader:
    """Batches of ``dataset`` as Tensors on ``device``, ``batch_size`` examples each.

    dataset: an array, or a tuple of arrays sharing their first dimension
    (images, labels); a batch is then a tuple of Tensors. Dtypes are kept.
    transform(array, rng) -> array: applied to the batch's first array, in
    NumPy, before it becomes a Tensor; e.g. transforms.stochastic_binarize.
    """

    def __init__(self, dataset, batch_size, shuffle=True, drop_last=False, seed=0, device=None,
                 transform=None):
        self.is_tuple = isinstance(dataset, (tuple, list))
        self.arrays = tuple(dataset) if self.is_tuple else (dataset,)
        _check_arrays(self.arrays)
        if int(batch_size) < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.shuffle, self.drop_last, self.seed = shuffle, bool(drop_last), int(seed)
        self.device = backend.normalize_device(device)
        self.transform = transform
        self.n = len(self.arrays[0])
        if len(self) == 0:
            raise ValueError(f"DataLoader: {self.n} examples make no batch of {self.batch_size}"
                             f"{' with drop_last=True' if drop_last else ''}")
        self.rng = numpy.random.default_rng(self.seed)
        self.epoch = 0       # epochs completed
        self.position = 0    # batches of the current epoch already given out

    def __len__(self):
        """Batches per epoch."""
        return len(self._index_batches(range(self.n)))

    def _index_batches(self, order):
        """The epoch's lists of example indices, ``batch_size`` each, in ``order``."""
        return BatchSampler(order, self.batch_size, self.drop_last)

    def order(self, epoch):
        """The example indices in the order epoch ``epoch`` visits them."""
        if not self.shuffle:
            return numpy.arange(self.n)
        return numpy.random.default_rng((self.seed, epoch)).permutation(self.n)

    def __iter__(self):
        """The remaining batches of the current epoch."""
        batches = self._index_batches(self.order(self.epoch).tolist())
        for indices in itertools.islice(batches, self.position, None):
            batch = self._make_batch(indices)
            self.position += 1                    # counted before it is handed out, so a
            if self.position == len(self):        # state_dict() taken now resumes after it
                self.epoch, self.position = self.epoch + 1, 0
            yield batch

    def _make_batch(self, indices):
        arrays = [array[indices] for array in self.arrays]
        if self.transform is not None:
            arrays[0] = self.transform(arrays[0], self.rng)
        tensors = tuple(Tensor(backend.to_device(array, self.device)) for array in arrays)
        return tensors if self.is_tuple else tensors[0]

    def batches(self, steps=None):
        """``steps`` batches (forever when None), running on from epoch to epoch."""
        given = 0
        while steps is None or given < steps:
            for batch in self:
                yield batch
                given += 1
                if given == steps:
                    return

    def state_dict(self):
        """Where the loader stands, as plain JSON-able values."""
        return {"epoch": self.epoch, "position": self.position,
                "rng_state": self.rng.bit_generator.state,
                "seed": self.seed, "n": self.n, "batch_size": self.batch_size,
                "shuffle": self.shuffle, "drop_last": self.drop_last}

    def load_state_dict(self, state):
        """Resume from a state_dict() of a loader over the same data with the same settings."""
        self.check_state_dict(state)
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        self.rng.bit_generator.state = state["rng_state"]

    def check_state_dict(self, state):
        """Raise ValueError unless ``load_state_dict(state)`` would resume this loader."""
        mine = self.state_dict()
        if not isinstance(state, dict) or set(state) != set(mine):
            raise ValueError(f"DataLoader.load_state_dict: expected the keys {sorted(mine)}")
        settings = ("seed", "n", "batch_size", "shuffle", "drop_last")
        differ = [f"{key}: saved {state.get(key)!r}, here {mine[key]!r}"
                  for key in settings if state.get(key) != mine[key]]
        if differ:
            raise ValueError("DataLoader.load_state_dict: the saved loader had other settings, "
                             "so its batches would not be resumed: " + "; ".join(differ))
        for key in ("epoch", "position"):
            if isinstance(state[key], bool) or not isinstance(state[key], int) or state[key] < 0:
                raise ValueError(f"DataLoader.load_state_dict: {key} must be an int >= 0, "
                                 f"got {state[key]!r:.40}")
        if not state["position"] < len(self):
            raise ValueError(f"DataLoader.load_state_dict: position {state['position']} is "
                             f"outside an epoch of {len(self)} batches")
        try:
            numpy.random.default_rng().bit_generator.state = state["rng_state"]
        except (TypeError, ValueError, KeyError, OverflowError) as err:
            raise ValueError(f"DataLoader.load_state_dict: a generator state NumPy refuses ({err})") from None


def infinite(loader):
    """Batches from ``loader`` forever, epoch after epoch: for step-based training loops."""
    return loader.batches(None)


def _check_arrays(arrays):
    if not arrays:
        raise ValueError("DataLoader: the dataset tuple is empty")
    for i, array in enumerate(arrays):
        if not isinstance(array, numpy.ndarray) or array.ndim == 0:
            raise TypeError(f"DataLoader: dataset entry {i} is a {type(array).__name__}, "
                            f"expected a NumPy array of examples (for a toy set "
                            f"(points, None), pass the points alone)")
    lengths = [len(array) for array in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"DataLoader: the dataset's arrays must share their first dimension, "
                         f"got lengths {lengths}")
