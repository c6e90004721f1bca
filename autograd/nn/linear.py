"""Linear, Embedding, Identity, Flatten, Unflatten."""
import math

from .. import creation
from ..ops import shape as shape_ops
from . import functional as F
from . import init
from .checks import expect_input
from .module import Module
from .parameter import Parameter


class Identity(Module):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features) as in PyTorch."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(creation.empty(out_features, in_features, dtype=dtype, device=device))
        self.bias = Parameter(creation.empty(out_features, dtype=dtype, device=device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x):
        expect_input(self._name(), x, f"(*, {self.in_features})",
                     x.ndim >= 1 and x.shape[-1] == self.in_features)
        return F.linear(x, self.weight, self.bias)

    def _name(self):
        return f"Linear({self.in_features}, {self.out_features})"

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Embedding(Module):
    """A lookup table: row i of ``weight`` is the vector for index i; weights N(0, 1)."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        self.weight = Parameter(creation.empty(num_embeddings, embedding_dim, dtype=dtype, device=device))
        init.normal_(self.weight)
        if padding_idx is not None:
            self.weight.array[padding_idx] = 0

    def forward(self, indices):
        if indices.dtype.kind not in "iu":
            raise TypeError(f"Embedding({self.num_embeddings}, {self.embedding_dim}): expected integer "
                            f"indices, got dtype {indices.dtype}")
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return shape_ops.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``, e.g. (N, 64) -> (N, 4, 4, 4)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        dim = shape_ops.normalize_dim(self.dim, x.ndim, "Unflatten")
        expect_input(f"Unflatten({self.dim}, {self.unflattened_size})", x,
                     f"size {math.prod(self.unflattened_size)} in dim {self.dim}",
                     x.shape[dim] == math.prod(self.unflattened_size))
        return x.reshape(x.shape[:dim] + self.unflattened_size + x.shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
