"""autograd.distributions: shapes, sampling (moments, reparameterisation, no
graph for ``sample``), log-densities against formulas written in NumPy, KL
divergences against Monte Carlo estimates and enumeration, transforms, argument
checks, and gradients of log_prob / entropy / kl_divergence / rsample against
finite differences.

Sampling tests draw N values with the seed the conftest sets and allow 5
standard errors (sigma / sqrt(N)): a correct sampler fails one of them with
probability below 1e-6, a biased one by more than that fails.
"""
import math

import numpy
import pytest
from numpy.testing import assert_allclose

import autograd
import autograd.distributions as D
from autograd.distributions import constraints, transforms

N = 20_000              # draws for the moment and Monte Carlo tests
TOLERANCE_SIGMAS = 5    # allowed error, in standard errors of the estimate
HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def f64(values, requires_grad=False):
    return autograd.tensor(numpy.asarray(values, dtype=numpy.float64), requires_grad=requires_grad)


def spd(n, seed):
    """A symmetric positive-definite n x n matrix with eigenvalues in [0.5, 2.5]."""
    rng = numpy.random.default_rng(seed)
    q, _ = numpy.linalg.qr(rng.standard_normal((n, n)))
    return q @ numpy.diag(rng.uniform(0.5, 2.5, n)) @ q.T


def assert_estimate(estimate, expected, standard_error, what):
    """|estimate - expected| <= TOLERANCE_SIGMAS standard errors, elementwise."""
    estimate, expected = numpy.asarray(estimate), numpy.asarray(expected)
    allowed = TOLERANCE_SIGMAS * numpy.asarray(standard_error) + 1e-12
    assert (numpy.abs(estimate - expected) <= allowed).all(), \
        f"{what}: estimate {estimate} vs expected {expected} (allowed error {allowed})"


# ----------------------------------------------------------------------------
# The distributions under test, with their batch and event shapes
# ----------------------------------------------------------------------------
LOC, SCALE = [[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]], [[1.0, 0.5, 2.0], [0.7, 1.5, 0.2]]
PROBS = [[0.2, 0.5, 0.9], [0.1, 0.6, 0.4]]

# name: (make(p), batch_shape, event_shape); p turns values into a parameter tensor
CASES = {
    "normal": (lambda p: D.Normal(p(LOC), p(SCALE)), (2, 3), ()),
    "normal_number_scale": (lambda p: D.Normal(p(0.0), 1.0), (), ()),
    "uniform": (lambda p: D.Uniform(p([0.0, -2.0]), p([1.0, 3.0])), (2,), ()),
    "bernoulli_probs": (lambda p: D.Bernoulli(probs=p(PROBS)), (2, 3), ()),
    "bernoulli_logits": (lambda p: D.Bernoulli(logits=p(LOC)), (2, 3), ()),
    "categorical_probs": (lambda p: D.Categorical(probs=p(PROBS)), (2,), ()),
    "categorical_logits": (lambda p: D.Categorical(logits=p(LOC)), (2,), ()),
    "mvn_covariance": (lambda p: D.MultivariateNormal(p(LOC), p(spd(3, 0))), (2,), (3,)),
    "mvn_scale_tril_batch": (lambda p: D.MultivariateNormal(
        p([0.0, 1.0]), scale_tril=p(numpy.linalg.cholesky(numpy.stack([spd(2, 1), spd(2, 2)])))),
        (2,), (2,)),
    "mvn_precision": (lambda p: D.MultivariateNormal(p([1.0, 0.0]), precision_matrix=p(spd(2, 3))),
                      (), (2,)),
    "independent": (lambda p: D.Independent(D.Normal(p(LOC), p(SCALE)), 1), (2,), (3,)),
    "transformed": (lambda p: D.TransformedDistribution(
        D.Normal(p(LOC), p(SCALE)), [transforms.AffineTransform(0.5, 2.0), transforms.SigmoidTransform()]),
        (2, 3), ()),
    "transformed_event": (lambda p: D.TransformedDistribution(
        D.Normal(p([0.0, 0.0, 0.0]), 1.0), transforms.AffineTransform(p([1.0, 2.0, 3.0]), 2.0, event_dim=1)),
        (), (3,)),
}


@pytest.mark.parametrize("name", CASES)
def test_shapes_of_draws_log_prob_and_moments(name):
    make, batch, event = CASES[name]
    d = make(f64)
    assert d.batch_shape == batch and d.event_shape == event
    draws = d.sample((4, 5))
    assert draws.shape == (4, 5) + batch + event
    if d.has_rsample:
        assert d.rsample((7,)).shape == (7,) + batch + event
    else:
        with pytest.raises(NotImplementedError, match="rsample"):
            d.rsample()
    assert d.sample().shape == batch + event
    assert d.log_prob(draws).shape == (4, 5) + batch
    if not name.startswith("transformed"):
        assert d.entropy().shape == batch
        assert d.mean.shape == batch + event and d.variance.shape == batch + event
        assert d.stddev.shape == batch + event


@pytest.mark.parametrize("name", CASES)
def test_sample_is_outside_the_graph_and_rsample_inside(name):
    d = CASES[name][0](lambda values: f64(values, requires_grad=True))
    draws = d.sample((3,))
    assert not draws.requires_grad and draws.grad_fn is None
    if d.has_rsample:
        assert d.rsample((3,)).grad_fn is not None


def test_same_seed_same_draws():
    d = D.MultivariateNormal(f64([0.0, 1.0]), f64(spd(2, 0)))
    autograd.manual_seed(3)
    first = d.sample((4,)).numpy()
    autograd.manual_seed(3)
    assert_allclose(d.sample((4,)).numpy(), first)
    assert not numpy.allclose(d.sample((4,)).numpy(), first)


# ----------------------------------------------------------------------------
# Reparameterised draws: gradients reach the parameters
# ----------------------------------------------------------------------------
def test_normal_rsample_is_loc_plus_scale_times_standard_noise():
    loc, scale = f64([1.0, -2.0], True), f64([0.5, 3.0], True)
    draws = D.Normal(loc, scale).rsample((6,))
    eps = (draws.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
    autograd.manual_seed(0)   # the conftest's seed: the same noise again
    assert_allclose(eps, autograd.randn(6, 2, dtype=autograd.float64).numpy(), rtol=1e-12)
    draws.sum().backward()
    assert_allclose(loc.grad.numpy(), [6.0, 6.0])
    assert_allclose(scale.grad.numpy(), eps.sum(0))


def test_multivariate_normal_rsample_gradients():
    loc = f64([1.0, -1.0], True)
    tril = f64(numpy.linalg.cholesky(spd(2, 4)), True)
    draws = D.MultivariateNormal(loc, scale_tril=tril).rsample((5,))
    eps = numpy.linalg.solve(tril.detach().numpy(), (draws.detach().numpy() - [1.0, -1.0]).T).T
    (draws * f64([1.0, 2.0])).sum().backward()
    assert_allclose(loc.grad.numpy(), [5.0, 10.0])
    # d/dL_ij of sum_s w_i (L eps_s)_i = w_i sum_s eps_sj: the product L eps reads every
    # entry, the (zero) upper ones too, so they get this gradient as well, as in PyTorch
    assert_allclose(tril.grad.numpy(), numpy.outer([1.0, 2.0], eps.sum(0)), atol=1e-12)


def test_uniform_rsample_gradients():
    low, high = f64([0.0, 1.0], True), f64([2.0, 5.0], True)
    draws = D.Uniform(low, high).rsample((8,))
    u = (draws.detach().numpy() - [0.0, 1.0]) / [2.0, 4.0]
    assert ((u >= 0) & (u < 1)).all()
    draws.sum().backward()
    assert_allclose(low.grad.numpy(), (1 - u).sum(0))
    assert_allclose(high.grad.numpy(), u.sum(0))


def test_gradients_flow_through_independent_and_transformed_rsample():
    loc, scale = f64([0.0, 1.0], True), f64([1.0, 2.0], True)
    shift = f64([0.5, 0.5], True)
    base = D.Independent(D.Normal(loc, scale), 1)
    d = D.TransformedDistribution(base, [transforms.AffineTransform(shift, 3.0, event_dim=1)])
    d.rsample((4,)).sum().backward()
    assert_allclose(loc.grad.numpy(), [12.0, 12.0])
    assert_allclose(shift.grad.numpy(), [4.0, 4.0])
    assert scale.grad is not None and numpy.isfinite(scale.grad.numpy()).all()


def test_rsample_gradients_against_finite_differences():
    def draw(loc, tril):
        autograd.manual_seed(1)   # the same noise at every evaluation
        return D.MultivariateNormal(loc, scale_tril=autograd.ops.matrix.tril(tril)).rsample((2,))
    autograd.gradcheck(draw, (f64([0.3, -0.2], True), f64(numpy.linalg.cholesky(spd(2, 5)), True)))


# ----------------------------------------------------------------------------
# Log-densities against NumPy formulas
# ----------------------------------------------------------------------------
def normal_log_density(x, loc, scale):
    return -0.5 * ((x - loc) / scale) ** 2 - numpy.log(scale) - HALF_LOG_TWO_PI


def test_normal_log_prob_and_entropy():
    x = numpy.linspace(-3, 3, 6)[:, None, None]
    d = D.Normal(f64(LOC), f64(SCALE))
    assert_allclose(d.log_prob(f64(x)).numpy(), normal_log_density(x, numpy.array(LOC), numpy.array(SCALE)),
                    rtol=1e-12)
    assert_allclose(d.entropy().numpy(), 0.5 + HALF_LOG_TWO_PI + numpy.log(SCALE), rtol=1e-12)
    assert_allclose(d.variance.numpy(), numpy.square(SCALE))


def test_multivariate_normal_log_prob_for_each_parameterisation():
    covariance, loc = spd(3, 6), numpy.array([0.5, -1.0, 0.0])
    x = numpy.random.default_rng(0).standard_normal((5, 3))
    diff = x - loc
    expected = (-0.5 * numpy.einsum("ni,ij,nj->n", diff, numpy.linalg.inv(covariance), diff)
                - 0.5 * numpy.linalg.slogdet(2 * numpy.pi * covariance)[1])
    for d in (D.MultivariateNormal(f64(loc), f64(covariance)),
              D.MultivariateNormal(f64(loc), precision_matrix=f64(numpy.linalg.inv(covariance))),
              D.MultivariateNormal(f64(loc), scale_tril=f64(numpy.linalg.cholesky(covariance)))):
        assert_allclose(d.log_prob(f64(x)).numpy(), expected, rtol=1e-10)
        assert_allclose(d.covariance_matrix.numpy(), covariance, rtol=1e-10, atol=1e-12)
        assert_allclose(d.precision_matrix.numpy(), numpy.linalg.inv(covariance), rtol=1e-10, atol=1e-12)
        assert_allclose(d.variance.numpy(), numpy.diag(covariance), rtol=1e-10)
        entropy = 0.5 * numpy.linalg.slogdet(2 * numpy.pi * numpy.e * covariance)[1]
        assert_allclose(d.entropy().numpy(), entropy, rtol=1e-10)


def test_multivariate_normal_batches_of_values_and_matrices_broadcast():
    matrices = numpy.stack([spd(2, 7), spd(2, 8)])              # batch (2,)
    d = D.MultivariateNormal(f64([0.0, 0.0]), f64(matrices))
    x = numpy.random.default_rng(1).standard_normal((4, 1, 2))   # broadcast against the batch
    got = d.log_prob(f64(x)).numpy()
    assert got.shape == (4, 2)
    for b in range(2):
        single = D.MultivariateNormal(f64([0.0, 0.0]), f64(matrices[b]))
        assert_allclose(got[:, b], single.log_prob(f64(x[:, 0])).numpy(), rtol=1e-12)


def test_bernoulli_log_prob_entropy_and_moments():
    p = numpy.array(PROBS)
    x = numpy.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    expected = x * numpy.log(p) + (1 - x) * numpy.log1p(-p)
    for d in (D.Bernoulli(probs=f64(p)), D.Bernoulli(logits=f64(numpy.log(p / (1 - p))))):
        assert_allclose(d.log_prob(f64(x)).numpy(), expected, rtol=1e-12)
        assert_allclose(d.entropy().numpy(), -(p * numpy.log(p) + (1 - p) * numpy.log1p(-p)), rtol=1e-12)
        assert_allclose(d.mean.numpy(), p, rtol=1e-12)
        assert_allclose(d.variance.numpy(), p * (1 - p), rtol=1e-12)


def test_bernoulli_log_prob_stays_exact_for_large_logits():
    d = D.Bernoulli(logits=f64([40.0, -40.0]))
    assert_allclose(d.log_prob(f64([1.0, 0.0])).numpy(), -numpy.exp(-40.0) * numpy.ones(2), rtol=1e-12)
    assert_allclose(d.log_prob(f64([0.0, 1.0])).numpy(), [-40.0, -40.0], rtol=1e-12)


def test_categorical_log_prob_normalises_and_broadcasts():
    weights = numpy.array([[1.0, 2.0, 1.0], [3.0, 0.5, 0.5]])
    d = D.Categorical(probs=f64(weights))
    probabilities = weights / weights.sum(-1, keepdims=True)
    classes = numpy.array([[0, 1], [2, 0], [1, 1]])               # (3, 2) against batch (2,)
    expected = numpy.log(probabilities[numpy.arange(2), classes])
    assert_allclose(d.log_prob(autograd.tensor(classes)).numpy(), expected, rtol=1e-12)
    logits_d = D.Categorical(logits=f64(numpy.log(weights) + 7.0))   # shifted logits: same law
    assert_allclose(logits_d.log_prob(autograd.tensor(classes)).numpy(), expected, rtol=1e-12)
    entropy = -(probabilities * numpy.log(probabilities)).sum(-1)
    assert_allclose(d.entropy().numpy(), entropy, rtol=1e-12)
    assert_allclose(logits_d.probs.numpy(), probabilities, rtol=1e-12)
    assert numpy.isnan(d.mean.numpy()).all() and d.mode.tolist() == [1, 0]


def test_categorical_with_an_impossible_class():
    d = D.Categorical(probs=f64([0.5, 0.5, 0.0]))
    assert d.entropy().item() == pytest.approx(math.log(2))
    assert (d.sample((2000,)).numpy() != 2).all()


def test_uniform_log_prob_is_minus_infinity_outside_when_not_validating():
    d = D.Uniform(f64([0.0]), f64([4.0]), validate_args=False)
    got = d.log_prob(f64([[-1.0], [0.0], [3.9], [4.0]])).numpy()[:, 0]
    assert_allclose(got, [-numpy.inf, -math.log(4), -math.log(4), -numpy.inf])
    assert d.entropy().item() == pytest.approx(math.log(4))
    assert_allclose(d.mean.numpy(), [2.0]) and assert_allclose(d.variance.numpy(), [16 / 12])


def test_independent_sums_the_base_log_prob_over_the_reinterpreted_dims():
    base = D.Normal(f64(LOC), f64(SCALE))
    x = numpy.random.default_rng(2).standard_normal((4, 2, 3))
    assert_allclose(D.Independent(base, 1).log_prob(f64(x)).numpy(), base.log_prob(f64(x)).numpy().sum(-1))
    both = D.Independent(base, 2)
    assert both.batch_shape == () and both.event_shape == (2, 3)
    assert_allclose(both.log_prob(f64(x)).numpy(), base.log_prob(f64(x)).numpy().sum((-2, -1)))
    assert_allclose(both.entropy().numpy(), base.entropy().numpy().sum())


def test_transformed_log_prob_by_change_of_variables():
    # Y = sigmoid(a + b X), X ~ N(m, s): x = (logit(y) - a) / b, |dy/dx| = |b| y (1 - y)
    m, s, a, b = 0.3, 0.8, 0.5, -2.0
    d = D.TransformedDistribution(D.Normal(f64(m), f64(s)),
                                  [transforms.AffineTransform(a, b), transforms.SigmoidTransform()])
    y = numpy.array([0.05, 0.3, 0.5, 0.97])
    x = (numpy.log(y / (1 - y)) - a) / b
    expected = normal_log_density(x, m, s) - numpy.log(abs(b) * y * (1 - y))
    assert_allclose(d.log_prob(f64(y)).numpy(), expected, rtol=1e-10)
    draws = d.sample((1000,)).numpy()
    assert ((draws > 0) & (draws < 1)).all()


def test_transformed_with_an_event_dim_sums_the_log_jacobian():
    scale = numpy.array([1.0, 2.0, 0.5])
    d = CASES["transformed_event"][0](f64)
    y = numpy.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    x = (y - [1.0, 2.0, 3.0]) / 2.0
    expected = normal_log_density(x, 0.0, 1.0).sum(-1) - 3 * math.log(2.0)
    assert_allclose(d.log_prob(f64(y)).numpy(), expected, rtol=1e-12)
    assert scale.shape == (3,)


# ----------------------------------------------------------------------------
# Sampling: moments within 5 standard errors of N draws
# ----------------------------------------------------------------------------
def test_normal_sample_moments():
    loc, scale = numpy.array(LOC), numpy.array(SCALE)
    draws = D.Normal(f64(loc), f64(scale)).sample((N,)).numpy()
    assert_estimate(draws.mean(0), loc, scale / math.sqrt(N), "mean")
    # the sample variance has standard deviation about sigma^2 sqrt(2 / N)
    assert_estimate(draws.var(0), scale ** 2, scale ** 2 * math.sqrt(2 / N), "variance")


def test_multivariate_normal_sample_moments():
    covariance, loc = spd(3, 9), numpy.array([1.0, 0.0, -1.0])
    draws = D.MultivariateNormal(f64(loc), f64(covariance)).sample((N,)).numpy()
    sd = numpy.sqrt(numpy.diag(covariance))
    assert_estimate(draws.mean(0), loc, sd / math.sqrt(N), "mean")
    # Var of a sample covariance entry: (S_ii S_jj + S_ij^2) / N
    error = numpy.sqrt((numpy.outer(sd ** 2, sd ** 2) + covariance ** 2) / N)
    assert_estimate(numpy.cov(draws, rowvar=False), covariance, error, "covariance")


def test_uniform_sample_moments_and_range():
    draws = D.Uniform(f64([0.0, -2.0]), f64([1.0, 3.0])).sample((N,)).numpy()
    width = numpy.array([1.0, 5.0])
    assert ((draws >= [0.0, -2.0]) & (draws < [1.0, 3.0])).all()
    assert_estimate(draws.mean(0), [0.5, 0.5], width / math.sqrt(12 * N), "mean")


def test_bernoulli_sample_frequencies():
    p = numpy.array(PROBS)
    draws = D.Bernoulli(probs=f64(p)).sample((N,)).numpy()
    assert set(numpy.unique(draws)) <= {0.0, 1.0} and draws.dtype == numpy.float64
    assert_estimate(draws.mean(0), p, numpy.sqrt(p * (1 - p) / N), "frequency of 1")


def test_categorical_sample_frequencies():
    probabilities = numpy.array([[0.1, 0.6, 0.3], [0.25, 0.25, 0.5]])
    draws = D.Categorical(logits=f64(numpy.log(probabilities))).sample((N,)).numpy()
    assert draws.dtype == numpy.int64 and draws.shape == (N, 2)
    frequencies = numpy.stack([(draws == k).mean(0) for k in range(3)], -1)
    assert_estimate(frequencies, probabilities, numpy.sqrt(probabilities * (1 - probabilities) / N),
                    "class frequencies")


def test_entropy_against_monte_carlo():
    for d in (D.Normal(f64(LOC), f64(SCALE)), D.MultivariateNormal(f64([0.0, 1.0]), f64(spd(2, 10))),
              D.Uniform(f64([0.0]), f64([3.0]))):
        minus_log_p = -d.log_prob(d.sample((N,))).numpy()
        assert_estimate(minus_log_p.mean(0), d.entropy().numpy(), minus_log_p.std(0) / math.sqrt(N) + 1e-9,
                        f"entropy of {d.name}")


# ----------------------------------------------------------------------------
# KL divergence
# ----------------------------------------------------------------------------
KL_PAIRS = {
    "normal": (lambda: D.Normal(f64(LOC), f64(SCALE)),
               lambda: D.Normal(f64([0.0, 1.0, 0.5]), f64([2.0, 1.0, 0.5]))),
    "mvn": (lambda: D.MultivariateNormal(f64([[0.0, 1.0, 0.0], [0.5, 0.0, 0.0]]), f64(spd(3, 11))),
            lambda: D.MultivariateNormal(
                f64([[1.0, 0.0, 0.5], [0.0, 0.0, 0.0]]),
                scale_tril=f64(numpy.linalg.cholesky(numpy.stack([spd(3, 12), spd(3, 13)]))))),
    "independent": (lambda: D.Independent(D.Normal(f64(LOC), f64(SCALE)), 1),
                    lambda: D.Independent(D.Normal(f64([0.0, 1.0, 0.5]), f64([2.0, 1.0, 0.5])), 1)),
    "uniform": (lambda: D.Uniform(f64([0.0, 1.0]), f64([1.0, 2.0])),
                lambda: D.Uniform(f64([-1.0, 0.5]), f64([2.0, 4.0]))),
}


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_against_monte_carlo(name):
    p, q = (make() for make in KL_PAIRS[name])
    x = p.sample((N,))
    gap = (p.log_prob(x) - q.log_prob(x)).numpy()
    kl = D.kl_divergence(p, q).numpy()
    assert kl.shape == gap.shape[1:]
    assert_estimate(gap.mean(0), kl, gap.std(0) / math.sqrt(N) + 1e-9, f"KL of {name}")
    assert_allclose(D.kl_divergence(p, p).numpy(), 0.0, atol=1e-12)


def test_discrete_kl_divergence_by_enumeration():
    p = D.Bernoulli(probs=f64([0.2, 0.7]))
    q = D.Bernoulli(logits=f64([0.5, -1.0]))
    outcomes = f64([0.0, 0.0]), f64([1.0, 1.0])
    expected = sum(p.log_prob(x).exp() * (p.log_prob(x) - q.log_prob(x)) for x in outcomes)
    assert_allclose(D.kl_divergence(p, q).numpy(), expected.numpy(), rtol=1e-12)
    p, q = D.Categorical(probs=f64([0.2, 0.3, 0.5])), D.Categorical(logits=f64([0.0, 1.0, -1.0]))
    classes = autograd.tensor(numpy.arange(3))
    expected = (p.log_prob(classes).exp() * (p.log_prob(classes) - q.log_prob(classes))).sum()
    assert D.kl_divergence(p, q).item() == pytest.approx(expected.item(), rel=1e-12)


def test_kl_divergence_is_infinite_where_q_misses_mass_of_p():
    assert D.kl_divergence(D.Bernoulli(probs=f64(0.5)), D.Bernoulli(probs=f64(1.0))).item() == math.inf
    assert D.kl_divergence(D.Bernoulli(probs=f64(0.0)), D.Bernoulli(probs=f64(0.0))).item() == 0.0
    p, q = D.Categorical(probs=f64([0.5, 0.5, 0.0])), D.Categorical(probs=f64([0.5, 0.0, 0.5]))
    assert D.kl_divergence(p, q).item() == math.inf
    # 0.5 log(0.5 / 0.5) + 0 + 0.5 log(0.5 / 0.25): the class q never takes adds nothing
    kl = D.kl_divergence(q, D.Categorical(probs=f64([0.5, 0.25, 0.25])))
    assert kl.item() == pytest.approx(0.5 * math.log(2))
    wide, narrow = D.Uniform(f64(0.0), f64(2.0)), D.Uniform(f64(0.0), f64(1.0))
    assert D.kl_divergence(wide, narrow).item() == math.inf


def test_kl_registry_dispatch():
    class Wide(D.Normal):
        pass

    assert D.kl_divergence(Wide(0.0, 2.0), D.Normal(0.0, 1.0)).item() == pytest.approx(
        D.kl_divergence(D.Normal(0.0, 2.0), D.Normal(0.0, 1.0)).item())

    @D.register_kl(Wide, D.Normal)
    def _constant(p, q):
        return f64(-1.0)

    try:
        assert D.kl_divergence(Wide(0.0, 2.0), D.Normal(0.0, 1.0)).item() == -1.0
        assert D.kl_divergence(D.Normal(0.0, 2.0), Wide(0.0, 1.0)).item() > 0
    finally:
        del D.kl._REGISTRY[(Wide, D.Normal)]
    with pytest.raises(NotImplementedError, match=r"no formula for KL\(Normal \|\| Bernoulli\)"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5))
    with pytest.raises(NotImplementedError, match="reinterpreted_batch_ndims"):
        normal = D.Normal(f64(LOC), f64(SCALE))
        D.kl_divergence(D.Independent(normal, 1), D.Independent(normal, 2))


# ----------------------------------------------------------------------------
# Transforms
# ----------------------------------------------------------------------------
TRANSFORMS = {
    "affine": lambda: transforms.AffineTransform(0.5, -2.0),
    "affine_tensor": lambda: transforms.AffineTransform(f64([1.0, 2.0, 3.0]), f64([0.5, -1.0, 2.0])),
    "sigmoid": lambda: transforms.SigmoidTransform(),
    "exp": lambda: transforms.ExpTransform(),
    "compose": lambda: transforms.ComposeTransform([transforms.AffineTransform(0.5, 3.0),
                                                    transforms.SigmoidTransform()]),
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform_inverse_and_log_jacobian(name):
    t = TRANSFORMS[name]()
    assert t.inv.inv is t and t.inv is t.inv
    x = numpy.array([[-1.2, 0.1, 0.8], [0.4, -0.3, 1.5]])
    y = t(f64(x))
    assert_allclose(t.inv(y).numpy(), x, rtol=1e-9)
    # elementwise maps: log|dy/dx| from central differences
    h = 1e-6
    slope = (t(f64(x + h)).numpy() - t(f64(x - h)).numpy()) / (2 * h)
    assert_allclose(t.log_abs_det_jacobian(f64(x), y).numpy(), numpy.log(numpy.abs(slope)), atol=1e-7)
    assert_allclose(t.inv.log_abs_det_jacobian(y, f64(x)).numpy(), -numpy.log(numpy.abs(slope)), atol=1e-7)


def test_affine_transform_with_event_dim_sums_over_the_event():
    t = transforms.AffineTransform(0.0, f64([2.0, 3.0]), event_dim=1)
    x = f64(numpy.zeros((4, 2)))
    assert_allclose(t.log_abs_det_jacobian(x, t(x)).numpy(), numpy.full(4, math.log(6.0)))


# ----------------------------------------------------------------------------
# Argument checks: one clear ValueError naming the distribution and parameter
# ----------------------------------------------------------------------------
BAD_ARGUMENTS = [
    (lambda: D.Normal(f64([0.0, 1.0, 2.0]), f64([1.0, -1.0, 0.0])),
     r"Normal: scale must be positive, got 2 of 3 values that are not \(the first is -1.0"),
    (lambda: D.Normal(f64([math.nan]), 1.0), r"Normal: loc must be a real number"),
    (lambda: D.Normal(f64([0.0, 1.0]), f64([1.0, 1.0, 1.0])), r"Normal: the parameters' shapes do not broadcast"),
    (lambda: D.Bernoulli(probs=f64([0.5, 1.5])), r"Bernoulli: probs must be a probability in \[0, 1\]"),
    (lambda: D.Bernoulli(), r"Bernoulli: give exactly one of probs and logits, got neither"),
    (lambda: D.Bernoulli(probs=0.5, logits=0.0), r"Bernoulli: give exactly one of probs and logits, got both"),
    (lambda: D.Categorical(probs=f64([[0.5, -0.5, 1.0]])), r"Categorical: probs must be a probability vector"),
    (lambda: D.Categorical(probs=f64(0.5)), r"Categorical: probs must have at least one dim"),
    (lambda: D.Uniform(f64([0.0, 2.0]), f64([1.0, 1.0])), r"Uniform: low must be less than high, got 1 of 2"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0]), f64([[1.0, 2.0], [2.0, 1.0]])),
     r"MultivariateNormal: covariance_matrix must be a symmetric positive-definite matrix, got 1 of 1 matrices"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0]), precision_matrix=f64([[1.0, 0.5], [0.0, 1.0]])),
     r"MultivariateNormal: precision_matrix must be a symmetric positive-definite matrix"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0]), scale_tril=f64([[1.0, 0.0], [0.5, -1.0]])),
     r"MultivariateNormal: scale_tril must be lower-triangular with a positive diagonal"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0])), r"MultivariateNormal: give exactly one of .* got none"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0]), f64(numpy.eye(2)), scale_tril=f64(numpy.eye(2))),
     r"got covariance_matrix, scale_tril"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0, 0.0]), f64(numpy.eye(2))),
     r"MultivariateNormal: covariance_matrix must have shape \(\.\.\., n, n\) with n = loc.shape\[-1\] = 3, "
     r"got shape \(2, 2\)"),
    (lambda: D.Independent(D.Normal(0.0, 1.0), 1),
     r"Independent: reinterpreted_batch_ndims must be between 0 and len\(base_distribution.batch_shape\) = 0, got 1"),
]


@pytest.mark.parametrize("make, message", BAD_ARGUMENTS)
def test_bad_arguments_raise_a_value_error_naming_the_parameter(make, message):
    with pytest.raises(ValueError, match=message):
        make()


BAD_VALUES = [
    (lambda: D.Bernoulli(probs=0.3).log_prob(f64([0.5])), r"Bernoulli: the value must be 0 or 1"),
    (lambda: D.Categorical(probs=f64([0.2, 0.8])).log_prob(autograd.tensor([2])),
     r"Categorical: the value must be an integer in \[0, 1\]"),
    (lambda: D.Uniform(0.0, 1.0).log_prob(autograd.tensor([1.0])), r"Uniform: the value must be in \[low, high\)"),
    (lambda: D.Normal(f64([0.0, 0.0, 0.0]), 1.0).log_prob(f64([0.0, 1.0])),
     r"Normal: a value of shape \(2,\) does not broadcast with batch_shape \+ event_shape \(3,\)"),
    (lambda: D.MultivariateNormal(f64([0.0, 0.0]), f64(numpy.eye(2))).log_prob(f64([0.0, 1.0, 2.0])),
     r"MultivariateNormal: the value's last dims must match event_shape \(2,\)"),
    (lambda: D.Normal(0.0, 1.0).log_prob(0.5), r"Normal: the value given to log_prob must be a Tensor"),
]


@pytest.mark.parametrize("compute, message", BAD_VALUES)
def test_bad_values_raise_a_value_error(compute, message):
    with pytest.raises(ValueError, match=message):
        compute()


def test_validation_can_be_turned_off():
    d = D.Normal(0.0, -1.0, validate_args=False)
    with numpy.errstate(invalid="ignore"):   # log(scale) of a negative scale
        assert numpy.isnan(d.log_prob(f64(0.0)).item())
    D.Distribution.set_default_validate_args(False)
    try:
        D.Bernoulli(probs=f64([2.0]))
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Bernoulli(probs=f64([2.0]))


def test_constraints_describe_themselves():
    assert constraints.positive.check(numpy.array([1.0, 0.0])).tolist() == [True, False]
    assert constraints.simplex.check(numpy.array([[0.5, 0.5], [0.7, 0.7]])).tolist() == [True, False]
    assert "positive" in repr(constraints.positive)


def test_expand_repeats_the_distribution_over_a_larger_batch():
    for d in (D.Normal(f64([0.0, 1.0]), 1.0), D.Bernoulli(logits=f64([0.0, 1.0])),
              D.Categorical(probs=f64([[0.2, 0.8], [0.5, 0.5]])),
              D.MultivariateNormal(f64([0.0, 1.0]), f64(spd(2, 14))).expand((3,))):
        bigger = d.expand((4,) + tuple(d.batch_shape))
        assert bigger.batch_shape == (4,) + tuple(d.batch_shape)
        value = d.sample()
        assert_allclose(bigger.log_prob(value).numpy(),
                        numpy.broadcast_to(d.log_prob(value).numpy(), bigger.batch_shape))
    independent = D.Independent(D.Normal(f64(LOC), f64(SCALE)), 1).expand((5, 2))
    assert independent.batch_shape == (5, 2) and independent.event_shape == (3,)
    transformed = CASES["transformed_event"][0](f64).expand((4,))
    assert transformed.batch_shape == (4,) and transformed.event_shape == (3,)
    assert transformed.sample().shape == (4, 3)


def test_repr_names_the_parameters():
    assert repr(D.Normal(f64([0.0, 1.0]), 2.0)) == "Normal(loc: Size([2]), scale: Size([2]))"
    assert repr(D.Bernoulli(probs=0.25)) == "Bernoulli(probs: 0.25)"


# ----------------------------------------------------------------------------
# Gradients of log_prob, entropy and kl_divergence against finite differences
# ----------------------------------------------------------------------------
def check(fn, *inputs):
    result = autograd.gradcheck(fn, inputs)
    for pair in result.jacobians:
        assert numpy.isfinite(pair.analytic).all()


def symmetric(x):
    return (x + x.transpose(-2, -1)) * 0.5


def test_normal_gradients():
    loc, scale, x = f64(LOC[0], True), f64(SCALE[0], True), f64([0.3, -0.4, 1.1], True)
    check(lambda m, s, v: D.Normal(m, s).log_prob(v), loc, scale, x)
    check(lambda s: D.Normal(0.0, s).entropy(), scale)
    check(lambda m, s, m2, s2: D.kl_divergence(D.Normal(m, s), D.Normal(m2, s2)),
          loc, scale, f64([0.0, 1.0, 0.5], True), f64([2.0, 1.0, 0.5], True))
    autograd.gradgradcheck(lambda m, s, v: D.Normal(m, s).log_prob(v), (loc, scale, x))


def test_bernoulli_and_categorical_gradients():
    p, logits = f64(PROBS[0], True), f64(LOC[0], True)
    x = f64([1.0, 0.0, 1.0])
    check(lambda p: D.Bernoulli(probs=p).log_prob(x), p)
    check(lambda l: D.Bernoulli(logits=l).log_prob(x), logits)
    check(lambda p: D.Bernoulli(probs=p).entropy(), p)
    check(lambda p, l: D.kl_divergence(D.Bernoulli(probs=p), D.Bernoulli(logits=l)), p, logits)
    classes = autograd.tensor([2, 0])
    weights = f64([[1.0, 2.0, 0.5], [0.3, 0.3, 1.0]], True)
    logits2 = f64([[0.1, -0.3, 0.9], [1.0, 0.0, 0.2]], True)
    check(lambda w: D.Categorical(probs=w).log_prob(classes), weights)
    check(lambda l: D.Categorical(logits=l).log_prob(classes), logits2)
    check(lambda w: D.Categorical(probs=w).entropy(), weights)
    check(lambda w, l: D.kl_divergence(D.Categorical(probs=w), D.Categorical(logits=l)), weights, logits2)


def test_uniform_gradients():
    low, high = f64([0.0, -1.0], True), f64([2.0, 1.5], True)
    check(lambda a, b: D.Uniform(a, b).log_prob(f64([1.0, 0.2])), low, high)
    check(lambda a, b: D.Uniform(a, b).entropy(), low, high)
    check(lambda a, b: D.kl_divergence(D.Uniform(a, b), D.Uniform(a - 1, b + 2)), low, high)


def test_multivariate_normal_gradients():
    loc, covariance = f64([0.5, -0.5, 0.0], True), f64(spd(3, 15), True)
    tril = f64(numpy.linalg.cholesky(spd(3, 16)), True)
    x = f64([[0.1, 0.2, -0.3], [1.0, 0.0, 0.5]], True)
    check(lambda m, c, v: D.MultivariateNormal(m, symmetric(c)).log_prob(v), loc, covariance, x)
    check(lambda m, p: D.MultivariateNormal(m, precision_matrix=symmetric(p)).log_prob(x), loc, covariance)
    lower = autograd.ops.matrix.tril   # finite differences move the upper entries too
    check(lambda m, t: D.MultivariateNormal(m, scale_tril=lower(t)).log_prob(x), loc, tril)
    check(lambda c: D.MultivariateNormal(loc, symmetric(c)).entropy(), covariance)
    check(lambda m, c, t: D.kl_divergence(D.MultivariateNormal(m, symmetric(c)),
                                          D.MultivariateNormal(m * 0.5, scale_tril=lower(t))),
          loc, covariance, tril)


def test_independent_and_transformed_gradients():
    loc, scale = f64(LOC[1], True), f64(SCALE[1], True)
    x = f64([0.2, -0.1, 0.4])
    check(lambda m, s: D.Independent(D.Normal(m, s), 1).log_prob(x), loc, scale)
    check(lambda m, s: D.kl_divergence(D.Independent(D.Normal(m, s), 1),
                                       D.Independent(D.Normal(s, m * m + 1), 1)), loc, scale)
    shift, factor = f64([0.5, 0.0, -0.5], True), f64([2.0, -1.0, 0.5], True)
    y = f64([0.3, 0.6, 0.9])
    check(lambda m, s, a, b: D.TransformedDistribution(
        D.Normal(m, s), [transforms.AffineTransform(a, b), transforms.SigmoidTransform()]).log_prob(y),
        loc, scale, shift, factor)
