"""Matrix products, with NumPy's batch broadcasting.

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC, where ^T swaps
the last two dims.  Batch dims that were broadcast are summed back by ``sum_to``.
A 1-D operand is treated as a row (first) or column (second) and the extra dim
removed from the result, as NumPy and PyTorch do.
"""
from ..function import Bilinear, ShapeError
from .shape import Permute, reshape, sum_to


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
