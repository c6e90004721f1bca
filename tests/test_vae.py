"""VAE: the KL, the reparameterised gradient, the importance-weighted bound against a model whose
log p(x) is known exactly, shapes and dtypes, and the ``vae`` family end to end."""
import importlib.util
import json
import math
import os
import pathlib
import signal

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as torch
from autograd import nn
from autograd.function import ShapeError
from autograd.nn import functional as F
from scratchgen.cli import main
from scratchgen.models.vae import ConvVAE, MLPVAE, VAE, posterior, prior
from scratchgen.train.ae_vae import VAE as VAEFamily
from scratchgen.train.schedules import decayed_learning_rate
from scratchgen.train.folder import RunFolder


def tiny_vae(likelihood="bernoulli", seed=0):
    torch.manual_seed(seed)
    return MLPVAE(input_shape=(1, 4, 4), latent_dim=2, hidden=(8,), likelihood=likelihood).double()


def random_bits(n, seed=0):
    return torch.tensor(numpy.random.default_rng(seed).integers(0, 2, (n, 1, 4, 4)).astype(numpy.float64))


# ----------------------------------------------------------------------------
# KL and the reparameterised sample
# ----------------------------------------------------------------------------
@given(mu=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       logvar=st.lists(st.floats(-2, 1), min_size=3, max_size=3))
def test_analytic_kl_matches_a_monte_carlo_estimate(mu, logvar):
    """KL(q || N(0, I)) = E_q[log q(z) - log p(z)]: the mean over 100,000 draws of z ~ q lies
    within 5 standard errors of the closed form."""
    mu, logvar = torch.tensor([mu], dtype=torch.float64), torch.tensor([logvar], dtype=torch.float64)
    analytic = F.kl_normal(mu, logvar).sum().item()
    q = posterior(mu, logvar)
    z = q.rsample((100_000,))
    log_ratios = (q.log_prob(z) - prior(mu).log_prob(z)).numpy()
    standard_error = log_ratios.std() / math.sqrt(len(log_ratios))
    assert abs(log_ratios.mean() - analytic) < 5 * standard_error + 1e-9


def test_posterior_and_prior_densities_match_the_textbook_formula():
    rng = numpy.random.default_rng(0)
    z, mu, logvar = rng.normal(size=(3, 5, 4))
    variance = numpy.exp(logvar)
    expected = (-0.5 * numpy.log(2 * numpy.pi * variance) - (z - mu) ** 2 / (2 * variance)).sum(1)
    got = posterior(torch.tensor(mu), torch.tensor(logvar)).log_prob(torch.tensor(z)).numpy()
    numpy.testing.assert_allclose(got, expected, rtol=1e-12)
    numpy.testing.assert_allclose(prior(torch.tensor(z)).log_prob(torch.tensor(z)).numpy(),
                                  (-0.5 * numpy.log(2 * numpy.pi) - z ** 2 / 2).sum(1), rtol=1e-12)


def test_the_sample_has_standard_deviation_exp_half_logvar():
    """z = mu + exp(0.5 logvar) eps: the spread is the standard deviation, not exp(logvar)."""
    z = posterior(torch.full((200_000, 1), 1.0, dtype=torch.float64),
                  torch.full((200_000, 1), math.log(4.0), dtype=torch.float64)).rsample()
    assert abs(z.numpy().mean() - 1.0) < 0.02 and abs(z.numpy().std() - 2.0) < 0.02


def test_gradients_through_the_reparameterised_sample_pass_gradcheck():
    """d(-ELBO)/d(mu, logvar) with eps held fixed: through z = mu + exp(0.5 logvar) eps into
    the decoder and its Bernoulli likelihood, and through the analytic KL."""
    model = tiny_vae()
    x = random_bits(3)
    rng = numpy.random.default_rng(1)
    eps = torch.tensor(rng.normal(size=(3, 2)))
    mu = torch.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    logvar = torch.tensor(rng.normal(scale=0.5, size=(3, 2)), requires_grad=True)

    def negative_elbo(mu, logvar):
        decoded = model.decode(mu + (0.5 * logvar).exp() * eps)
        return -model.log_likelihood(x, decoded) + F.kl_normal(mu, logvar).sum(dim=1)

    assert torch.gradcheck(negative_elbo, (mu, logvar))


def test_gradients_reach_every_encoder_and_decoder_weight():
    model = tiny_vae()
    model.loss(random_bits(4)).backward()
    assert all(p.grad is not None and numpy.abs(p.grad.numpy()).sum() > 0 for p in model.parameters())


# ----------------------------------------------------------------------------
# Likelihoods and the importance-weighted bound
# ----------------------------------------------------------------------------
def test_bernoulli_and_gaussian_log_likelihoods_match_their_formulas():
    rng = numpy.random.default_rng(0)
    x = random_bits(3)
    logits = torch.tensor(rng.normal(size=(3, 1, 4, 4)))
    p = 1 / (1 + numpy.exp(-logits.numpy()))
    expected = (x.numpy() * numpy.log(p) + (1 - x.numpy()) * numpy.log(1 - p)).reshape(3, -1).sum(1)
    numpy.testing.assert_allclose(tiny_vae().log_likelihood(x, logits).detach().numpy(), expected, rtol=1e-10)

    model = tiny_vae("gaussian")
    with torch.no_grad():
        model.decoder_logvar.copy_(torch.tensor(rng.normal(size=(1, 4, 4))))
    values, means = torch.tensor(rng.uniform(size=(3, 1, 4, 4))), torch.tensor(rng.uniform(size=(3, 1, 4, 4)))
    variance = model.decoder_logvar.detach().exp().expand(3, 1, 4, 4)
    nll = F.gaussian_nll_loss(means, values, variance, full=True, reduction="none")
    numpy.testing.assert_allclose(model.log_likelihood(values, means).detach().numpy(),
                                  -nll.numpy().reshape(3, -1).sum(1), rtol=1e-10)


def test_importance_weighted_bound_is_at_least_the_elbo_and_grows_with_k():
    """Per draw, L_k >= the mean of its k log weights (Jensen); on average over examples and
    repeats L_1 < L_10 < L_100 < L_1000 (Burda et al. 2016, theorem 1), and the mean log weight
    agrees with the ELBO computed with the analytic KL."""
    model, x = tiny_vae(), random_bits(20)
    with torch.no_grad():   # a decoder that depends strongly on z: a sharp posterior, far from q
        for p in model.decoder.parameters():
            p.mul_(4.0)
    torch.manual_seed(1)
    weights = model.log_weights_no_grad(x, 100)
    assert (model.log_prob_bound(x, 1).numpy() <= 0).all()
    from scratchgen.metrics import iwae_bound
    assert (iwae_bound(weights).numpy() >= weights.numpy().mean(0) - 1e-12).all()
    averages = [numpy.mean([model.log_prob_bound(x, k).numpy().mean() for _ in range(repeats)])
                for k, repeats in ((1, 200), (10, 40), (100, 20), (1000, 8))]
    assert averages[0] < averages[1] < averages[2] < averages[3]
    with torch.no_grad():
        analytic_elbo = numpy.mean([model.elbo(x).numpy().mean() for _ in range(200)])
    assert abs(averages[0] - analytic_elbo) < 1.0   # standard errors about 0.3 each
    assert averages[3] - averages[0] > 10   # -36.8 -> -16.4 nats: the encoder is far from right


def linear_gaussian_vae(posterior_shift=0.0):
    """p(z) = N(0, I), p(x|z) = N(Wz + b, s2 I) with orthogonal columns in W, so that the exact
    posterior is a diagonal Gaussian an affine encoder can output: then log p(x) is known,
    log p(x) = log N(x; b, W W^T + s2 I).  ``posterior_shift`` moves the encoder's means away
    from the exact posterior."""
    rng = numpy.random.default_rng(0)
    d, latent, s2 = 5, 2, 0.3
    q, _ = numpy.linalg.qr(rng.normal(size=(d, latent)))
    w, b = q * numpy.array([2.0, 0.7]), rng.normal(size=d)
    post_var = 1 / (1 + (w * w).sum(0) / s2)                  # diagonal since W^T W is diagonal
    encoder, decoder = nn.Linear(d, 2 * latent).double(), nn.Linear(latent, d).double()
    with torch.no_grad():
        to_mean = post_var[:, None] * w.T / s2                # mu = post_var W^T (x - b) / s2
        encoder.weight.copy_(torch.tensor(numpy.vstack([to_mean, numpy.zeros((latent, d))])))
        encoder.bias.copy_(torch.tensor(numpy.concatenate([-to_mean @ b + posterior_shift,
                                                           numpy.log(post_var)])))
        decoder.weight.copy_(torch.tensor(w))
        decoder.bias.copy_(torch.tensor(b))
    model = VAE(encoder, decoder, (d,), latent, likelihood="gaussian").double()
    with torch.no_grad():
        model.decoder_logvar.fill_(math.log(s2))
    x = rng.normal(size=(6, d)) * 1.5 + b
    covariance = w @ w.T + s2 * numpy.eye(d)
    _, logdet = numpy.linalg.slogdet(2 * numpy.pi * covariance)
    difference = x - b
    mahalanobis = numpy.einsum("nd,de,ne->n", difference, numpy.linalg.inv(covariance), difference)
    log_px = -0.5 * (logdet + mahalanobis)
    return model, torch.tensor(x), log_px


def test_with_the_exact_posterior_every_importance_weight_is_log_p_x():
    model, x, log_px = linear_gaussian_vae()
    weights = model.log_weights_no_grad(x, 50).numpy()
    numpy.testing.assert_allclose(weights, numpy.broadcast_to(log_px, weights.shape), atol=1e-10)


def test_with_a_wrong_posterior_the_bound_closes_in_on_the_true_log_p_x():
    model, x, log_px = linear_gaussian_vae(posterior_shift=0.8)
    gaps = [float((log_px - model.log_prob_bound(x, k).numpy()).mean()) for k in (1, 5000)]
    assert gaps[0] > 0.3                   # the ELBO is well below log p(x) ...
    # ... the bound with many samples nearly reaches it (one estimate may land a little above:
    # it is below log p(x) only in expectation)
    assert abs(gaps[1]) < 0.1 * gaps[0]


# ----------------------------------------------------------------------------
# Shapes, dtypes, the loss, errors
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: MLPVAE(latent_dim=3, hidden=(16,)),
                                  lambda: ConvVAE(latent_dim=3, width=4),
                                  lambda: MLPVAE(latent_dim=3, hidden=(16,), likelihood="gaussian")])
def test_shapes_and_dtypes(make):
    model, x = make(), torch.rand(5, 1, 28, 28)
    mu, logvar = model.encode(x)
    assert mu.shape == logvar.shape == (5, 3) and mu.dtype == torch.float32
    decoded, _, _ = model(x)
    assert decoded.shape == (5, 1, 28, 28) and decoded.dtype == torch.float32
    assert model.elbo(x).shape == (5,) and model.loss(x).shape == ()
    bound = model.log_prob_bound(x, 7, samples_per_pass=3)
    assert bound.shape == (5,) and bound.dtype == torch.float64
    samples = model.sample(4)
    assert samples.shape == (4, 1, 28, 28) and samples.dtype == torch.float32
    if model.likelihood == "bernoulli":
        assert 0 <= samples.min().item() and samples.max().item() <= 1
    assert model.double().elbo(x.double()).dtype == torch.float64


def test_beta_weighs_the_kl_in_the_loss():
    model, x = tiny_vae(), random_bits(4)
    model.beta = 4.0
    torch.manual_seed(3)
    loss = model.loss(x).item()
    torch.manual_seed(3)
    reconstruction, kl = model.elbo_terms(x)
    assert loss == pytest.approx((reconstruction + 4.0 * kl).mean().item(), rel=1e-12)
    assert kl.min().item() >= 0


def test_the_loss_falls_when_one_batch_is_overfitted():
    model, x = tiny_vae(), random_bits(8)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    torch.manual_seed(0)
    first = model.loss(x).item()
    for _ in range(150):
        loss = model.loss(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model.loss(x).item() < first - 2.0   # 11.3 -> 7.2 nats with these seeds


def test_bad_inputs_raise_errors_that_name_the_model_and_the_shapes():
    model = tiny_vae()
    expected = r"MLPVAE\(latent_dim=2\): expected input \(N, 1, 4, 4\), got \(2, 16\)"
    with pytest.raises(ShapeError, match=expected):
        model.loss(torch.rand(2, 16, dtype=torch.float64))
    with pytest.raises(ShapeError, match=r"expected z \(N, 2\), got \(2, 3\)"):
        model.decode(torch.rand(2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="k must be >= 1"):
        model.log_prob_bound(random_bits(2), 0)
    with pytest.raises(ValueError, match="likelihood must be one of"):
        MLPVAE(likelihood="poisson")
    wrong = VAE(nn.Linear(4, 3), nn.Linear(2, 4), (4,), latent_dim=2)
    with pytest.raises(ShapeError, match=r"encoder must give \(N, 4\) = \[mu \| logvar\], gave \(1, 3\)"):
        wrong.encode(torch.rand(1, 4))


# ----------------------------------------------------------------------------
# The vae family
# ----------------------------------------------------------------------------
def family(**settings):
    config = {**VAEFamily.defaults, "model": "vae", "channels": 1, "data": "mnist", "data_dir": None,
              "latent_dim": 2, "hidden": [8], "eval_k": 20, "steps": 100, **settings}
    return VAEFamily(config, "cpu")


def test_the_family_binarises_each_batch_afresh_and_dequantises_for_a_gaussian():
    intensities = torch.full((200, 1, 28, 28), 0.25)
    bits = family().observe(intensities).numpy()
    assert set(numpy.unique(bits)) == {0.0, 1.0} and abs(bits.mean() - 0.25) < 0.01
    assert not numpy.array_equal(bits, family().observe(intensities).numpy())
    values = family(likelihood="gaussian").observe(torch.full((2, 1, 28, 28), 3 / 255)).numpy()
    assert (3 / 256 <= values).all() and (values < 4 / 256).all()


def test_the_learning_rate_is_held_then_decays_linearly_to_lr_final():
    config = family(lr=1e-3, lr_final=0.1, decay_fraction=0.2, steps=100).config
    assert decayed_learning_rate(config, 1) == decayed_learning_rate(config, 80) == 1e-3
    assert decayed_learning_rate(config, 90) == pytest.approx(5e-4)
    assert decayed_learning_rate(config, 100) == pytest.approx(1e-4)


def test_evaluate_reports_an_nll_no_worse_than_the_negative_elbo():
    vae = family()
    images = numpy.random.default_rng(0).uniform(size=(30, 1, 28, 28)).astype(numpy.float32)
    metrics = vae.evaluate(images)
    assert metrics["num_test_images"] == 30 and metrics["iwae_k"] == 20
    assert metrics["test_nll_nats"] <= metrics["test_negative_elbo_nats"]
    assert metrics["bits_per_dim"] == pytest.approx(metrics["test_nll_nats"] / (784 * math.log(2)))


def logged_losses(folder):
    return [{k: v for k, v in record.items() if k != "images_per_s"}   # the speed varies
            for record in RunFolder(folder).read_log()]


def test_train_writes_the_pictures_resumes_exactly_and_evaluates(tmp_path, capsys, monkeypatch):
    """The binarisation draws from the library's generator, which checkpoints save: a run
    interrupted after step 2 and resumed logs the same losses as one run of 4 steps."""
    tiny = ["--steps", "4", "--batch-size", "8", "--log-every", "1", "--quiet",
            "--set", "latent_dim=2", "--set", "hidden=[16]", "--set", "eval_k=5", "--set", "eval_images=40"]
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert main(["train", "vae", "--out", str(whole), *tiny]) == 0
    pictures = {p.name for p in (whole / "samples").iterdir()}
    assert {"final.png", "reconstructions.png", "interpolations.png", "latent_map.png",
            "latent_codes.png"} <= pictures

    original_step = VAEFamily.train_step

    def ctrl_c_during_step_2(self, batch, step):
        if step == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return original_step(self, batch, step)

    monkeypatch.setattr(VAEFamily, "train_step", ctrl_c_during_step_2)
    assert main(["train", "vae", "--out", str(resumed), *tiny]) == 130
    monkeypatch.setattr(VAEFamily, "train_step", original_step)
    assert main(["train", "vae", "--out", str(resumed), *tiny, "--resume"]) == 0
    assert logged_losses(resumed) == logged_losses(whole)

    capsys.readouterr()
    assert main(["eval", str(whole), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["num_test_images"] == 40 and metrics["iwae_k"] == 5 and metrics["step"] == 4
    assert 0 < metrics["test_nll_nats"] <= metrics["test_negative_elbo_nats"]


def test_scatter_by_label_draws_each_label_in_its_own_colour(tmp_path):
    """The 2-D latent plot: 4 points of label 0 and 4 of label 1 in two distinct colours."""
    import matplotlib.image
    from scratchgen import viz
    points = numpy.array([[0, 0], [0, 0.1], [0.1, 0], [0.1, 0.1], [5, 5], [5, 5.1], [5.1, 5], [5.1, 5.1]])
    path = viz.scatter_by_label(tmp_path / "codes.png", points, numpy.array([0] * 4 + [1] * 4))
    pixels = matplotlib.image.imread(path)[..., :3].reshape(-1, 3)
    blue, orange = numpy.array([0.12, 0.47, 0.71]), numpy.array([1.0, 0.5, 0.05])   # tab10's first two
    for colour in (blue, orange):            # drawn with alpha 0.6 over white
        assert (numpy.abs(pixels - (0.6 * colour + 0.4)).max(axis=1) < 0.03).sum() >= 20
    with pytest.raises(ValueError, match=r"expected integer labels of shape \(8,\), got float64 \(8,\)"):
        viz.scatter_by_label(tmp_path / "bad.png", points, numpy.zeros(8))


def test_the_vae_demo_trains_and_writes_its_pictures(tmp_path):
    path = pathlib.Path(__file__).resolve().parents[1] / "demos" / "vae.py"
    spec = importlib.util.spec_from_file_location("demo_vae", path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    negative_elbo, negative_bound = demo.main(["--steps", "5", "--hidden", "16", "--eval-images", "50",
                                                 "--out", str(tmp_path)])
    assert 0 < negative_bound <= negative_elbo
    for name in ("samples.png", "reconstructions.png", "loss.png", "latent_map.png"):
        assert (tmp_path / name).stat().st_size > 0
