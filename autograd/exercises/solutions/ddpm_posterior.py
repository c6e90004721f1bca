"""Reference for exercise ddpm_posterior (the mathematics is in skeletons/ddpm_posterior.py)."""
from autograd import Function, Tensor, get_array_module


def schedule_at(betas, t):
    """beta_t, abar_t and abar_{t-1} of each image's timestep t (t counts from 1)."""
    xp = get_array_module(betas)
    abar = xp.cumprod(1 - betas)                          # abar[s - 1] = abar_s
    abar_prev = xp.concatenate([xp.ones(1), abar[:-1]])   # abar_0 = 1: the empty product
    return betas[t - 1], abar[t - 1], abar_prev[t - 1]


def posterior_variance(betas, t):
    """beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t, one per image."""
    beta, abar, abar_prev = schedule_at(betas, t)
    return (1 - abar_prev) / (1 - abar) * beta


def per_image(values, ndim):
    """(N,) -> (N, 1, ..., 1): one value per image, broadcast over its pixels."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


class PosteriorMean(Function):
    def __init__(self, betas, t):
        self.betas, self.t = betas, t

    def forward(self, x0, x_t):
        xp = get_array_module(x0)
        beta, abar, abar_prev = schedule_at(self.betas, self.t)
        self.x0_coef = per_image(xp.sqrt(abar_prev) * beta / (1 - abar), x0.ndim)
        self.xt_coef = per_image(xp.sqrt(1 - beta) * (1 - abar_prev) / (1 - abar), x0.ndim)
        return self.x0_coef * x0 + self.xt_coef * x_t

    def backward(self, gmean):
        # the mean is linear in x_0 and x_t: each gets gmean times its own coefficient
        return gmean * Tensor(self.x0_coef), gmean * Tensor(self.xt_coef)
