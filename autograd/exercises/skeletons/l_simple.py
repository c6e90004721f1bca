"""Exercise l_simple: the loss a diffusion model is trained with.

Math (Ho et al. 2020, eq. 14).  A DDPM's network eps_theta(x_t, t) looks at a
noised image x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps and guesses the noise
eps that was added.  Of the variational bound, Ho et al. keep only a reweighted
part, the "simple" loss

    L_simple = E_{t, x_0, eps} || eps - eps_theta(x_t, t) ||^2,

and ``scratchgen.models.ddpm.DDPM.loss`` takes it as a mean over every value of
the batch: for eps and eps_theta of shape (N, C, H, W),

    L = 1 / (N C H W) * sum over n, c, h, w of (eps - eps_theta)^2,

so its scale does not depend on the image size.  eps is the target (drawn
noise, a constant); only eps_theta comes from the network.

The question.  How does L change when one value of eps_theta changes?  Which
way must eps_theta move to lower L?

Your task:
  1. ``LSimple.forward(eps_theta, eps)``: L, a scalar, on raw arrays;
  2. write LSimple.backward: returns (the gradient for eps_theta, None): eps
     gets no gradient.
The check compares L with the reference first, then your gradient with finite
differences, with an incoming gradient that is not always 1.

Hint: count the values the mean divides by.
"""
from autograd import Function


class LSimple(Function):
    def forward(self, eps_theta, eps):
        raise NotImplementedError("write LSimple.forward")

    def backward(self, g_loss):
        eps_theta, eps = self.inputs
        raise NotImplementedError("write LSimple.backward")
