"""Matrix products, with NumPy's batch broadcasting.

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC, where ^T swaps
the last two dims.  Batch dims that were broadcast are summed back by ``sum_to``.
A 1-D operand is treated as a row (first) or column (second) and the extra dim
removed from the result, as NumPy and PyTorch do.
"""
from .. import backend
from ..function import Bilinear, Function, ShapeError
from .shape import Permute, broadcast_to, reshape, sum_to


class MatMul(Bilinear):
    """A @ B for operands with at least 2 dims."""

    def forward(self, a, b):
        return a @ b

    def backward(self, gy):
        a, b = self.inputs
        # both operands have at least 2 dims here, so MatMul is called directly
        ga = sum_to(MatMul()(gy, _swap_last_two(b)), a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(MatMul()(_swap_last_two(a), gy), b.shape) if self.needs_input_grad[1] else None
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

    def backward(self, gy):
        grads = []
        for i, letters in enumerate(self.operand_letters):
            if not self.needs_input_grad[i]:
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
