"""Matrix products, with NumPy's batch broadcasting, and the products built on them
(addmm, baddbmm, addbmm, tensordot, einsum) and distances (cdist).

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC, where ^T swaps
the last two dims.  Batch dims that were broadcast are summed back by ``sum_to``.
A 1-D operand is treated as a row (first) or column (second) and the extra dim
removed from the result, as NumPy and PyTorch do.
"""
import numbers

import numpy

from .. import backend
from ..function import Bilinear, Function, ShapeError
from . import reduce
from .shape import (Permute, _scaled, broadcast_to, normalize_dim, permute, reshape, sum_to,
                    unsqueeze)


class MatMul(Bilinear):
    """A @ B for operands with at least 2 dims."""

    def forward(self, a, b):
        return a @ b

    def backward_for(self, wanted, gy):
        a, b = self.inputs
        # both operands have at least 2 dims here, so MatMul is called directly
        ga = sum_to(MatMul()(gy, _swap_last_two(b)), a.shape) if wanted[0] else None
        gb = sum_to(MatMul()(_swap_last_two(a), gy), b.shape) if wanted[1] else None
        return ga, gb

    def explain_error(self, arrays, err):
        a, b = arrays
        return (f"matmul: batch dims of shapes {tuple(a.shape)} and {tuple(b.shape)} "
                "cannot be broadcast together")


def _swap_last_two(t):
    """The matrix transpose of each matrix in a batch: (..., n, k) -> (..., k, n)."""
    dims = tuple(range(t.ndim - 2)) + (t.ndim - 1, t.ndim - 2)
    return Permute(dims)(t)


def matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"(the last dim of the first, {inner_a}, must equal the "
                         f"{'second-to-last' if b.ndim > 1 else 'only'} dim of the second, {inner_b})")
    a2 = reshape(a, (1,) + a.shape) if a.ndim == 1 else a
    b2 = reshape(b, b.shape + (1,)) if b.ndim == 1 else b
    y = MatMul()(a2, b2)
    if a.ndim == 1:
        y = reshape(y, y.shape[:-2] + y.shape[-1:])
    if b.ndim == 1:
        y = reshape(y, y.shape[:-1])
    return y


def mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expected two 2-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(a, b):
    if a.ndim != 3 or b.ndim != 3:
        raise ShapeError(f"bmm: expected two 3-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a, b):
    """The outer product of two vectors: out[i, j] = a[i] b[j]."""
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"outer: expected two 1-D tensors, got shapes {a.shape} and {b.shape}")
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def dot(a, b):
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ShapeError(f"dot: expected two 1-D tensors of the same size, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


# ----------------------------------------------------------------------------
# Products built on matmul: addmm, baddbmm, addbmm, tensordot; and distances: cdist
# ----------------------------------------------------------------------------
def addmm(input, mat1, mat2, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2) for matrices; with beta = 0 input is ignored
    (nan and inf in it do not propagate, as in PyTorch)."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"addmm: expected 2-D mat1 and mat2, got shapes {tuple(mat1.shape)} and "
                         f"{tuple(mat2.shape)}")
    product = _scaled(matmul(mat1, mat2), alpha)
    return product if beta == 0 else _scaled(input, beta) + product


def baddbmm(input, batch1, batch2, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2) for batches of matrices (b, n, m), (b, m, p)."""
    product = _scaled(bmm(batch1, batch2), alpha)
    return product if beta == 0 else _scaled(input, beta) + product


def addbmm(input, batch1, batch2, beta=1, alpha=1):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]."""
    product = _scaled(reduce.sum(bmm(batch1, batch2), 0), alpha)
    return product if beta == 0 else _scaled(input, beta) + product


def tensordot(a, b, dims=2):
    """Sum of products over dims of a and b: ``dims`` = n contracts a's last n dims with
    b's first n; or a pair of lists (a's dims, b's dims).  Done as one matrix product."""
    if isinstance(dims, numbers.Integral):
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, numbers.Integral) else list(d) for d in dims)
    dims_a = [normalize_dim(d, a.ndim, "tensordot") for d in dims_a]
    dims_b = [normalize_dim(d, b.ndim, "tensordot") for d in dims_b]
    if [a.shape[d] for d in dims_a] != [b.shape[d] for d in dims_b]:
        raise ShapeError(f"tensordot: contracted dims {dims_a} of shape {tuple(a.shape)} and "
                         f"{dims_b} of shape {tuple(b.shape)} have different sizes")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    size = int(numpy.prod([a.shape[d] for d in dims_a]))
    a2 = reshape(permute(a, free_a + dims_a), (-1, size))
    b2 = reshape(permute(b, dims_b + free_b), (size, -1))
    return reshape(matmul(a2, b2), tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def cdist(x1, x2, p=2.0, compute_mode=None):
    """The p-norm distance between each row of x1 (.., P, M) and each row of x2
    (.., R, M): out[.., i, j] = ||x1[.., i, :] - x2[.., j, :]||_p, shape (.., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: expected x1 (.., P, M) and x2 (.., R, M) with the same M, got "
                         f"shapes {tuple(x1.shape)} and {tuple(x2.shape)}")
    if p < 0:
        raise ValueError(f"cdist: p must be >= 0, got {p}")
    differences = unsqueeze(x1, -2) - unsqueeze(x2, -3)          # (.., P, R, M)
    if p == 0:   # the number of coordinates that differ (no gradient, as in PyTorch)
        return reduce.sum((differences != 0).to(dtype=x1.dtype), -1).detach()
    return reduce.norm(differences, p, -1)


# ----------------------------------------------------------------------------
# einsum
# ----------------------------------------------------------------------------
class Einsum(Function):
    """An einsum such as 'bij,bjk->bik' over explicit letters (``einsum`` spells out
    '...' and an implicit output first).

    The result is linear in each operand, so the gradient of operand i is the
    einsum of the upstream gradient with the other operands onto i's letters.  A
    letter that only operand i has was summed away in forward: its gradient is
    the same for every value of it, so it is broadcast back.
    """
    saves_outputs = False

    def __init__(self, operand_letters, output_letters):
        self.operand_letters, self.output_letters = operand_letters, output_letters

    def inputs_read_by_backward(self, needs_input_grad):
        wanted = [i for i, needed in enumerate(needs_input_grad) if needed]
        return [j for j in range(len(needs_input_grad)) if any(i != j for i in wanted)]

    def forward(self, *arrays):
        xp = backend.get_array_module(arrays[0])
        equation = ",".join(self.operand_letters) + "->" + self.output_letters
        return xp.asarray(xp.einsum(equation, *arrays, optimize=len(arrays) > 2))

    def backward_for(self, wanted, gy):
        grads = []
        for i, letters in enumerate(self.operand_letters):
            if not wanted[i]:
                grads.append(None)
                continue
            others = [j for j in range(len(self.inputs)) if j != i]
            known = set(self.output_letters).union(*(self.operand_letters[j] for j in others))
            kept = "".join(c for c in letters if c in known)
            g = Einsum([self.output_letters] + [self.operand_letters[j] for j in others], kept)(
                gy, *(self.inputs[j] for j in others))
            if kept != letters:   # letters summed in forward: broadcast back over them
                g = reshape(g, tuple(g.shape[kept.index(c)] if c in kept else 1 for c in letters))
                g = broadcast_to(g, self.inputs[i].shape)
            grads.append(g)
        return tuple(grads)

    def explain_error(self, arrays, err):
        shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
        equation = ",".join(self.operand_letters) + "->" + self.output_letters
        return f"einsum: '{equation}' does not fit operands of shapes {shapes} ({err})"


def einsum(equation, *operands):
    """torch.einsum('ij,jk->ik', a, b); operands may also come as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operand_letters, output_letters = _parse_einsum(equation.replace(" ", ""), operands)
    for letters in operand_letters:
        if len(set(letters)) != len(letters):
            raise NotImplementedError(f"einsum: a letter repeated within one operand ('{letters}', "
                                      "a diagonal) is not supported")
    return Einsum(operand_letters, output_letters)(*operands)


def _parse_einsum(equation, operands):
    """Operand and output letters with '...' replaced by letters of their own, and the
    implicit output (no '->') made explicit: '...' first, then the letters used once, sorted."""
    inputs, arrow, output = equation.partition("->")
    parts = inputs.split(",")
    if len(parts) != len(operands):
        raise ValueError(f"einsum: '{equation}' names {len(parts)} operands, got {len(operands)}")
    used = set(equation)
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
    widest = max((t.ndim - len(p.replace("...", "")) for p, t in zip(parts, operands) if "..." in p),
                 default=0)
    ellipsis = "".join(spare[:widest])
    letters = []
    for part, t in zip(parts, operands):
        if "..." in part:
            count = t.ndim - len(part.replace("...", ""))
            part = part.replace("...", ellipsis[widest - count:] if count else "")
        if len(part) != t.ndim:
            raise ShapeError(f"einsum: '{part}' has {len(part)} letters for an operand with "
                             f"{t.ndim} dims (shape {t.shape})")
        letters.append(part)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        counts = {}
        for c in "".join(letters):
            counts[c] = counts.get(c, 0) + 1
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis))
    return letters, output
