"""Reference for exercise bits_per_dim (the mathematics is in skeletons/bits_per_dim.py)."""
import math

from autograd import Function, get_array_module


class BitsPerDim(Function):
    def __init__(self, alpha=0.05):
        self.alpha = alpha

    def forward(self, pixels, u, z, flow_log_det):
        xp = get_array_module(z)
        d = z.shape[1]
        x = (pixels + u) / 256                                  # dequantised, in [0, 1)
        p = self.alpha + (1 - 2 * self.alpha) * x
        logit_log_det = (math.log(1 - 2 * self.alpha) - xp.log(p) - xp.log1p(-p)).sum(axis=1)
        log_prior = -0.5 * (z * z).sum(axis=1) - d / 2 * math.log(2 * math.pi)
        log_px = log_prior + flow_log_det + logit_log_det       # a density over [0, 1)^D
        # the 8-bit image's bins are 1/256 wide in x: D log 256 nats back, then bits per value
        return (-log_px + d * math.log(256)) / (d * math.log(2))

    def backward(self, g_bpd):
        pixels, u, z, flow_log_det = self.inputs
        d = z.shape[1]
        per_nat = g_bpd / (d * math.log(2))                     # (N,): d bpd / d (-log p(x))
        p = self.alpha + (1 - 2 * self.alpha) * (pixels + u) / 256
        # d logit_log_det / d p = 1 / (1 - p) - 1 / p, and dp / du = (1 - 2 alpha) / 256
        dlogdet_du = (1 / (1 - p) - 1 / p) * (1 - 2 * self.alpha) / 256
        per_value = per_nat.reshape(-1, 1)                      # broadcast over the D values
        return None, -per_value * dlogdet_du, per_value * z, -per_nat
