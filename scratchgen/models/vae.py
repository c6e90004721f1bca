"""The variational autoencoder (Kingma and Welling 2014), with an honest likelihood estimate.

A latent variable model: draw a code z from a prior, then x from a decoder,

    p(z) = N(0, I),     p(x) = sum_z p(x|z) p(z)   (an integral over z).

The decoder's p(x|z) is Bernoulli(sigmoid(logits(z))) per pixel for binary images,
or N(mean(z), diag(sigma^2)) with one learned variance per value for continuous ones.
p(x) itself cannot be computed, so an encoder gives a Gaussian posterior guess

    q(z|x) = N(mu(x), diag(exp(logvar(x)))),

and training maximises the evidence lower bound (ELBO), for every x:

    log p(x) >= ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || p(z)).

The loss is its negative: a reconstruction term plus the KL to N(0, I),

    loss = -log p(x|z) + beta * KL,      z = mu + exp(0.5 logvar) * eps,  eps ~ N(0, I),

with beta = 1 for the true bound (beta > 1 is the beta-VAE of Higgins et al. 2017).
The *reparameterisation* writes the sample z as a differentiable function of mu and
logvar with the randomness in eps, so the reconstruction term's gradient reaches the
encoder.  Note exp(0.5 logvar) is the standard deviation; exp(logvar) is the variance.

The Gaussians are ``autograd.distributions`` objects (q is ``posterior``, p(z) is
``prior``), so the code reads as the formulas: ``z = q.rsample()``,
``kl_divergence(q, p)``, ``p.log_prob(z)``.  The KL between diagonal Gaussians has
a closed form:

    KL(q || N(0, I)) = 0.5 sum_j (exp(logvar_j) + mu_j^2 - 1 - logvar_j).

Without it the encoder would shrink its variance to 0 and the model would be a plain
autoencoder; with it, each term exp(logvar_j) - 1 - logvar_j is smallest at variance
1 and grows without bound (through -logvar_j) as the variance goes to 0, and mu_j^2
pulls the codes towards 0.  So the codes of all the training images must fill the
prior together, and decoding a fresh z ~ N(0, I) gives an image.

Honest likelihoods (Burda et al. 2016).  With k samples z_i ~ q(z|x) and the log
importance weights w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x),

    L_k(x) = log (1/k) sum_i exp(w_i)  <=  log p(x),

computed stably with logsumexp.  L_1 is (a one-sample estimate of) the ELBO;
E[L_k] never decreases with k and tends to log p(x).  ``log_prob_bound`` returns
L_k (through ``scratchgen.metrics.iwae_bound``); the test NLL that
``python -m scratchgen eval`` reports is -L_k in nats.
"""

import math

import autograd as torch
from autograd import nn
from autograd.distributions import Independent, Normal, kl_divergence
from autograd.function import ShapeError
from autograd.nn import functional as F

from ..metrics import iwae_bound
from .ae import _check_image_shape, conv_decoder, conv_encoder, mlp

LIKELIHOODS = ("bernoulli", "gaussian")
MIN_DECODER_LOGVAR = math.log(1e-6)   # a constant pixel must not drive the density to infinity


def posterior(mu, logvar):
    """q(z|x) = N(mu, diag(exp(logvar))) as one distribution over the last dim:
    exp(0.5 logvar) is the standard deviation."""
    return Independent(Normal(mu, (0.5 * logvar).exp()), 1)


def prior(like):
    """p(z) = N(0, I) over the last dim, with the shape, dtype and device of ``like``."""
    return Independent(Normal(torch.zeros_like(like), torch.ones_like(like)), 1)


class VAE(nn.Module):
    """A VAE from an encoder x -> (N, 2 latent_dim) = [mu | logvar] and a decoder
    z -> N * D values: Bernoulli logits or Gaussian means.  MLPVAE and ConvVAE build
    the two networks; tests build their own."""

    def __init__(self, encoder, decoder, input_shape, latent_dim, likelihood="bernoulli", beta=1.0):
        super().__init__()
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"{type(self).__name__}: likelihood must be one of {LIKELIHOODS}, "
                             f"got {likelihood!r}")
        if latent_dim < 1 or not beta > 0:
            raise ValueError(f"{type(self).__name__}: need latent_dim >= 1 and beta > 0, "
                             f"got latent_dim={latent_dim}, beta={beta}")
        self.encoder, self.decoder = encoder, decoder
        self.input_shape, self.latent_dim = tuple(input_shape), latent_dim
        self.likelihood, self.beta = likelihood, beta
        if likelihood == "gaussian":   # log sigma^2 of p(x|z), one per value, shared by all x
            self.decoder_logvar = nn.Parameter(torch.zeros(*self.input_shape))

    def _name(self):
        return f"{type(self).__name__}(latent_dim={self.latent_dim})"

    def _check_input(self, x):
        if x.ndim != len(self.input_shape) + 1 or tuple(x.shape[1:]) != self.input_shape:
            raise ShapeError(f"{self._name()}: expected input (N, {', '.join(map(str, self.input_shape))}), "
                             f"got {tuple(x.shape)}")

    # -- the two networks -----------------------------------------------------
    def encode(self, x):
        """x (N, *input_shape) -> mu, logvar of q(z|x), each (N, latent_dim)."""
        self._check_input(x)
        h = self.encoder(x)
        if h.shape != (x.shape[0], 2 * self.latent_dim):
            raise ShapeError(f"{self._name()}: the encoder must give (N, {2 * self.latent_dim}) = "
                             f"[mu | logvar], gave {tuple(h.shape)}")
        return h[:, :self.latent_dim], h[:, self.latent_dim:]

    def decode(self, z):
        """z (N, latent_dim) -> the decoder's output (N, *input_shape): logits or means."""
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ShapeError(f"{self._name()}: expected z (N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.decoder(z).reshape(z.shape[0], *self.input_shape)

    def mean_image(self, decoded):
        """The mean of p(x|z) from the decoder's output: sigmoid(logits), or the mean itself."""
        return decoded.sigmoid() if self.likelihood == "bernoulli" else decoded

    def log_likelihood(self, x, decoded):
        """log p(x|z) summed over each example's values, (N,).

        Bernoulli: sum_d [x_d log p_d + (1 - x_d) log(1 - p_d)] = -BCE(logits, x), stably;
        Gaussian:  sum_d log N(x_d; mean_d, exp(logvar_d)).
        """
        if self.likelihood == "bernoulli":
            # -BCE also takes grey levels in [0, 1], which a Bernoulli's log_prob refuses
            per_value = -F.binary_cross_entropy_with_logits(decoded, x, reduction="none")
        else:
            logvar = self.decoder_logvar.clamp(min=MIN_DECODER_LOGVAR)
            per_value = Normal(decoded, (0.5 * logvar).exp()).log_prob(x)
        return per_value.reshape(x.shape[0], -1).sum(dim=1)

    # -- the bound and the loss -------------------------------------------------
    def forward(self, x):
        """(decoded, mu, logvar): the decoder's output for one z ~ q(z|x), and q's parameters."""
        mu, logvar = self.encode(x)
        return self.decode(posterior(mu, logvar).rsample()), mu, logvar

    def elbo_terms(self, x):
        """(reconstruction, kl), each (N,) in nats: -log p(x|z) for one z ~ q(z|x), and the
        analytic KL(q(z|x) || N(0, I)).  ELBO = -(reconstruction + kl)."""
        decoded, mu, logvar = self(x)
        return -self.log_likelihood(x, decoded), kl_divergence(posterior(mu, logvar), prior(mu))

    def elbo(self, x):
        """One-sample estimate of the ELBO per example, (N,)."""
        reconstruction, kl = self.elbo_terms(x)
        return -(reconstruction + kl)

    def loss(self, x):
        """Mean over the batch of -log p(x|z) + beta KL: the negative ELBO when beta = 1."""
        reconstruction, kl = self.elbo_terms(x)
        return (reconstruction + self.beta * kl).mean()

    # -- the importance-weighted likelihood ----------------------------------------
    def log_weights(self, x, k):
        """(k, N) log importance weights w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x), z_i ~ q(z|x)."""
        mu, logvar = self.encode(x)
        n = x.shape[0]
        q = posterior(mu, logvar)
        z = q.rsample((k,))                                 # (k, n, latent_dim)
        decoded = self.decode(z.reshape(k * n, self.latent_dim))
        repeated_x = x.expand(k, *x.shape).reshape(k * n, *self.input_shape)
        log_px_given_z = self.log_likelihood(repeated_x, decoded).reshape(k, n)
        return log_px_given_z + prior(mu).log_prob(z) - q.log_prob(z)

    def log_weights_no_grad(self, x, k, samples_per_pass=100):
        """``log_weights`` as float64 without a graph, the k samples going through the decoder
        ``samples_per_pass`` at a time so that memory stays bounded for large k."""
        if k < 1:
            raise ValueError(f"{self._name()}: the number of samples k must be >= 1, got {k}")
        with torch.no_grad():
            chunks = [self.log_weights(x, min(samples_per_pass, k - start))
                      for start in range(0, k, samples_per_pass)]
            return torch.cat(chunks, dim=0).double()

    def log_prob_bound(self, x, k, samples_per_pass=100):
        """L_k(x) = log (1/k) sum_i exp(w_i) <= log p(x) per example, (N,) float64, no graph."""
        return iwae_bound(self.log_weights_no_grad(x, k, samples_per_pass))

    def sample(self, n):
        """n images: the mean of p(x|z) for z ~ N(0, I) (probabilities, for a Bernoulli decoder)."""
        z = torch.randn(n, self.latent_dim, dtype=self._dtype(), device=self._device())
        return self.mean_image(self.decode(z))

    def _dtype(self):
        return next(self.parameters()).dtype

    def _device(self):
        return next(self.parameters()).device


class MLPVAE(VAE):
    """Fully connected: D -> hidden... -> 2 latent_dim; latent_dim -> ...hidden reversed -> D.
    The one-hidden-layer 784-400-20 is the VAE of Kingma and Welling's MNIST experiments."""

    def __init__(self, input_shape=(1, 28, 28), latent_dim=20, hidden=(400,), likelihood="bernoulli",
                 beta=1.0, activation=nn.ReLU):
        d = math.prod(input_shape)
        encoder = nn.Sequential(nn.Flatten(), mlp([d, *hidden, 2 * latent_dim], activation))
        decoder = mlp([latent_dim, *reversed(hidden), d], activation)
        super().__init__(encoder, decoder, input_shape, latent_dim, likelihood, beta)


class ConvVAE(VAE):
    """Convolutional: ``conv_encoder`` to [mu | logvar], ``conv_decoder`` back (see ae.py)."""

    def __init__(self, input_shape=(1, 28, 28), latent_dim=32, width=32, likelihood="bernoulli", beta=1.0):
        _check_image_shape("ConvVAE", input_shape)
        super().__init__(conv_encoder(input_shape, width, 2 * latent_dim),
                         conv_decoder(latent_dim, width, input_shape),
                         input_shape, latent_dim, likelihood, beta)
