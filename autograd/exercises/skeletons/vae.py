"""Exercise vae: the VAE's reparameterised sample and its KL term.

Forward (Kingma and Welling 2014).  The encoder gives, per sample, a mean mu and
a log-variance logvar of q(z|x) = N(mu, diag(exp(logvar))).

    z    = mu + exp(logvar / 2) * eps        eps ~ N(0, I), drawn once, a constant
    KL_n = -1/2 sum_j (1 + logvar_nj - mu_nj^2 - exp(logvar_nj))    (shape (N,))

The question.  Given gz = dL/dz (N, J), what are dL/dmu and dL/dlogvar through
z?  Given gkl = dL/dKL (N,), what are they through the KL?  Note what the
standard deviation is in terms of logvar, and that KL_n is one number per
sample while mu has J entries per sample.

Your task: write ``Reparameterize.backward`` (returns gmu, glogvar, None) and
``GaussianKL.backward`` (returns gmu, glogvar) with Tensor ops.
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
