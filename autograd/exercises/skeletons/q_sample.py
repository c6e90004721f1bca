"""Exercise q_sample: DDPM's forward process, step t in one jump.

Math (Ho et al. 2020, section 2).  A diffusion model destroys an image x_0 by
adding Gaussian noise in T small steps with a variance schedule
beta_1 < beta_2 < ... < beta_T:

    q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I).

Write alpha_t = 1 - beta_t and abar_t = alpha_1 alpha_2 ... alpha_t (all the
steps up to t).  The t steps compose into one Gaussian, so x_t is reached in a
single draw:

    x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,      eps ~ N(0, I).

Here x_0 and eps are batches of images (N, C, H, W) and every image n has its
own timestep t_n in 1..T (training draws t uniformly per image), so abar is one
number per image, broadcast over that image's pixels.  ``betas`` is the NumPy
array (beta_1, ..., beta_T): betas[0] is beta_1.  This is what
``scratchgen.models.ddpm.DDPM.q_sample`` computes.

The question.  Training backpropagates through x_t (the network sees x_t): how
does x_t change when one value of x_0 changes, and when one value of eps
changes?  Which of the two dominates at small t, and at large t?

Your task:
  1. ``alpha_bar(betas, t)``: abar_t for each entry of the integer array t, shape (N,);
  2. ``QSample.forward(x0, eps)``: x_t, on raw arrays;
  3. write QSample.backward: the gradients with respect to x0 and eps, with Tensor ops.
The check compares abar_t and x_t with the reference first, then your gradients
with finite differences.

Hint: a quantity that is one number per image has shape (N,); ``per_image``
gives it the shape (N, 1, 1, 1) that broadcasts against the images.
"""
from autograd import Function, Tensor, get_array_module  # noqa: F401  (Tensor: you will need it)


def alpha_bar(betas, t):
    raise NotImplementedError("write alpha_bar")


def per_image(values, ndim):
    """(N,) -> (N, 1, ..., 1): one value per image, broadcast over its pixels."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


class QSample(Function):
    def __init__(self, betas, t):
        self.abar_t = alpha_bar(betas, t)      # (N,): each image's own abar_t

    def forward(self, x0, eps):
        raise NotImplementedError("write QSample.forward")

    def backward(self, gx_t):
        raise NotImplementedError("write QSample.backward")
