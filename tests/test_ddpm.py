"""DDPM: schedules, the closed-form forward process, the posterior, the samplers, the bound, the family.

Statistical tests are seeded (the autouse fixture seeds 0) and state their tolerance.
An "oracle" stands in for a perfectly trained network where the data is one known
image x0: it returns the noise that is really in x_t, eps = (x_t - sqrt(abar_t) x0) /
sqrt(1 - abar_t), which makes several quantities exact.
"""
import json
import math

import numpy
import pytest

import autograd as torch
from autograd.function import ShapeError
from scratchgen import cli
from scratchgen.models.ddpm import (DDPM, NoiseSchedule, cosine_betas, discretized_gaussian_log_likelihood,
                                    erfc, linear_betas)


class Oracle:
    """eps_theta that knows the one image x0 of the data: exactly the noise in x_t."""

    def __init__(self, schedule, x0):
        self.abar, self.x0 = schedule.host["abar"], x0

    def __call__(self, x_t, t):
        abar = torch.tensor(self.abar[t.numpy()].reshape(-1, 1, 1, 1))
        return (x_t - abar.sqrt() * self.x0) / (1 - abar).sqrt()


def pixel_image(values, shape=(1, 1, 2, 2)):
    return torch.tensor(numpy.array(values, dtype=numpy.float64).reshape(shape))


# ----------------------------------------------------------------------------
# Schedules and coefficients
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_abar_decreases_from_one_to_nearly_zero(name):
    schedule = NoiseSchedule.named(name, 1000)
    abar = schedule.host["abar"]
    assert abar[0] == 1.0 and (numpy.diff(abar) < 0).all()
    assert abar[-1] < 1e-4          # x_T is practically pure noise (linear: 4.0e-5)
    assert (numpy.diff(schedule.host["beta"][1:]) >= 0).all()   # beta grows with t


def test_linear_schedule_is_ho_et_al_and_cosine_follows_its_formula():
    betas = linear_betas(1000)
    assert betas[0] == 1e-4 and betas[-1] == 0.02 and len(betas) == 1000
    cosine = cosine_betas(100)
    abar = numpy.cumprod(1 - cosine)
    f = lambda t: math.cos((t / 100 + 0.008) / 1.008 * math.pi / 2) ** 2   # noqa: E731
    for t in (1, 10, 50, 90):
        assert abar[t - 1] == pytest.approx(f(t) / f(0), rel=1e-9)


@pytest.mark.parametrize("reverse_variance", ["beta", "posterior"])
def test_posterior_coefficients_match_bayes_rule(reverse_variance):
    """q(x_{t-1} | x_t, x_0) from Bayes: prior N(sqrt(abar_{t-1}) x0, 1 - abar_{t-1}) times the
    likelihood N(x_t; sqrt(alpha_t) x_{t-1}, beta_t): precisions add, means are precision-weighted."""
    schedule = NoiseSchedule.named("linear", 1000, reverse_variance)
    h, abar = schedule.host, numpy.cumprod(1 - linear_betas(1000))
    for t in (2, 3, 50, 500, 1000):
        beta, abar_t, abar_prev = linear_betas(1000)[t - 1], abar[t - 1], abar[t - 2]
        variance = 1 / (1 / (1 - abar_prev) + (1 - beta) / beta)
        assert h["posterior_variance"][t] == pytest.approx(variance, rel=1e-9)
        assert h["posterior_x0_coef"][t] == pytest.approx(variance * math.sqrt(abar_prev) / (1 - abar_prev),
                                                          rel=1e-9)
        assert h["posterior_xt_coef"][t] == pytest.approx(variance * math.sqrt(1 - beta) / beta, rel=1e-9)
        assert h["abar"][t] == pytest.approx(abar_t, rel=1e-12)
        expected_sigma2 = beta if reverse_variance == "beta" else variance
        assert h["reverse_variance"][t] == pytest.approx(expected_sigma2, rel=1e-9)
    # t = 1: x_{t-1} is x_0 itself, so the posterior is a point mass at x_0
    assert h["posterior_x0_coef"][1] == pytest.approx(1.0, rel=1e-12)
    assert h["posterior_xt_coef"][1] == h["posterior_variance"][1] == 0.0
    assert h["reverse_variance"][1] == h["beta"][1]


def test_bad_schedules_are_refused():
    with pytest.raises(ValueError, match=r"betas in \(0, 1\)"):
        NoiseSchedule([0.1, 1.5])
    with pytest.raises(ValueError, match="reverse_variance"):
        NoiseSchedule(linear_betas(10), reverse_variance="learned")
    with pytest.raises(ValueError, match="unknown schedule 'quadratic'"):
        NoiseSchedule.named("quadratic")


# ----------------------------------------------------------------------------
# The forward process
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("t", [1, 7, 30])
def test_q_sample_matches_t_single_steps_in_mean_and_variance(t):
    """x_t drawn in one jump and x_t reached by t one-step draws x <- sqrt(1 - beta) x + sqrt(beta) z
    have the same mean and variance.  n = 20,000 draws per pixel: a mean's standard error is at
    most sqrt(1/n) = 0.0071 and a variance's sqrt(2/n) = 0.01; the tolerance is 5 standard errors
    of the difference of two estimates (0.05 for means, 0.071 for variances)."""
    n = 20_000
    schedule = NoiseSchedule(linear_betas(30, 1e-3, 0.2))
    diffusion = DDPM(None, schedule, (1, 2, 2))
    x0 = pixel_image([-1.0, -0.2, 0.5, 1.0]).repeat(n, 1, 1, 1)
    jumped = diffusion.q_sample(x0, t, torch.randn(*x0.shape, dtype=torch.float64)).numpy()
    stepped = x0
    for s in range(1, t + 1):
        beta = schedule.host["beta"][s]
        noise = torch.randn(*x0.shape, dtype=torch.float64)
        stepped = math.sqrt(1 - beta) * stepped + math.sqrt(beta) * noise
    stepped = stepped.numpy()
    numpy.testing.assert_allclose(jumped.mean(0), stepped.mean(0), atol=5 * math.sqrt(2 / n))
    numpy.testing.assert_allclose(jumped.var(0), stepped.var(0), atol=5 * math.sqrt(4 / n))
    # and both agree with the closed form N(sqrt(abar_t) x0, 1 - abar_t)
    abar = schedule.host["abar"][t]
    numpy.testing.assert_allclose(jumped.mean(0), math.sqrt(abar) * x0.numpy()[0], atol=5 * math.sqrt(1 / n))
    numpy.testing.assert_allclose(jumped.var(0), numpy.full((1, 2, 2), 1 - abar), atol=5 * math.sqrt(2 / n))


def test_q_sample_checks_the_image_shape():
    diffusion = DDPM(None, NoiseSchedule(linear_betas(10)), (1, 28, 28))
    with pytest.raises(ShapeError,
                       match=r"DDPM.q_sample: expected images \(N, 1, 28, 28\), got \(2, 1, 32, 32\)"):
        diffusion.q_sample(torch.zeros(2, 1, 32, 32), 3, torch.zeros(2, 1, 32, 32))


# ----------------------------------------------------------------------------
# The reverse process and the loss, with a perfect noise predictor
# ----------------------------------------------------------------------------
def oracle_diffusion(x0, timesteps=50, reverse_variance="beta"):
    schedule = NoiseSchedule(linear_betas(timesteps, 1e-4, 0.2), reverse_variance)
    return DDPM(Oracle(schedule, x0), schedule, tuple(x0.shape[1:]))


@pytest.mark.parametrize("t", [1, 2, 25, 50])
def test_one_reverse_step_with_the_true_noise_is_the_posterior_mean(t):
    x0 = pixel_image(numpy.random.default_rng(1).uniform(-1, 1, (3, 1, 2, 2)), (3, 1, 2, 2))
    diffusion = oracle_diffusion(x0)
    x_t = diffusion.q_sample(x0, t, torch.randn(3, 1, 2, 2, dtype=torch.float64))
    mean = diffusion.p_mean(x_t, t, diffusion.predict_noise(x_t, t)).numpy()
    posterior_mean, _ = diffusion.q_posterior(x0, x_t, t)
    numpy.testing.assert_allclose(mean, posterior_mean.numpy(), rtol=1e-9, atol=1e-12)


def test_p_mean_is_algorithm_2s_formula_for_any_noise_guess():
    """mu_theta is computed as the posterior mean at x0_theta; that is Ho et al.'s
    (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t) whatever eps is."""
    diffusion = oracle_diffusion(pixel_image([0.0] * 4))
    x_t, eps = torch.randn(4, 1, 2, 2, dtype=torch.float64), torch.randn(4, 1, 2, 2, dtype=torch.float64)
    h = diffusion.schedule.host
    for t in (1, 2, 30, 50):
        step_size = h["beta"][t] / math.sqrt(1 - h["abar"][t])
        expected = (x_t.numpy() - step_size * eps.numpy()) / math.sqrt(h["alpha"][t])
        numpy.testing.assert_allclose(diffusion.p_mean(x_t, t, eps).numpy(), expected, rtol=1e-9, atol=1e-12)


def test_the_loss_of_the_true_noise_is_zero_and_of_no_guess_is_one():
    x0 = pixel_image([-1.0, -0.5, 0.5, 1.0])
    assert oracle_diffusion(x0).loss(x0.repeat(64, 1, 1, 1)).item() < 1e-20
    # a network that always says 0 pays E[eps^2] = 1 (n = 64 * 4 = 256 values: within 5 * sqrt(2/256))
    schedule = NoiseSchedule(linear_betas(50))
    zero = DDPM(lambda x_t, t: x_t * 0, schedule, (1, 2, 2)).loss(x0.repeat(64, 1, 1, 1)).item()
    assert abs(zero - 1) < 5 * math.sqrt(2 / 256)


@pytest.mark.parametrize("sampler", ["ancestral", "ddim"])
def test_both_samplers_land_on_the_only_image_the_oracle_knows(sampler):
    x0 = pixel_image([-1.0, -0.3, 0.4, 0.9])
    diffusion = oracle_diffusion(x0)
    samples = diffusion.sample(5, sampler, steps=7)
    numpy.testing.assert_allclose(samples.numpy(), numpy.broadcast_to(x0.numpy(), (5, 1, 2, 2)), atol=1e-6)


def test_ddim_timesteps_are_distinct_descending_and_span_1_to_T():
    diffusion = DDPM(None, NoiseSchedule(linear_betas(1000)), (1, 28, 28))
    for steps in (1, 2, 50, 999, 1000):
        taus = diffusion.ddim_timesteps(steps)
        assert len(taus) == steps == len(set(taus)) and taus[0] == 1000
        assert taus == sorted(taus, reverse=True) and (steps == 1 or taus[-1] == 1)
    with pytest.raises(ValueError, match="between 1 and T = 1000"):
        diffusion.ddim_timesteps(1001)


def test_ddim_with_eta_one_and_every_step_is_ancestral_sampling_in_distribution():
    """eta = 1 over all T steps injects the noise s^2 = beta~_t: ancestral sampling with
    sigma_t^2 = beta~_t.  With the linear 'network' eps = 0.9 x_t both chains are linear
    Gaussian, x_{t-1} = a_t x_t + sigma_t z with a_t = (1 - 0.9 beta_t / sqrt(1 - abar_t)) / sqrt(alpha_t),
    so the samples' standard deviation is known exactly (0.478; with sigma_t^2 = beta_t it
    would be 0.549).  n = 20,000: a standard deviation's standard error is 0.5%; tolerance 3%."""
    n, schedule = 20_000, NoiseSchedule(linear_betas(20, 1e-3, 0.2), "posterior")
    diffusion = DDPM(lambda x_t, t: 0.9 * x_t, schedule, (1, 1, 1))
    h, variance = schedule.host, 1.0
    for t in range(20, 0, -1):
        a = (1 - 0.9 * h["beta"][t] / math.sqrt(1 - h["abar"][t])) / math.sqrt(h["alpha"][t])
        variance = a * a * variance + (h["posterior_variance"][t] if t > 1 else 0.0)
    ddim = diffusion.sample(n, "ddim", steps=20, eta=1.0, clip=False).numpy()
    ancestral = diffusion.sample(n, "ancestral", clip=False).numpy()
    assert ddim.std() == pytest.approx(math.sqrt(variance), rel=0.03)
    assert ancestral.std() == pytest.approx(math.sqrt(variance), rel=0.03)
    for samples in (ddim, ancestral):
        assert abs(samples.mean()) < 5 * math.sqrt(variance / n)


# ----------------------------------------------------------------------------
# The bound
# ----------------------------------------------------------------------------
def test_erfc_is_accurate_into_the_tails():
    xs = numpy.linspace(-6, 12, 181)
    ours = erfc(torch.tensor(xs)).numpy()
    exact = numpy.array([math.erfc(x) for x in xs])
    numpy.testing.assert_allclose(ours, exact, rtol=2e-7, atol=0)


def test_discretized_decoder_gives_the_256_values_probabilities_that_sum_to_one():
    values = torch.tensor(numpy.arange(256) / 127.5 - 1).reshape(256, 1, 1, 1)
    for mean, std in ((0.3, 0.01), (-0.99, 0.004), (1.5, 0.3), (0.0, 2.0)):
        log_p = discretized_gaussian_log_likelihood(values, torch.full_like(values, mean), std).numpy()
        assert numpy.exp(log_p).sum() == pytest.approx(1.0, abs=1e-6)


def exact_oracle_bound(diffusion, x0):
    """The bound for the one-image data set under the oracle, in closed form (nats): the
    model means equal the posterior means, so each middle KL is the variance mismatch only,
    and the decoder's mean is x0 itself."""
    h, T = diffusion.schedule.host, diffusion.timesteps
    x0 = x0.numpy()[0]
    prior = (0.5 * (-math.log(1 - h["abar"][T]) + (1 - h["abar"][T]) + h["abar"][T] * x0 ** 2 - 1)).sum()
    ratio = h["posterior_variance"][2:] / h["reverse_variance"][2:]
    middle = x0.size * (0.5 * (-numpy.log(ratio) + ratio - 1)).sum()
    reach = (1 / 255) / math.sqrt(2 * h["reverse_variance"][1])        # bin half-width / (std sqrt 2)
    edge = numpy.abs(x0) == 1
    decoder = -(numpy.where(edge, math.log(0.5 * (1 + math.erf(reach))), math.log(math.erf(reach)))).sum()
    return prior, middle, decoder


@pytest.mark.parametrize("reverse_variance", ["beta", "posterior"])
def test_the_bound_with_every_term_equals_its_closed_form(reverse_variance):
    x0 = pixel_image([-1.0, -0.2, 0.6, 1.0])
    diffusion = oracle_diffusion(x0, reverse_variance=reverse_variance)
    parts = diffusion.nll_bound(x0.repeat(3, 1, 1, 1))
    prior, middle, decoder = exact_oracle_bound(diffusion, x0)
    numpy.testing.assert_allclose(parts["prior"], prior, rtol=1e-6)
    numpy.testing.assert_allclose(parts["diffusion"], middle, rtol=1e-6, atol=1e-9)
    numpy.testing.assert_allclose(parts["decoder"], decoder, rtol=1e-6)
    numpy.testing.assert_allclose(parts["total"], prior + middle + decoder, rtol=1e-6)
    bits = diffusion.bits_per_dim(x0.repeat(3, 1, 1, 1))["total"]
    numpy.testing.assert_allclose(bits, (prior + middle + decoder) / (4 * math.log(2)), rtol=1e-6)


def test_the_stratified_bound_is_unbiased():
    """With 4 strata of the 49 middle steps, each image's estimate is random but its mean is
    the exact sum.  n = 3000 images; the tolerance is 5 standard errors of the mean."""
    n, x0 = 3000, pixel_image([-1.0, -0.2, 0.6, 1.0])
    diffusion = oracle_diffusion(x0)
    estimates = diffusion.nll_bound(x0.repeat(n, 1, 1, 1), strata=4)["diffusion"]
    _, exact, _ = exact_oracle_bound(diffusion, x0)
    assert estimates.std() > 0                                   # it is an estimate, not the sum
    assert abs(estimates.mean() - exact) < 5 * estimates.std() / math.sqrt(n)


def test_a_bound_is_never_below_zero_and_refuses_bad_strata():
    x0 = pixel_image([-1.0, -0.2, 0.6, 1.0])
    diffusion = oracle_diffusion(x0)
    assert (diffusion.nll_bound(x0, strata=3)["total"] > 0).all()   # probabilities of discrete images <= 1
    with pytest.raises(ValueError, match="strata must be between 1 and T - 1 = 49"):
        diffusion.nll_bound(x0, strata=50)


# ----------------------------------------------------------------------------
# The training family and the command line
# ----------------------------------------------------------------------------
TINY = {"timesteps": 10, "ddim_steps": 4, "ancestral_samples": 8, "base_channels": 8, "channel_mults": [1, 2],
        "eval_samples": 16, "bound_images": 4, "bound_strata": 3, "log_every": 1}


def test_the_family_trains_writes_its_pictures_and_evaluates(tmp_path):
    from scratchgen.data import load_dataset
    from scratchgen.train.run import load_run, train
    run = train("ddpm", {"steps": 2, "batch_size": 8, **TINY}, tmp_path / "run", progress=False)
    samples = tmp_path / "run" / "samples"
    for name in ("forward_noising.png", "reverse_denoising.png", "ancestral.png", "ddim.png", "final.png"):
        assert (samples / name).stat().st_size > 0, name
    times = json.loads((samples / "sampling_times.json").read_text())
    assert times["ancestral"]["network_calls"] == 10 and times["ddim"]["network_calls"] == 4
    assert times["ancestral"]["images"] == 8
    assert int(run.family.ema.num_updates.item()) == 2
    family, config, step = load_run(tmp_path / "run")       # what `eval` does, on 40 test images
    test_images = family.prepare(load_dataset("mnist", "test")[0][:40], config)
    report = family.evaluate(test_images)
    assert step == 2 and report["bound_images"] == 4 and report["num_samples"] == 16
    assert 0 <= report["min_class_share"] <= 0.1 <= report["max_class_share"] <= 1
    assert report["bound_bits_per_dim"] == pytest.approx(
        report["bound_prior_bpd"] + report["bound_diffusion_bpd"] + report["bound_decoder_bpd"])


def test_quick_preset_sets_the_family_keys_and_explicit_options_win(monkeypatch):
    from scratchgen.train.ddpm import DDPMFamily
    seen = {}
    def fake_train(model, overrides, out, **options):
        seen.update(overrides)
        return type("FinishedRun", (), {"step": 0})

    monkeypatch.setattr("scratchgen.train.run.train", fake_train)
    assert cli.main(["train", "ddpm", "--quick", "--steps", "7", "--out", "unused"]) == 0
    assert seen["steps"] == "7"        # given: wins (as text: the settings schema parses it)
    assert seen["bound_strata"] == DDPMFamily.quick["bound_strata"]        # from the preset
    monkeypatch.setattr(DDPMFamily, "quick", {})
    assert cli.main(["train", "ddpm", "--quick", "--out", "unused"]) == 2   # no preset: refused
