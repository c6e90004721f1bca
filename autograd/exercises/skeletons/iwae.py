"""Exercise iwae: the importance-weighted bound, and the ELBO it contains.

Math (Burda et al. 2016).  A VAE's encoder q(z|x) proposes latents; for k
draws z_1..z_k ~ q(z|x) of one sample x, the log-weights are

    log w_j = log p(x, z_j) - log q(z_j | x),

and the importance-weighted bound on log p(x) is the log of their mean weight:

    L_k(x) = log (1/k) sum_{j=1..k} exp(log w_j)   <=   log p(x).

With k = 1 it is the ELBO, log w_1; it rises towards log p(x) as k grows.
Log-weights of images are large negative numbers (-100 to -1000 nats for
MNIST), and exp(-1000) is 0 in float64, so the bound must be computed without
taking exp of a log-weight directly: with m the largest of the k,

    L_k = m + log (1/k) sum_j exp(log w_j - m),

where every exp(log w_j - m) is at most 1 and the largest is exactly 1.

Here ``log_w`` has shape (k, N): column n holds sample n's k log-weights, as in
``scratchgen.metrics.iwae_bound``; the bound has shape (N,).

The question.  How does L_k move when one log-weight moves?  Which draws does
the gradient favour, and what does it become for k = 1?

Your task:
  1. ``IWAEBound.forward(log_w)``: L_k per sample, on raw arrays, stable for
     log-weights near -1000;
  2. write IWAEBound.backward: the gradient with respect to log_w, with Tensor
     ops, stable too.
The check compares L_k with the reference first (on log-weights near 0 and near
-1000), then your gradient with finite differences.

Hint: the saved output (``self.saved_output()``) is L_k itself.
"""
import math  # noqa: F401

from autograd import Function, get_array_module  # noqa: F401


class IWAEBound(Function):
    def forward(self, log_w):
        raise NotImplementedError("write IWAEBound.forward")

    def backward(self, g_bound):
        log_w, = self.inputs
        raise NotImplementedError("write IWAEBound.backward")
