"""scratchgen.metrics and the shipped MNIST classifier."""
import math
import os

import numpy
import pytest

import autograd
from scratchgen import metrics
from scratchgen.data import load_mnist, transforms
from scratchgen.models.classifier import WEIGHTS_PATH, MNISTClassifier, load_classifier


# ---------------------------------------------------------------------------
# bits per dimension
# ---------------------------------------------------------------------------
def test_uniform_over_256_values_is_exactly_8_bits_per_dim():
    D = 784
    # discrete: P(x) = 256^-D, so nll = D log 256 nats
    assert metrics.bits_per_dim(D * math.log(256), D) == pytest.approx(8.0, abs=1e-12)
    # continuous: the uniform density on [0, 1]^D has log q(y) = 0 for dequantised y = (x + u) / 256
    assert metrics.bits_per_dim_8bit(0.0, D) == pytest.approx(8.0, abs=1e-12)
    assert metrics.rescaling_log_det(D) == pytest.approx(D * math.log(256))


def test_bits_per_dim_8bit_recovers_a_piecewise_constant_model_exactly():
    # A density constant on each pixel's bin [k/256, (k+1)/256) with mass P_k per bin has
    # q(y) = 256 P_k per pixel, so Jensen's bound is tight: bpd = -mean log2 P_k.
    rng = numpy.random.default_rng(0)
    D = 16
    probs = rng.dirichlet(numpy.ones(256), size=D)            # one categorical per pixel
    x = numpy.array([rng.choice(256, p=p) for p in probs])    # one image
    p_x = probs[numpy.arange(D), x]
    nll_scaled = -numpy.sum(numpy.log(256 * p_x))
    expected_bits = -numpy.log2(p_x).sum() / D
    assert metrics.bits_per_dim_8bit(nll_scaled, D) == pytest.approx(expected_bits, rel=1e-12)


def test_bits_per_dim_works_on_arrays_and_tensors():
    nll = numpy.array([0.0, 784 * math.log(2)])
    numpy.testing.assert_allclose(metrics.bits_per_dim_8bit(nll, 784), [8.0, 9.0])
    t = autograd.tensor([0.0, 784 * math.log(2)], requires_grad=True)
    bpd = metrics.bits_per_dim(t, 784)
    assert isinstance(bpd, autograd.Tensor)
    bpd.sum().backward()
    numpy.testing.assert_allclose(t.grad.numpy(), 1 / (784 * math.log(2)), rtol=1e-6)
    with pytest.raises(ValueError, match="num_dims"):
        metrics.bits_per_dim(1.0, 0)


def test_logit_space_correction_gives_8_bits_for_the_uniform_density():
    # With alpha = 0, z = logit(y) of y ~ U(0, 1) is standard logistic: log p(z) = -z - 2 log(1 + e^-z).
    # Converting back with logit_log_det must give the uniform density again: 8 bits/dim.
    assert metrics.logit_log_det is transforms.logit_log_det
    rng = numpy.random.default_rng(1)
    y = rng.uniform(0.01, 0.99, size=(5, 1, 4, 4))
    z = numpy.log(y) - numpy.log1p(-y)
    log_p_z = (-z - 2 * numpy.log1p(numpy.exp(-z))).reshape(5, -1).sum(axis=1)
    nll_scaled = -(log_p_z + metrics.logit_log_det(y, alpha=0.0))
    numpy.testing.assert_allclose(metrics.bits_per_dim_8bit(nll_scaled, 16), 8.0, atol=1e-9)


# ---------------------------------------------------------------------------
# log_mean_exp and the IWAE bound
# ---------------------------------------------------------------------------
def test_log_mean_exp_is_stable_at_large_magnitudes():
    assert metrics.log_mean_exp(numpy.array([1000.0, 1000.0])) == pytest.approx(1000.0)
    assert metrics.log_mean_exp(numpy.array([-1000.0, -1001.0])) == pytest.approx(
        -1000 + math.log((1 + math.exp(-1)) / 2), rel=1e-14)
    values = numpy.array([[1000.0, -1000.0], [999.0, -1002.0]])          # (k=2, N=2)
    expected = [1000 + math.log((1 + math.exp(-1)) / 2), -1000 + math.log((1 + math.exp(-2)) / 2)]
    numpy.testing.assert_allclose(metrics.log_mean_exp(values, axis=0), expected, rtol=1e-14)
    assert metrics.log_mean_exp(numpy.array([-numpy.inf, -numpy.inf])) == -numpy.inf
    assert metrics.log_mean_exp(numpy.array([-numpy.inf, 0.0])) == pytest.approx(math.log(0.5))
    assert numpy.all(numpy.isfinite(metrics.log_mean_exp(numpy.full((50, 3), 800.0))))


def test_log_mean_exp_on_tensors_is_differentiable():
    v = autograd.tensor([[1000.0, 2.0], [999.0, 3.0]], dtype=autograd.float64, requires_grad=True)
    out = metrics.log_mean_exp(v, axis=0)
    numpy.testing.assert_allclose(out.detach().numpy(), metrics.log_mean_exp(v.detach().numpy(), axis=0),
                               rtol=1e-12)
    out.sum().backward()
    numpy.testing.assert_allclose(v.grad.numpy().sum(axis=0), [1.0, 1.0])   # softmax weights per column


def test_iwae_bound_is_above_the_mean_log_weight():
    rng = numpy.random.default_rng(2)
    w = rng.normal(-5.0, 3.0, size=(10, 200)) + rng.normal(0, 50, size=(1, 200))
    bound = metrics.iwae_bound(w)
    assert bound.shape == (200,)
    assert numpy.all(bound >= w.mean(axis=0) - 1e-12)
    numpy.testing.assert_allclose(metrics.iwae_bound(w[:1]), w[0])                 # k = 1: the ELBO
    numpy.testing.assert_allclose(metrics.iwae_bound(numpy.full((7, 3), -2.5)), -2.5)
    with pytest.raises(ValueError, match="shape"):
        metrics.iwae_bound(numpy.zeros(5))


def test_iwae_bound_does_not_decrease_with_k_on_average():
    # log weights w ~ N(-s^2/2, s^2) have E[exp w] = 1: log p(x) = 0 and E[L_k] rises towards 0.
    rng = numpy.random.default_rng(3)
    s = 1.5
    w = rng.normal(-s * s / 2, s, size=(64, 20000))
    averages = [metrics.iwae_bound(w[:k]).mean() for k in (1, 2, 4, 8, 16, 64)]
    assert averages[0] == pytest.approx(-s * s / 2, abs=0.05)
    assert all(a < b for a, b in zip(averages, averages[1:]))
    assert averages[-1] < 0.02                                     # still a lower bound on log p = 0


# ---------------------------------------------------------------------------
# MMD
# ---------------------------------------------------------------------------
def test_mmd_is_near_zero_for_the_same_distribution_and_large_for_a_shift():
    rng = numpy.random.default_rng(4)
    x, y = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    same = metrics.mmd(x, y)
    shifted = metrics.mmd(x, y + numpy.array([1.0, 0.0]))
    assert abs(same) < 0.01
    assert shifted > 0.2
    assert shifted > 20 * abs(same)
    assert metrics.mmd(y, x) == pytest.approx(same, abs=1e-12)
    assert metrics.mmd(x, y, bandwidths=[1.0]) == pytest.approx(metrics.mmd(x, y, bandwidths=1.0))


def test_mmd_is_unbiased():
    # averaged over independent pairs of samples of one distribution, the estimate centres on 0
    rng = numpy.random.default_rng(5)
    estimates = [metrics.mmd(rng.normal(size=(60, 2)), rng.normal(size=(80, 2)), bandwidths=[1.0])
                 for _ in range(200)]
    assert abs(numpy.mean(estimates)) < 3 * numpy.std(estimates) / math.sqrt(len(estimates))
    assert min(estimates) < 0 < max(estimates)


def test_mmd_matches_a_direct_double_loop():
    rng = numpy.random.default_rng(6)
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(5, 2)) + 0.5
    hs = [0.7, 2.0]

    def k(a, b):
        return sum(math.exp(-numpy.sum((a - b) ** 2) / (2 * h * h)) for h in hs)
    xx = sum(k(a, b) for i, a in enumerate(x) for j, b in enumerate(x) if i != j) / (6 * 5)
    yy = sum(k(a, b) for i, a in enumerate(y) for j, b in enumerate(y) if i != j) / (5 * 4)
    xy = sum(k(a, b) for a in x for b in y) / (6 * 5)
    assert metrics.mmd(x, y, bandwidths=hs) == pytest.approx(xx + yy - 2 * xy, rel=1e-10)


# ---------------------------------------------------------------------------
# Frechet distance
# ---------------------------------------------------------------------------
def test_frechet_distance_closed_form_for_diagonal_covariances():
    rng = numpy.random.default_rng(7)
    mu_a, mu_b = rng.normal(size=5), rng.normal(size=5)
    var_a, var_b = rng.uniform(0.1, 3, size=5), rng.uniform(0.1, 3, size=5)
    expected = numpy.sum((mu_a - mu_b) ** 2) + numpy.sum((numpy.sqrt(var_a) - numpy.sqrt(var_b)) ** 2)
    got = metrics.frechet_distance_from_statistics(mu_a, numpy.diag(var_a), mu_b, numpy.diag(var_b))
    assert got == pytest.approx(expected, rel=1e-10)
    # one dimension: (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2
    assert metrics.frechet_distance_from_statistics(0.0, 4.0, 1.0, 1.0) == pytest.approx(2.0)


def test_frechet_distance_matches_eigenvalues_of_the_product_for_full_covariances():
    rng = numpy.random.default_rng(8)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    cov_a, cov_b = a @ a.T + 0.1 * numpy.eye(6), b @ b.T
    # S_a S_b has real non-negative eigenvalues; Tr (S_a S_b)^(1/2) is the sum of their roots
    expected_trace = numpy.sqrt(numpy.linalg.eigvals(cov_a @ cov_b).real.clip(0)).sum()
    assert metrics.trace_sqrt_product(cov_a, cov_b) == pytest.approx(expected_trace, rel=1e-9)
    assert metrics.trace_sqrt_product(cov_b, cov_a) == pytest.approx(expected_trace, rel=1e-9)
    # identity covariance: Tr (S)^(1/2)
    eig = numpy.linalg.eigvalsh(cov_b)
    assert metrics.trace_sqrt_product(numpy.eye(6), cov_b) == pytest.approx(numpy.sqrt(eig.clip(0)).sum())


def test_frechet_distance_properties_on_samples():
    rng = numpy.random.default_rng(9)
    a = rng.normal(size=(400, 8)) @ rng.normal(size=(8, 8))
    b = rng.normal(size=(300, 8)) * 2 + 1
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    assert metrics.frechet_distance(a, b) == pytest.approx(metrics.frechet_distance(b, a), rel=1e-9)
    assert metrics.frechet_distance(a, b) > 1.0
    delta = numpy.arange(8.0)
    assert metrics.frechet_distance(a, a + delta) == pytest.approx(numpy.sum(delta ** 2), rel=1e-8)
    rotation, _ = numpy.linalg.qr(rng.normal(size=(8, 8)))      # a common rotation changes nothing
    assert metrics.frechet_distance(a @ rotation, b @ rotation) == pytest.approx(
        metrics.frechet_distance(a, b), rel=1e-8)


def test_frechet_distance_handles_rank_deficient_features():
    # dead ReLU units and fewer samples than dimensions give singular covariances
    rng = numpy.random.default_rng(10)
    a, b = numpy.maximum(rng.normal(size=(20, 50)), 0), numpy.maximum(rng.normal(size=(20, 50)), 0)
    a[:, :10] = b[:, :10] = 0
    value = metrics.frechet_distance(a, b)
    assert numpy.isfinite(value) and value > 0
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)


# ---------------------------------------------------------------------------
# the shipped classifier
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def classifier():
    return load_classifier()


@pytest.fixture(scope="module")
def test_images():
    images, labels = load_mnist("test")
    return images[:2000].astype(numpy.float32)[:, None] / 255, labels[:2000]


@pytest.fixture(scope="module")
def real_report(classifier, test_images):
    return metrics.classifier_report(test_images[0], classifier[0])


def test_shipped_weights_are_small_and_record_their_accuracy(classifier):
    assert os.path.getsize(WEIGHTS_PATH) < 1_000_000
    _, metadata = classifier
    assert metadata["test_accuracy"] >= 0.99
    assert "train_classifier.py" in metadata["command"]


def test_shipped_classifier_gets_99_percent_on_2000_test_images(real_report, test_images):
    accuracy = (real_report["predictions"] == test_images[1]).mean()
    assert accuracy >= 0.99, f"accuracy {accuracy:.4f} on the first 2,000 test images"


def test_classifier_report_on_real_images_covers_all_classes(real_report):
    assert real_report["features"].shape == (2000, MNISTClassifier.feature_dim)
    assert real_report["classes_covered"] == 10
    assert real_report["class_shares"].sum() == pytest.approx(1.0)
    assert real_report["class_entropy"] > 0.98 * math.log(10)
    assert real_report["confidence"] > 0.95


def test_classifier_report_sees_mode_collapse(classifier, test_images):
    images, labels = test_images
    ones = images[labels == 1][:200]
    report = metrics.classifier_report(ones, classifier[0])
    assert report["classes_covered"] == 1
    assert report["class_entropy"] < 0.2


def test_frechet_classifier_distance_separates_real_from_noise(classifier, test_images):
    images = test_images[0]
    model = classifier[0]
    real = metrics.frechet_classifier_distance(images[:1000], images[1000:], model)
    noise = numpy.random.default_rng(11).uniform(size=(1000, 1, 28, 28)).astype(numpy.float32)
    fake = metrics.frechet_classifier_distance(noise, images[1000:], model)
    assert fake > 20 * real
    # uint8 images (N, 28, 28) are accepted as well and give the same features
    uint8 = load_mnist("test")[0][:1000]
    assert metrics.frechet_classifier_distance(uint8, images[1000:], model) == pytest.approx(real, rel=1e-6)


def test_classifier_inputs_are_checked(classifier):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.classifier_report(numpy.full((2, 1, 28, 28), -1.0, dtype=numpy.float32), classifier[0])
    with pytest.raises(ValueError, match="shape"):
        metrics.classifier_report(numpy.zeros((2, 3, 28, 28), dtype=numpy.float32), classifier[0])


def test_missing_weights_give_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="train_classifier.py"):
        load_classifier(tmp_path / "nope.npz")
