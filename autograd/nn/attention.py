"""Attention: ``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention``, as PyTorch
spells them (the parameter names and shapes too, so state dicts move between the two).

Scaled dot-product attention (Vaswani et al. 2017): each query takes a weighted
mean of the values, weighted by how well it matches each key::

    weights = softmax(Q K^T / sqrt(d) + mask),     output = weights V

Multi-head attention projects the inputs to ``num_heads`` smaller query, key and
value spaces, attends in each, and projects the joined results back.
"""
import math

from .. import backend
from ..function import ShapeError
from ..ops import pool, reduce
from ..tensor import Tensor
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q K^T * scale + mask) V over the last two dims; scale defaults to 1/sqrt(d).

    attn_mask: boolean (True: the query may attend to that key) or added to the scores.
    is_causal: query i attends to keys 0..i only."""
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    xp = backend.get_array_module(scores.array)
    if is_causal:
        allowed = xp.tril(xp.ones(scores.shape[-2:], dtype=bool))
        scores = scores.masked_fill(Tensor(~allowed), -math.inf)
    if attn_mask is not None:
        if attn_mask.dtype == bool:
            scores = scores.masked_fill(~attn_mask, -math.inf)
        else:
            scores = scores + attn_mask
    weights = reduce.softmax(scores, -1)
    if dropout_p > 0:
        weights = pool.dropout(weights, dropout_p)
    return weights @ value


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads over ``embed_dim`` features, as PyTorch's:
    ``in_proj_weight`` (3 E, E) and ``in_proj_bias`` project to queries, keys and
    values (``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight`` when kdim or vdim
    differ from E), ``out_proj`` projects back.

    forward(query, key, value) takes (L, N, E) (or (N, L, E) with ``batch_first``) and
    returns the output and the attention weights, averaged over the heads."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                             f"num_heads {num_heads}")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not implemented")
        from ..creation import empty, zeros
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self.batch_first, self.head_dim = batch_first, embed_dim // num_heads
        self.same_dims = self.kdim == embed_dim and self.vdim == embed_dim
        if self.same_dims:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim))
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for name, width in (("q", embed_dim), ("k", self.kdim), ("v", self.vdim)):
                setattr(self, f"{name}_proj_weight", Parameter(empty(embed_dim, width)))
                init.xavier_uniform_(getattr(self, f"{name}_proj_weight"))
        self.in_proj_bias = Parameter(zeros(3 * embed_dim)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if bias:
            init.zeros_(self.out_proj.bias)

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"

    def _projections(self, query, key, value):
        e = self.embed_dim
        weights = ((self.in_proj_weight[:e], self.in_proj_weight[e:2 * e], self.in_proj_weight[2 * e:])
                   if self.same_dims else (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight))
        biases = ((None,) * 3 if self.in_proj_bias is None else
                  (self.in_proj_bias[:e], self.in_proj_bias[e:2 * e], self.in_proj_bias[2 * e:]))
        return [x @ w.T + (0 if b is None else b) for x, w, b in zip((query, key, value), weights, biases)]

    def _heads(self, x):
        """(N, L, E) -> (N, heads, L, head_dim)."""
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if query.ndim != 3:
            raise ShapeError(f"MultiheadAttention: expected a batched 3-D query, got shape {query.shape}")
        if not self.batch_first:   # (L, N, E) -> (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, target, source = query.shape[0], query.shape[1], key.shape[1]
        q, k, v = (self._heads(t) for t in self._projections(query, key, value))
        scores = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(self.head_dim))
        scores = self._masked(scores, key_padding_mask, attn_mask, is_causal, n, target, source)
        weights = reduce.softmax(scores, -1)
        attended = pool.dropout(weights, self.dropout, self.training) if self.dropout else weights
        out = (attended @ v).permute(0, 2, 1, 3).reshape(n, target, self.embed_dim)
        out = self.out_proj(out)
        if not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, (weights.mean(1) if average_attn_weights else weights)

    def _masked(self, scores, key_padding_mask, attn_mask, is_causal, n, target, source):
        """PyTorch's MultiheadAttention masks: True (or -inf, when a float) marks what a
        query must not attend to; key_padding_mask is (N, S), attn_mask (L, S) or (N * heads, L, S)."""
        xp = backend.get_array_module(scores.array)
        if is_causal and attn_mask is None:
            attn_mask = Tensor(~xp.tril(xp.ones((target, source), dtype=bool)))
        if attn_mask is not None:
            if attn_mask.ndim == 3:
                attn_mask = attn_mask.reshape(n, self.num_heads, target, source)
            scores = (scores.masked_fill(attn_mask, -math.inf) if attn_mask.dtype == bool
                      else scores + attn_mask)
        if key_padding_mask is not None:
            padding = key_padding_mask.reshape(n, 1, 1, source)
            scores = (scores.masked_fill(padding, -math.inf) if padding.dtype == bool
                      else scores + padding)
        return scores
