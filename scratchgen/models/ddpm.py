"""Denoising diffusion probabilistic models (Ho et al. 2020), with DDIM sampling (Song et al. 2021).

**Forward process.**  Gaussian noise is added to an image x_0 in T small steps,

    q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I),     t = 1, ..., T,

with a variance schedule beta_1 < beta_2 < ... < beta_T that grows with t.  Writing
alpha_t = 1 - beta_t and abar_t = alpha_1 alpha_2 ... alpha_t, the steps compose
into one Gaussian, so x_t is reached in a single draw (the reparameterised jump):

    q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I),
    x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,   eps ~ N(0, I).          (q_sample)

Since alpha_t < 1, abar_t shrinks towards 0, and x_T is practically pure noise N(0, I).

**Posterior.**  Given x_0, one step back is Gaussian too:

    q(x_{t-1} | x_t, x_0) = N(mu~_t, beta~_t I),
    mu~_t   = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t,
    beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t.                         (q_posterior)

**Reverse process.**  A network eps_theta(x_t, t) guesses the noise in x_t, which
gives a guess of x_0 and hence of the posterior mean:

    x0_theta = (x_t - sqrt(1 - abar_t) eps_theta) / sqrt(abar_t)
    p(x_{t-1} | x_t) = N(mu_theta, sigma_t^2 I),
    mu_theta = mu~_t(x0_theta, x_t) = (x_t - beta_t / sqrt(1 - abar_t) eps_theta) / sqrt(alpha_t).

sigma_t^2 is fixed: beta_t ("beta") or beta~_t ("posterior"); at t = 1, where
beta~_1 = 0, both use beta_1.  Training minimises the simplified loss at a uniform
random t (L_simple, Ho et al. eq. 14):  E || eps - eps_theta(x_t, t) ||^2, taken here as
a mean over pixels (the squared norm divided by D), so its scale is independent of D.

**Sampling.**  Ancestral (Ho et al. Algorithm 2): x_T ~ N(0, I), then for t = T..1
x_{t-1} = mu_theta(x_t, t) + sigma_t z with z ~ N(0, I) (z = 0 at t = 1).  DDIM
(Song et al. 2021) walks a subsequence tau_S > ... > tau_1 of the timesteps:

    x_prev = sqrt(abar_prev) x0_theta + sqrt(1 - abar_prev - s^2) eps_theta + s z,
    s = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev);

eta = 0 makes it deterministic, so 50 steps replace 1000.

**The bound.**  For images of 8-bit pixels scaled to [-1, 1],

    -log p(x_0) <= L_T + sum_{t=2..T} L_{t-1} + L_0,
    L_T     = KL(q(x_T | x_0) || N(0, I))                     (prior)
    L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)),   x_t ~ q(x_t | x_0)
    L_0     = -log p(x_0 | x_1),  a discretised Gaussian: the mass of N(mu_theta(x_1, 1), sigma_1^2)
              on each pixel's bin [x - 1/255, x + 1/255] (the end bins reach -inf and +inf).

Summing all T - 1 middle terms costs T network calls per image; ``nll_bound``
estimates the sum without bias by stratified sampling: {2, ..., T} is cut into
K runs of consecutive steps, one t is drawn uniformly from each, and its term is
weighted by the run's length (K = T - 1 gives the exact sum).  Divided by
D log 2 (D = C H W values per image) the bound is in bits per dimension.

Every coefficient is precomputed once in float64 (``NoiseSchedule``) and indexed by
t itself: entry 0 stands for t = 0 (beta_0 = 0, abar_0 = 1).
"""
import math

import numpy

import autograd as torch
from autograd import backend
from autograd.function import ShapeError
from autograd.nn import functional as F

from .. import metrics

PIXEL_HALF_BIN = 1.0 / 255.0     # half the gap between neighbouring 8-bit values on [-1, 1]


# ----------------------------------------------------------------------------
# Variance schedules
# ----------------------------------------------------------------------------
def linear_betas(timesteps=1000, start=1e-4, end=0.02):
    """beta_t rising linearly from ``start`` to ``end`` (Ho et al.: 1e-4 to 0.02 over T = 1000)."""
    return numpy.linspace(start, end, timesteps, dtype=numpy.float64)


def cosine_betas(timesteps=1000, s=0.008, max_beta=0.999):
    """Nichol and Dhariwal (2021): abar_t = f(t) / f(0) with f(t) = cos((t/T + s) / (1 + s) * pi/2)^2.

    Then beta_t = 1 - abar_t / abar_{t-1}, capped at ``max_beta`` so the last steps stay finite.
    abar falls gently at both ends, so fewer steps are spent on images that are already noise.
    """
    t = numpy.arange(timesteps + 1, dtype=numpy.float64)
    f = numpy.cos((t / timesteps + s) / (1 + s) * math.pi / 2) ** 2
    abar = f / f[0]
    return numpy.minimum(1 - abar[1:] / abar[:-1], max_beta)


SCHEDULES = {"linear": linear_betas, "cosine": cosine_betas}


class NoiseSchedule:
    """beta_1..beta_T and every coefficient derived from them, as arrays indexed by t = 0..T.

    reverse_variance: sigma_t^2 of the reverse process, "beta" (beta_t) or
    "posterior" (beta~_t); sigma_1^2 = beta_1 in both cases.
    """

    def __init__(self, betas, reverse_variance="beta", device=None):
        betas = numpy.asarray(betas, dtype=numpy.float64)
        if betas.ndim != 1 or len(betas) < 2 or not ((betas > 0) & (betas < 1)).all():
            raise ValueError(f"NoiseSchedule: expected at least 2 betas in (0, 1), got shape {betas.shape} "
                             f"with range [{betas.min():.3g}, {betas.max():.3g}]")
        if reverse_variance not in ("beta", "posterior"):
            raise ValueError(f"NoiseSchedule: reverse_variance must be 'beta' or 'posterior', "
                             f"got {reverse_variance!r}")
        self.timesteps, self.reverse_variance = len(betas), reverse_variance
        self.device = device = backend.normalize_device(device)  # None: the default device
        beta = numpy.concatenate([[0.0], betas])               # beta[t]; beta_0 = 0 means x_0 itself
        alpha = 1 - beta
        abar = numpy.cumprod(alpha)                            # abar[0] = 1
        abar_prev = numpy.concatenate([[1.0], abar[:-1]])      # abar[t - 1]
        with numpy.errstate(divide="ignore", invalid="ignore"):  # t = 0 has no posterior: 0/0
            posterior_variance = numpy.nan_to_num(beta * (1 - abar_prev) / (1 - abar))
            x0_coef = numpy.nan_to_num(beta * numpy.sqrt(abar_prev) / (1 - abar))
            xt_coef = numpy.nan_to_num(numpy.sqrt(alpha) * (1 - abar_prev) / (1 - abar))
        sigma2 = beta.copy() if reverse_variance == "beta" else posterior_variance.copy()
        sigma2[1] = beta[1]                                    # beta~_1 = 0: the decoder needs a width
        self.host = {"beta": beta, "alpha": alpha, "abar": abar, "abar_prev": abar_prev,
                     "sqrt_abar": numpy.sqrt(abar), "sqrt_one_minus_abar": numpy.sqrt(1 - abar),
                     "posterior_variance": posterior_variance, "posterior_x0_coef": x0_coef,
                     "posterior_xt_coef": xt_coef, "reverse_variance": sigma2}
        # the same tables where the images live (NumPy or CuPy), for the lookups below
        self.tables = {name: backend.to_device(values, device) for name, values in self.host.items()}

    @classmethod
    def named(cls, name, timesteps=1000, reverse_variance="beta", device=None):
        if name not in SCHEDULES:
            raise ValueError(f"unknown schedule {name!r}; available: {', '.join(SCHEDULES)}")
        return cls(SCHEDULES[name](timesteps), reverse_variance, device)

    def at(self, name, t, like):
        """Coefficient ``name`` at timesteps t (an int or an (N,) Tensor), as a Tensor of
        ``like``'s dtype shaped (N, 1, 1, 1) to broadcast against images."""
        table = self.tables[name]
        xp = backend.get_array_module(table)
        index = t.array if isinstance(t, torch.Tensor) else xp.full((like.shape[0],), int(t))
        values = table[index].astype(like.dtype)
        return torch.Tensor(values.reshape((-1,) + (1,) * (like.ndim - 1)))


# ----------------------------------------------------------------------------
# A standard normal CDF that both NumPy and CuPy can run
# ----------------------------------------------------------------------------
def erfc(x):
    """The complementary error function of a Tensor, to a relative error below 1.2e-7.

    A Chebyshev fit (Press et al., Numerical Recipes, section 6.2): with z = |x| and
    r = 1 / (1 + z/2), erfc(z) = r exp(-z^2 + P(r)) for a degree-9 polynomial P, and
    erfc(-z) = 2 - erfc(z).  It stays relatively accurate far into the tail, which
    the discretised decoder needs: log of a tiny probability, not of 0.
    """
    coefficients = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)
    z = x.abs()
    r = 1 / (1 + 0.5 * z)
    polynomial = coefficients[-1] * torch.ones_like(z)
    for c in reversed(coefficients[:-1]):                     # Horner's rule
        polynomial = polynomial * r + c
    tail = r * torch.exp(-z * z + polynomial)
    return torch.where(x >= 0, tail, 2 - tail)


def log_normal_cdf_difference(upper, lower):
    """log(Phi(upper) - Phi(lower)) for upper > lower, computed on the side of 0 where it is accurate.

    Phi(z) = erfc(-z / sqrt 2) / 2 is accurate for z < 0, and 1 - Phi(z) = erfc(z / sqrt 2) / 2
    for z > 0; a bin above 0 is measured as (1 - Phi(lower)) - (1 - Phi(upper)).
    """
    root2 = math.sqrt(2.0)
    below = (erfc(-upper / root2) - erfc(-lower / root2)) / 2
    above = (erfc(lower / root2) - erfc(upper / root2)) / 2
    mass = torch.where(lower > 0, above, below)
    return torch.log(mass.clamp(min=1e-300))


def discretized_gaussian_log_likelihood(x0, mean, std):
    """log P(x0) per pixel under N(mean, std^2) integrated over the pixel's 8-bit bin on [-1, 1].

    x0 holds exact 8-bit values k / 127.5 - 1; the bins of 0 and 255 extend to -inf and +inf,
    so the probabilities of the 256 values sum to 1.
    """
    upper = (x0 + PIXEL_HALF_BIN - mean) / std
    lower = (x0 - PIXEL_HALF_BIN - mean) / std
    at_bottom, at_top = x0 < -1 + PIXEL_HALF_BIN, x0 > 1 - PIXEL_HALF_BIN
    upper = torch.where(at_top, torch.full_like(upper, math.inf), upper)
    lower = torch.where(at_bottom, torch.full_like(lower, -math.inf), lower)
    return log_normal_cdf_difference(upper, lower)


# ----------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------
class DDPM:
    """A diffusion model: a noise schedule and a noise-predicting network eps_theta(x_t, t).

    model: any callable (x_t (N, C, H, W), t (N,) int64) -> eps (N, C, H, W), usually a UNet.
    image_shape: (C, H, W) of the images, for sampling.
    """

    def __init__(self, model, schedule, image_shape):
        self.model, self.schedule, self.image_shape = model, schedule, tuple(image_shape)
        self.timesteps = schedule.timesteps

    # -- the forward process ------------------------------------------------
    def q_sample(self, x0, t, eps):
        """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps: step t of the forward process in one draw."""
        self._check_images("q_sample", x0)
        s = self.schedule
        return s.at("sqrt_abar", t, x0) * x0 + s.at("sqrt_one_minus_abar", t, x0) * eps

    def q_posterior(self, x0, x_t, t):
        """Mean and variance of q(x_{t-1} | x_t, x_0), for t >= 1."""
        s = self.schedule
        mean = s.at("posterior_x0_coef", t, x0) * x0 + s.at("posterior_xt_coef", t, x0) * x_t
        return mean, s.at("posterior_variance", t, x0)

    # -- the reverse process ------------------------------------------------
    def predict_noise(self, x_t, t):
        """eps_theta(x_t, t), computed in the network's dtype and returned in x_t's."""
        if isinstance(t, int):
            t = torch.full((x_t.shape[0],), t, dtype=torch.int64, device=x_t.device)
        # the bound runs in float64 while the network's weights are float32
        parameters = list(self.model.parameters()) if hasattr(self.model, "parameters") else []
        dtype = parameters[0].dtype if parameters else x_t.dtype
        return self.model(x_t.to(dtype=dtype), t).to(dtype=x_t.dtype)

    def predict_x0(self, x_t, t, eps):
        """x0_theta = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t): q_sample solved for x_0."""
        s = self.schedule
        return (x_t - s.at("sqrt_one_minus_abar", t, x_t) * eps) / s.at("sqrt_abar", t, x_t)

    def p_mean(self, x_t, t, eps, clip=False):
        """mu_theta = (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t), computed as the
        posterior mean at x0_theta (the same number); ``clip`` first clamps x0_theta to [-1, 1]."""
        x0 = self.predict_x0(x_t, t, eps)
        if clip:
            x0 = x0.clamp(-1.0, 1.0)
        mean, _ = self.q_posterior(x0, x_t, t)
        return mean

    # -- training -----------------------------------------------------------
    def loss(self, x0):
        """L_simple: mean squared error between eps and eps_theta(x_t, t), t uniform on 1..T."""
        self._check_images("loss", x0)
        t = torch.randint(1, self.timesteps + 1, (x0.shape[0],), device=x0.device)
        eps = torch.randn(*x0.shape, dtype=x0.dtype, device=x0.device)
        return ((self.predict_noise(self.q_sample(x0, t, eps), t) - eps) ** 2).mean()

    # -- sampling -----------------------------------------------------------
    def ancestral_steps(self, x_T, clip=True):
        """Ho et al. Algorithm 2, one step at a time: yields (t, x_{t-1}) for t = T, ..., 1."""
        x = x_T
        for t in range(self.timesteps, 0, -1):
            mean = self.p_mean(x, t, self.predict_noise(x, t), clip)
            if t > 1:
                noise = torch.randn(*x.shape, dtype=x.dtype, device=x.device)
                x = mean + self.schedule.at("reverse_variance", t, x).sqrt() * noise
            else:
                x = mean   # the last step returns the mean: z = 0
            yield t, x

    def ddim_timesteps(self, steps):
        """tau_S > ... > tau_1: ``steps`` timesteps spread evenly over 1..T, largest first."""
        if not 1 <= steps <= self.timesteps:
            raise ValueError(f"DDIM: steps must be between 1 and T = {self.timesteps}, got {steps}")
        if steps == 1:
            return [self.timesteps]
        spacing = (self.timesteps - 1) / (steps - 1)         # >= 1, so no timestep repeats
        return [int(1 + k * spacing + 0.5) for k in range(steps - 1, -1, -1)]

    def ddim_steps(self, x_T, steps=50, eta=0.0, clip=True):
        """Song et al. (2021): yields (t, x at the next timestep) along ddim_timesteps(steps), ending at 0."""
        taus = self.ddim_timesteps(steps)
        x, abar = x_T, self.schedule.host["abar"]
        for t, t_prev in zip(taus, taus[1:] + [0]):
            eps = self.predict_noise(x, t)
            x0 = self.predict_x0(x, t, eps)
            if clip:  # keep x0_theta in the data range, and the noise consistent with it
                x0 = x0.clamp(-1.0, 1.0)
                eps = (x - math.sqrt(abar[t]) * x0) / math.sqrt(1 - abar[t])
            s = eta * math.sqrt((1 - abar[t_prev]) / (1 - abar[t]) * (1 - abar[t] / abar[t_prev]))
            x = math.sqrt(abar[t_prev]) * x0 + math.sqrt(1 - abar[t_prev] - s ** 2) * eps
            if s > 0:
                x = x + s * torch.randn(*x.shape, dtype=x.dtype, device=x.device)
            yield t, x

    def sample(self, n, sampler="ddim", steps=50, eta=0.0, clip=True, device=None):
        """n images (n, C, H, W): x_0 from x_T ~ N(0, I) by ``sampler``, 'ancestral' (T steps) or
        'ddim' (``steps`` steps).  With ``clip`` both end on the clamped x0_theta, in [-1, 1]."""
        x = torch.randn(n, *self.image_shape, device=device)
        if sampler == "ancestral":
            walk = self.ancestral_steps(x, clip)
        elif sampler == "ddim":
            walk = self.ddim_steps(x, steps, eta, clip)
        else:
            raise ValueError(f"DDPM.sample: sampler must be 'ancestral' or 'ddim', got {sampler!r}")
        for _, x in walk:
            pass
        return x

    # -- the variational bound ----------------------------------------------
    def nll_bound(self, x0, strata=None):
        """Per-image estimate of L_T + sum_{t>=2} L_{t-1} + L_0 in nats, as a dict of (N,) arrays:
        'prior', 'diffusion' (the middle terms), 'decoder' and 'total'.

        x0: 8-bit images on [-1, 1] (exact values k / 127.5 - 1).  strata: K, the number of
        runs of {2..T} sampled once each (default T - 1: every term, exactly).
        """
        self._check_images("nll_bound", x0)
        x0 = x0.double()
        strata = self.timesteps - 1 if strata is None else strata
        if not 1 <= strata <= self.timesteps - 1:
            raise ValueError(f"nll_bound: strata must be between 1 and T - 1 = {self.timesteps - 1}, "
                             f"got {strata}")
        with torch.no_grad():
            prior = self._prior_term(x0)
            diffusion = 0
            run_length = (self.timesteps - 1) / strata
            edges = [2 + int(k * run_length + 0.5) for k in range(strata + 1)]   # from 2 to T + 1
            for low, high in zip(edges[:-1], edges[1:]):       # the run {low, ..., high - 1}
                t = torch.randint(low, high, (x0.shape[0],), device=x0.device)
                diffusion = diffusion + (high - low) * self._middle_term(x0, t)
            decoder = self._decoder_term(x0)
        parts = {"prior": prior, "diffusion": diffusion, "decoder": decoder,
                 "total": prior + diffusion + decoder}
        return {name: backend.to_numpy(value.array) for name, value in parts.items()}

    def _prior_term(self, x0):
        """L_T = KL(N(sqrt(abar_T) x_0, 1 - abar_T) || N(0, 1)), summed over pixels."""
        T, s = self.timesteps, self.schedule
        mean = s.at("sqrt_abar", T, x0) * x0
        log_variance = torch.log(1 - s.at("abar", T, x0)).expand_as(mean)
        kl = F.kl_normal(mean, log_variance)         # against kl_normal's default p = N(0, 1)
        return _sum_per_image(kl)

    def _middle_term(self, x0, t):
        """L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) at one draw of x_t, per image."""
        eps = torch.randn(*x0.shape, dtype=x0.dtype, device=x0.device)
        x_t = self.q_sample(x0, t, eps)
        true_mean, true_variance = self.q_posterior(x0, x_t, t)
        model_mean = self.p_mean(x_t, t, self.predict_noise(x_t, t))
        model_variance = self.schedule.at("reverse_variance", t, x0)
        kl = F.kl_normal(true_mean, torch.log(true_variance).expand_as(true_mean),
                         model_mean, torch.log(model_variance))
        return _sum_per_image(kl)

    def _decoder_term(self, x0):
        """L_0 = -log p(x_0 | x_1), the discretised Gaussian at t = 1, per image."""
        t = torch.ones(x0.shape[0], dtype=torch.int64, device=x0.device)
        x_1 = self.q_sample(x0, t, torch.randn(*x0.shape, dtype=x0.dtype, device=x0.device))
        mean = self.p_mean(x_1, t, self.predict_noise(x_1, t))
        std = self.schedule.at("reverse_variance", t, x0).sqrt()
        return -_sum_per_image(discretized_gaussian_log_likelihood(x0, mean, std))

    def bits_per_dim(self, x0, strata=None):
        """nll_bound in bits per dimension: each part divided by D log 2, D = C * H * W."""
        dims = math.prod(self.image_shape)
        return {name: metrics.bits_per_dim(nats, dims) for name, nats in self.nll_bound(x0, strata).items()}

    def _check_images(self, where, x):
        if tuple(x.shape[1:]) != self.image_shape:
            raise ShapeError(f"DDPM.{where}: expected images (N, {', '.join(map(str, self.image_shape))}), "
                             f"got {tuple(x.shape)}")


def _sum_per_image(values):
    return values.reshape(values.shape[0], -1).sum(dim=1)
