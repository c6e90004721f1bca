"""Exercise vae: the VAE's reparameterised sample and its KL term.

Math (Kingma and Welling 2014).  The encoder gives, per sample, a mean mu and a
log-variance logvar of q(z|x) = N(mu, diag(exp(logvar))).

Reparameterised sample: draw eps ~ N(0, I) once, outside the graph, then

    z = mu + sigma * eps,   sigma = exp(logvar / 2)      (the std, not the variance)

    dz/dmu = 1,   dz/dlogvar = eps * sigma / 2,   no gradient for eps (a constant)

KL to the prior N(0, I), per sample n (summed over the latent dims j):

    KL_n = -1/2 sum_j (1 + logvar_nj - mu_nj^2 - exp(logvar_nj))

    dKL_n/dmu_nj = mu_nj,    dKL_n/dlogvar_nj = (exp(logvar_nj) - 1) / 2

Your task: write ``Reparameterize.backward`` (returns gmu, glogvar, None) and
``GaussianKL.backward`` (returns gmu, glogvar) with Tensor ops.  KL has shape
(N,): its gradient gkl has shape (N,) and must be reshaped to (N, 1) to
broadcast over the latent dims of mu (N, J).

Hint: sigma = exp(logvar / 2), so its derivative carries a factor 1/2.
"""
from autograd import Function, get_array_module


class Reparameterize(Function):
    def forward(self, mu, logvar, eps):
        xp = get_array_module(mu)
        return mu + xp.exp(logvar / 2) * eps

    def backward(self, gz):
        mu, logvar, eps = self.inputs
        raise NotImplementedError("write Reparameterize.backward")


class GaussianKL(Function):
    def forward(self, mu, logvar):
        xp = get_array_module(mu)
        return -0.5 * (1 + logvar - mu ** 2 - xp.exp(logvar)).sum(axis=1)

    def backward(self, gkl):
        mu, logvar = self.inputs
        raise NotImplementedError("write GaussianKL.backward")
