"""Exercise batch_norm: batch normalisation of features (N, D), training mode.

Forward (Ioffe and Szegedy 2015), per feature d, over the batch of N:

    mu     = (1/N) sum_n x_n
    var    = (1/N) sum_n (x_n - mu)^2            (biased variance)
    xhat_n = (x_n - mu) / sqrt(var + eps)
    y_n    = gamma xhat_n + beta

The question.  Given gy = dL/dy (N, D), what are dL/dx, dL/dgamma and dL/dbeta?
gamma and beta are used by every sample.  x_n reaches the loss by more than one
path: directly, and through every statistic computed from the batch; the
chain rule adds one term per path.

Your task: write ``BatchNorm.backward`` returning (gx, ggamma, gbeta).
forward saves ``self.xhat`` and ``self.inv_std`` = 1 / sqrt(var + eps) as
arrays: wrap them in Tensor(...).  Only the first derivative is checked.
"""
from autograd import Function, Tensor, get_array_module  # noqa: F401


class BatchNorm(Function):
    def __init__(self, eps=1e-5):
        self.eps = eps

    def forward(self, x, gamma, beta):
        xp = get_array_module(x)
        mu = x.mean(axis=0)
        var = ((x - mu) ** 2).mean(axis=0)
        self.inv_std = 1 / xp.sqrt(var + self.eps)
        self.xhat = (x - mu) * self.inv_std
        return gamma * self.xhat + beta

    def backward(self, gy):
        x, gamma, beta = self.inputs
        raise NotImplementedError("write BatchNorm.backward")
