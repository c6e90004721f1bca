"""The ops under torch.nn.functional's names: ``from autograd.nn import functional as F``.

Each name is the differentiable op from ``autograd/ops`` (or a short
composition of them); nothing here has its own gradient code.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import backend
from ..function import DtypeError, ShapeError
from ..ops.activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh  # noqa: F401
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: F401
from ..ops import reduce
from ..ops.elementwise import clamp, where
from ..ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                        cross_entropy, gaussian_nll_loss, huber_loss, kl_div, kl_normal, l1_loss,
                        mse_loss, nll_loss, smooth_l1_loss)
from ..ops.norm import batch_norm, group_norm, instance_norm, layer_norm  # noqa: F401
from ..ops.pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,  # noqa: F401
                        adaptive_max_pool2d, avg_pool1d, avg_pool2d, dropout, dropout2d,
                        interpolate, max_pool1d, max_pool2d, pixel_shuffle, pixel_unshuffle)
from ..ops.reduce import log_softmax, softmax  # noqa: F401
from ..ops.shape import getitem, pad  # noqa: F401
from ..tensor import Tensor


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """y = x W^T + b for x of shape (*, in_features) and W of shape (out_features, in_features)."""
    if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: expected input (*, {weight.shape[-1]}) for weight {weight.shape}, "
                         f"got {x.shape}")
    if x.dtype != weight.dtype:
        raise DtypeError(f"linear: mat1 and mat2 must have the same dtype, but got {x.dtype} input "
                         f"and {weight.dtype} weight (convert with .to({weight.dtype}))")
    y = x @ weight.T
    return y if bias is None else y + bias


def embedding(indices: Tensor, weight: Tensor, padding_idx: Optional[int] = None) -> Tensor:
    """Rows of ``weight`` picked by integer ``indices``; the gradient scatter-adds into them,
    except into row ``padding_idx``, which stays fixed (as PyTorch)."""
    if padding_idx is not None:
        xp = backend.get_array_module(weight.array)
        frozen_row = (xp.arange(weight.shape[0]) == padding_idx % weight.shape[0])[:, None]
        weight = where(frozen_row, weight.detach(), weight)  # same values, no gradient there
    return getitem(weight, indices)


def one_hot(indices: Tensor, num_classes: int = -1) -> Tensor:
    xp = backend.get_array_module(indices.array)
    if num_classes < 0:
        num_classes = int(indices.array.max()) + 1
    return Tensor((indices.array[..., None] == xp.arange(num_classes)).astype(xp.int64))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """input / max(||input||_p over dim, eps): unit vectors along ``dim``."""
    return input / clamp(reduce.norm(input, p, dim, keepdim=True), min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """<x1, x2> / max(||x1|| ||x2||, eps) along ``dim``."""
    dot = reduce.sum(x1 * x2, dim)
    norms = reduce.norm(x1, 2, dim) * reduce.norm(x2, 2, dim)
    return dot / clamp(norms, min=eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim (eps keeps the gradient finite at x1 = x2)."""
    return reduce.norm(x1 - x2 + eps, p, -1, keepdim)


def logsigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), computed without overflow."""
    return -softplus(-x)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    return clamp(x, min_val, max_val)


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    return clamp(x, 0.0, 6.0)


def scaled_dot_product_attention(*args: Any, **kwargs: Any) -> Tensor:
    from .attention import scaled_dot_product_attention as attention
    return attention(*args, **kwargs)
