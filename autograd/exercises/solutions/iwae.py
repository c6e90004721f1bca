"""Reference for exercise iwae (the mathematics is in skeletons/iwae.py)."""
import math

from autograd import Function, get_array_module


class IWAEBound(Function):
    def forward(self, log_w):
        xp = get_array_module(log_w)
        largest = log_w.max(axis=0)                 # per sample: exp(log_w - largest) <= 1
        total = xp.exp(log_w - largest).sum(axis=0)  # >= 1: its log is finite
        return largest + xp.log(total) - math.log(log_w.shape[0])

    def backward(self, g_bound):
        log_w, = self.inputs
        bound = self.saved_output()
        k = log_w.shape[0]
        # w_j / sum_i w_i = exp(log w_j - bound) / k: each sample's k shares sum to 1
        shares = (log_w - bound).exp() / k
        return g_bound * shares                      # (N,) broadcasts over the k rows
