"""Exercise bits_per_dim: a flow's negative log-likelihood of 8-bit images, in bits/dim.

Math (Dinh et al. 2017, RealNVP, sections 4.1 and 3.6; Theis et al. 2016).
Images hold 8-bit values k in {0, ..., 255}.  A flow models a density, so the
values are first dequantised and scaled to [0, 1),

    x = (k + u) / 256,        u in [0, 1)  (uniform noise, or a learned one),

then mapped to the real line by the logit transform (alpha keeps p away from 0 and 1):

    p = alpha + (1 - 2 alpha) x,     y = logit(p) = log p - log(1 - p),

and the flow f maps y to z = f(y) with log-determinant flow_log_det = log |det df/dy|.
By the change of variables, with a standard normal prior,

    log p_X(x) = log N(z; 0, I) + flow_log_det + log |det dy/dx|,
    log N(z; 0, I) = -1/2 sum_d z_d^2 - D/2 log(2 pi),
    log |det dy/dx| = sum_d log( (1 - 2 alpha) / (p_d (1 - p_d)) ).

p_X is a density over [0, 1)^D, where each 8-bit value's bin is 1/256 wide; the
probability mass of the discrete image (its lower bound, by Jensen, averaged over
u) is p_X(x) 256^-D.  So the negative log-likelihood of the 8-bit image in nats is
-log p_X(x) + D log 256, and in bits per dimension (per value, base 2)

    bpd = (-log p_X(x) + D log 256) / (D ln 2)  =  -log p_X(x) / (D ln 2) + 8.

This is ``scratchgen.models.flow.RealNVP.bits_per_dim`` (and
``scratchgen.metrics.bits_per_dim_8bit``), one value per image.

Here ``pixels`` (the k, a constant) and ``u`` have shape (N, D), D values per
image; ``z`` (N, D) is the flow's output and ``flow_log_det`` (N,) its
log-determinant, taken as inputs of their own (the flow is another exercise).

The question.  How does an image's bits/dim change when z moves, when the flow's
log-det moves, and when the dequantisation noise u moves (a learned dequantiser,
as in Flow++, is trained through that last gradient)?

Your task:
  1. ``BitsPerDim.forward(pixels, u, z, flow_log_det)``: bpd (N,), on raw arrays;
  2. write BitsPerDim.backward: returns (None, gu, gz, g_flow_log_det): pixels
     are data, with no gradient.
The check compares bpd with the reference first, then your gradients with
finite differences.

Hint: follow u through x, then p, then the logit's log-determinant.
"""
import math  # noqa: F401

from autograd import Function, get_array_module  # noqa: F401


class BitsPerDim(Function):
    def __init__(self, alpha=0.05):
        self.alpha = alpha

    def forward(self, pixels, u, z, flow_log_det):
        raise NotImplementedError("write BitsPerDim.forward")

    def backward(self, g_bpd):
        pixels, u, z, flow_log_det = self.inputs
        raise NotImplementedError("write BitsPerDim.backward")
