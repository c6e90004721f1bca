"""autograd.utils.data: datasets, samplers, collation and the DataLoader, as ``torch.utils.data``.

- dataset.py     Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset,
                 ChainDataset, random_split
- sampler.py     Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                 WeightedRandomSampler, BatchSampler
- collate.py     default_collate, default_convert
- dataloader.py  DataLoader, get_worker_info

Random choices (shuffling, random_split, random samplers) draw from the
``generator`` given (``autograd.Generator``) or else from the library's global
generator, which ``autograd.manual_seed`` seeds.
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler",
    "TensorDataset", "WeightedRandomSampler", "default_collate", "default_convert",
    "get_worker_info", "random_split",
]
