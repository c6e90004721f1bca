"""Exercise layer_norm: layer normalisation over the last dim of x (N, D).

Math (Ba et al. 2016), per sample n, over its D features:

    mu_n     = (1/D) sum_d x_nd
    var_n    = (1/D) sum_d (x_nd - mu_n)^2
    xhat_nd  = (x_nd - mu_n) / sqrt(var_n + eps)
    y_nd     = gamma_d xhat_nd + beta_d

The same algebra as batch_norm, along the other dim: the statistics are per
row (sum over dim 1, keepdim=True), while gamma and beta are shared by every
row, so their gradients sum over the batch (dim 0):

    gbeta  = sum_n gy_n,   ggamma = sum_n gy_n xhat_n,   gxhat = gy gamma
    gx_nd  = (1 / (D sqrt(var_n + eps))) (D gxhat_nd - sum_e gxhat_ne - xhat_nd sum_e gxhat_ne xhat_ne)

Your task: write ``LayerNorm.backward`` returning (gx, ggamma, gbeta).
forward saves ``self.xhat`` (N, D) and ``self.inv_std`` (N, 1) as arrays.
Only the first derivative is checked.

Hint: which dim does each sum run over?  The statistics' sums run over the
features of one sample; the parameters' sums over the samples.
"""
from autograd import Function, Tensor, get_array_module  # noqa: F401


class LayerNorm(Function):
    def __init__(self, eps=1e-5):
        self.eps = eps

    def forward(self, x, gamma, beta):
        xp = get_array_module(x)
        mu = x.mean(axis=1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
        self.inv_std = 1 / xp.sqrt(var + self.eps)
        self.xhat = (x - mu) * self.inv_std
        return gamma * self.xhat + beta

    def backward(self, gy):
        x, gamma, beta = self.inputs
        raise NotImplementedError("write LayerNorm.backward")
