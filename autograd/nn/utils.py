"""nn.utils: gradient clipping."""
import math

from .. import backend
from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    Returns the total norm before clipping (as a 0-d Tensor), like PyTorch.  The
    norm and the scale stay arrays on the gradients' device: turning them into
    Python numbers would make the host wait for the GPU at every step.  Hence
    every gradient is multiplied by min(1, max_norm / norm), which is exactly 1
    (and changes nothing) when the norm is within the limit.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad.array for p in parameters if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    xp = backend.get_array_module(grads[0])
    norm_type = float(norm_type)
    if norm_type == math.inf:
        total = xp.stack([xp.abs(g).max() for g in grads]).astype(xp.float64).max()
    else:
        powers = xp.stack([(xp.abs(g) ** norm_type).sum() for g in grads]).astype(xp.float64)
        total = powers.sum() ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):  # the one wait for the GPU, when asked
        raise RuntimeError(f"clip_grad_norm_: the total gradient norm is {float(total)}")
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for p in parameters:
        if p.grad is not None:
            p.grad = Tensor(p.grad.array * scale.astype(p.grad.dtype))
    return Tensor(total)
