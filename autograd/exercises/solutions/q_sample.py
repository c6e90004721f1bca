"""Reference for exercise q_sample (the mathematics is in skeletons/q_sample.py)."""
from autograd import Function, Tensor, get_array_module


def alpha_bar(betas, t):
    """abar_t = alpha_1 alpha_2 ... alpha_t of each image's timestep t (t counts from 1)."""
    xp = get_array_module(betas)
    abar = xp.cumprod(1 - betas)      # abar[s - 1] = abar_s: betas[0] is beta_1
    return abar[t - 1]


def per_image(values, ndim):
    """(N,) -> (N, 1, ..., 1): one value per image, broadcast over its pixels."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


class QSample(Function):
    def __init__(self, betas, t):
        self.abar_t = alpha_bar(betas, t)

    def forward(self, x0, eps):
        xp = get_array_module(x0)
        abar = per_image(self.abar_t, x0.ndim)
        return xp.sqrt(abar) * x0 + xp.sqrt(1 - abar) * eps

    def backward(self, gx_t):
        abar = Tensor(per_image(self.abar_t, gx_t.ndim))
        # x_t is linear in both inputs: each gets gx_t times its own coefficient
        return gx_t * abar.sqrt(), gx_t * (1 - abar).sqrt()
