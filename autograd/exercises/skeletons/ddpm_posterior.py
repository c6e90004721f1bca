"""Exercise ddpm_posterior: one step back, knowing where the chain started.

Math (Ho et al. 2020, eqs. 6-7).  With alpha_t = 1 - beta_t and
abar_t = alpha_1 ... alpha_t (and abar_0 = 1, the empty product), the forward
process q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) can be run backwards
by one step once x_0 is known: Bayes' rule on two Gaussians gives a Gaussian,

    q(x_{t-1} | x_t, x_0) = N(mu~_t(x_0, x_t), beta~_t I),

    mu~_t   = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0
              + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t,
    beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t.

The reverse model p(x_{t-1} | x_t) is trained to match this mean: it plugs its
own guess of x_0 into mu~_t, and every term of the variational bound is a KL
between the two Gaussians.  x_0 and x_t are batches of images (N, C, H, W);
each image n has its own timestep t_n in 1..T, and ``betas`` is the NumPy array
(beta_1, ..., beta_T) (betas[0] is beta_1).  This is
``scratchgen.models.ddpm.DDPM.q_posterior``.

The question.  The bound's gradient reaches x_0 and x_t through mu~_t: how much
does the mean move when one value of x_0 moves, and when one of x_t does?  What
happens at t = 1?

Your task:
  1. ``posterior_variance(betas, t)``: beta~_t for each image, shape (N,);
  2. ``PosteriorMean.forward(x0, x_t)``: mu~_t, on raw arrays;
  3. write PosteriorMean.backward: the gradients with respect to x0 and x_t.
The check compares the mean and the variance with the reference first, then
your gradients with finite differences.

Hint: the coefficients are one number per image (shape (N,)); ``per_image``
reshapes them to (N, 1, 1, 1) to broadcast over the pixels.
"""
from autograd import Function, Tensor, get_array_module  # noqa: F401  (Tensor: you will need it)


def posterior_variance(betas, t):
    raise NotImplementedError("write posterior_variance")


def per_image(values, ndim):
    """(N,) -> (N, 1, ..., 1): one value per image, broadcast over its pixels."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


class PosteriorMean(Function):
    def __init__(self, betas, t):
        self.betas, self.t = betas, t

    def forward(self, x0, x_t):
        raise NotImplementedError("write PosteriorMean.forward")

    def backward(self, gmean):
        raise NotImplementedError("write PosteriorMean.backward")
