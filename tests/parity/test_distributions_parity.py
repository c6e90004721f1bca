"""autograd.distributions against torch.distributions in float64 (rtol 1e-6):
values and gradients (with respect to every parameter, and the value where it
is continuous) of log_prob, entropy, kl_divergence, the moments, transforms,
and rsample.

Each case is written once against ``D(m)``: ``autograd.distributions`` for
``m = autograd``, ``torch.distributions`` for ``m = torch``.  For rsample both
libraries must use the same noise: the ``same_noise`` fixture makes PyTorch's
standard-normal and uniform draws return what autograd's seeded generator
draws, and each case reseeds autograd before its own draw.

The whole module is skipped when torch is not installed.
"""
import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import autograd.distributions  # noqa: E402

from .helpers import check_parity  # noqa: E402

RNG = numpy.random.default_rng(11)
SEED = 5


def D(m):
    return autograd.distributions if m is autograd else torch.distributions


def real(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def probabilities(*shape):
    return RNG.uniform(0.05, 0.95, shape)


def spd(*shape):
    n = shape[-1]
    a = RNG.standard_normal(shape)
    return a @ numpy.swapaxes(a, -1, -2) / n + numpy.eye(n)


def lower(*shape):
    return numpy.linalg.cholesky(spd(*shape))


def case(name, fn, arrays):
    return pytest.param(fn, arrays, id=name)


def const(m, array):
    """A tensor outside the gradient comparison (a class index, a fixed value)."""
    return m.tensor(numpy.asarray(array))


VALUES = real(4, 2, 3)
BITS = (RNG.uniform(size=(4, 2, 3)) < 0.5).astype(numpy.float64)
CLASSES = RNG.integers(0, 3, size=(4, 2))
INSIDE_UNIT = RNG.uniform(0.05, 0.95, (4, 2, 3))
MVN_VALUES = real(4, 2, 3)

# ----------------------------------------------------------------------------
# Normal, Uniform, Bernoulli, Categorical
# ----------------------------------------------------------------------------
SCALAR_CASES = [
    case("normal_log_prob", lambda m, loc, scale, x: D(m).Normal(loc, scale).log_prob(x),
         [real(2, 3), positive(2, 3), VALUES]),
    case("normal_log_prob_broadcast", lambda m, loc, scale: D(m).Normal(loc, scale).log_prob(const(m, VALUES)),
         [real(3), positive(2, 1)]),
    case("normal_entropy", lambda m, loc, scale: D(m).Normal(loc, scale).entropy(), [real(2, 3), positive(2, 3)]),
    case("normal_moments", lambda m, loc, scale: (D(m).Normal(loc, scale).mean, D(m).Normal(loc, scale).stddev,
                                                  D(m).Normal(loc, scale).variance), [real(3), positive(3)]),
    case("uniform_log_prob", lambda m, low, high: D(m).Uniform(low, high).log_prob(const(m, INSIDE_UNIT)),
         [RNG.uniform(-1, 0, (2, 3)), RNG.uniform(1, 2, (2, 3))]),
    case("uniform_entropy_moments", lambda m, low, high: (
        D(m).Uniform(low, high).entropy(), D(m).Uniform(low, high).mean, D(m).Uniform(low, high).variance,
        D(m).Uniform(low, high).stddev), [RNG.uniform(-1, 0, 3), RNG.uniform(1, 2, 3)]),
    case("bernoulli_probs_log_prob", lambda m, p: D(m).Bernoulli(probs=p).log_prob(const(m, BITS)),
         [probabilities(2, 3)]),
    case("bernoulli_logits_log_prob", lambda m, logits, x: D(m).Bernoulli(logits=logits).log_prob(x),
         [real(2, 3) * 3, BITS]),
    case("bernoulli_large_logits", lambda m, logits: D(m).Bernoulli(logits=logits).log_prob(const(m, [1.0, 0.0, 1.0, 0.0])),
         [numpy.array([40.0, -40.0, -30.0, 30.0])]),
    case("bernoulli_entropy_probs", lambda m, p: D(m).Bernoulli(probs=p).entropy(), [probabilities(2, 3)]),
    case("bernoulli_entropy_logits", lambda m, logits: D(m).Bernoulli(logits=logits).entropy(),
         [numpy.array([0.0, 2.0, -5.0, 40.0, -40.0])]),
    case("bernoulli_moments", lambda m, logits: (D(m).Bernoulli(logits=logits).mean,
                                                 D(m).Bernoulli(logits=logits).variance), [real(3)]),
    case("categorical_probs_log_prob", lambda m, p: D(m).Categorical(probs=p).log_prob(const(m, CLASSES)),
         [positive(2, 3)]),
    case("categorical_logits_log_prob", lambda m, logits: D(m).Categorical(logits=logits).log_prob(const(m, CLASSES)),
         [real(2, 3)]),
    case("categorical_entropy_probs", lambda m, p: D(m).Categorical(probs=p).entropy(), [positive(4, 5)]),
    case("categorical_entropy_logits", lambda m, logits: D(m).Categorical(logits=logits).entropy(), [real(4, 5)]),
    case("categorical_normalised_parameters", lambda m, logits: (
        D(m).Categorical(logits=logits).probs, D(m).Categorical(logits=logits).logits,
        D(m).Categorical(probs=logits.exp()).logits), [real(2, 4)]),
]


@pytest.mark.parametrize("fn, arrays", SCALAR_CASES)
def test_scalar_distributions(fn, arrays):
    check_parity(fn, arrays)


# ----------------------------------------------------------------------------
# MultivariateNormal, Independent, TransformedDistribution
# ----------------------------------------------------------------------------
def mvn(m, loc, matrix, kind):
    return D(m).MultivariateNormal(loc, **{kind: matrix})


MATRIX_KINDS = [("covariance_matrix", spd), ("precision_matrix", spd), ("scale_tril", lower)]


@pytest.mark.parametrize("kind, make", MATRIX_KINDS, ids=[k for k, _ in MATRIX_KINDS])
def test_multivariate_normal(kind, make):
    loc, matrix = real(2, 3), make(3, 3)
    check_parity(lambda m, loc, a, x: mvn(m, loc, a, kind).log_prob(x), [loc, matrix, MVN_VALUES])
    check_parity(lambda m, loc, a: mvn(m, loc, a, kind).entropy(), [loc, matrix])
    check_parity(lambda m, loc, a: (mvn(m, loc, a, kind).covariance_matrix, mvn(m, loc, a, kind).scale_tril,
                                    mvn(m, loc, a, kind).precision_matrix, mvn(m, loc, a, kind).variance),
                 [loc, matrix])


def test_multivariate_normal_batched_matrices():
    x = real(5, 1, 3)
    check_parity(lambda m, loc, a: mvn(m, loc, a, "covariance_matrix").log_prob(const(m, x)),
                 [real(3), spd(2, 3, 3)])
    check_parity(lambda m, loc, a: mvn(m, loc, a, "scale_tril").entropy(), [real(4, 1, 2), lower(3, 2, 2)])


def test_independent():
    check_parity(lambda m, loc, scale, x: D(m).Independent(D(m).Normal(loc, scale), 1).log_prob(x),
                 [real(2, 3), positive(2, 3), VALUES])
    check_parity(lambda m, loc, scale: D(m).Independent(D(m).Normal(loc, scale), 2).entropy(),
                 [real(2, 3), positive(2, 3)])
    check_parity(lambda m, p: D(m).Independent(D(m).Bernoulli(probs=p), 1).log_prob(const(m, BITS)),
                 [probabilities(2, 3)])


TRANSFORM_CASES = [
    case("affine_sigmoid", lambda m, loc, scale, a, b: D(m).TransformedDistribution(
        D(m).Normal(loc, scale), [D(m).transforms.AffineTransform(a, b), D(m).transforms.SigmoidTransform()]
    ).log_prob(const(m, INSIDE_UNIT)), [real(2, 3), positive(2, 3), real(3), real(3) + 3.0]),
    case("affine_event_dim", lambda m, loc, scale, a, b: D(m).TransformedDistribution(
        D(m).Normal(loc, scale), D(m).transforms.AffineTransform(a, b, event_dim=1)).log_prob(const(m, VALUES)),
        [real(2, 3), positive(2, 3), real(3), positive(3)]),
    case("affine_number_scale", lambda m, loc, scale, y: D(m).TransformedDistribution(
        D(m).Normal(loc, scale), D(m).transforms.AffineTransform(1.5, -0.5)).log_prob(y),
        [real(3), positive(3), real(4, 3)]),
    case("exp_log_normal", lambda m, loc, scale, y: D(m).TransformedDistribution(
        D(m).Normal(loc, scale), [D(m).transforms.ExpTransform()]).log_prob(y),
        [real(3), positive(3), positive(4, 3)]),
    case("compose", lambda m, loc, scale: D(m).TransformedDistribution(
        D(m).Normal(loc, scale), D(m).transforms.ComposeTransform(
            [D(m).transforms.AffineTransform(0.5, 2.0), D(m).transforms.SigmoidTransform()])
    ).log_prob(const(m, INSIDE_UNIT)), [real(2, 3), positive(2, 3)]),
    case("inverse_transform", lambda m, loc, scale: D(m).TransformedDistribution(
        D(m).Uniform(loc - 2, loc + scale), D(m).transforms.SigmoidTransform().inv
    ).log_prob(const(m, numpy.log(INSIDE_UNIT / (1 - INSIDE_UNIT)))), [RNG.uniform(1.0, 1.5, 3), positive(3)]),
]


@pytest.mark.parametrize("fn, arrays", TRANSFORM_CASES)
def test_transformed_distribution(fn, arrays):
    check_parity(fn, arrays)


@pytest.mark.parametrize("name", ["affine", "sigmoid", "exp", "compose"])
def test_transforms(name):
    def make(m):
        t = D(m).transforms
        return {"affine": lambda: t.AffineTransform(0.5, -2.0), "sigmoid": t.SigmoidTransform,
                "exp": t.ExpTransform,
                "compose": lambda: t.ComposeTransform([t.AffineTransform(1.0, 3.0), t.ExpTransform()])}[name]()

    def forward_and_jacobian(m, x):
        t = make(m)
        y = t(x)
        return y, t.log_abs_det_jacobian(x, y), t.inv(y), t.inv.log_abs_det_jacobian(y, x)

    check_parity(forward_and_jacobian, [RNG.uniform(-1.5, 1.5, (2, 3))])


# ----------------------------------------------------------------------------
# KL divergence
# ----------------------------------------------------------------------------
KL_CASES = [
    case("normal", lambda m, a, b, c, d: D(m).kl_divergence(D(m).Normal(a, b), D(m).Normal(c, d)),
         [real(2, 3), positive(2, 3), real(3), positive(2, 1)]),
    case("mvn", lambda m, a, b, c, d: D(m).kl_divergence(
        D(m).MultivariateNormal(a, covariance_matrix=b), D(m).MultivariateNormal(c, scale_tril=d)),
        [real(2, 3), spd(3, 3), real(3), lower(2, 3, 3)]),
    case("mvn_precision", lambda m, a, b, c, d: D(m).kl_divergence(
        D(m).MultivariateNormal(a, precision_matrix=b), D(m).MultivariateNormal(c, covariance_matrix=d)),
        [real(4), spd(4, 4), real(4), spd(4, 4)]),
    case("independent_normal", lambda m, a, b, c, d: D(m).kl_divergence(
        D(m).Independent(D(m).Normal(a, b), 1), D(m).Independent(D(m).Normal(c, d), 1)),
        [real(2, 3), positive(2, 3), real(2, 3), positive(2, 3)]),
    case("bernoulli", lambda m, p, logits: D(m).kl_divergence(D(m).Bernoulli(probs=p), D(m).Bernoulli(logits=logits)),
         [probabilities(2, 3), real(2, 3)]),
    case("categorical", lambda m, p, logits: D(m).kl_divergence(
        D(m).Categorical(probs=p), D(m).Categorical(logits=logits)), [positive(2, 4), real(2, 4)]),
    case("uniform", lambda m, a, b: D(m).kl_divergence(D(m).Uniform(a, b), D(m).Uniform(a - 1.0, b * 2.0)),
         [RNG.uniform(0, 1, 3), RNG.uniform(1.5, 2, 3)]),
]


@pytest.mark.parametrize("fn, arrays", KL_CASES)
def test_kl_divergence(fn, arrays):
    check_parity(fn, arrays)


def test_kl_divergence_edges_are_infinite_or_zero_as_in_torch():
    categorical = [numpy.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]),
                   numpy.array([[0.5, 0.25, 0.25], [0.2, 0.0, 0.8]])]   # a zero in p, and in q
    check_parity(lambda m, p, q: D(m).kl_divergence(D(m).Categorical(probs=p), D(m).Categorical(probs=q)),
                 categorical)
    # p = 0 or 1 adds nothing where q is positive; q = 0 or 1 where p is not makes it infinite
    check_parity(lambda m, p, q: D(m).kl_divergence(D(m).Bernoulli(probs=p), D(m).Bernoulli(probs=q)),
                 [numpy.array([0.0, 1.0, 0.3, 0.5, 0.5]), numpy.array([0.2, 0.7, 0.6, 0.0, 1.0])])


# ----------------------------------------------------------------------------
# rsample with the same noise
# ----------------------------------------------------------------------------
@pytest.fixture
def same_noise(monkeypatch):
    """PyTorch's noise for rsample replaced by autograd's, drawn after reseeding."""
    def standard_normal(shape, dtype, device):
        autograd.manual_seed(SEED)
        return torch.from_numpy(autograd.randn(tuple(shape), dtype=autograd.float64).numpy())

    def uniform(shape, dtype=None, device=None, **kwargs):
        autograd.manual_seed(SEED)
        return torch.from_numpy(autograd.rand(tuple(shape), dtype=autograd.float64).numpy())

    monkeypatch.setattr(torch.distributions.normal, "_standard_normal", standard_normal)
    monkeypatch.setattr(torch.distributions.multivariate_normal, "_standard_normal", standard_normal)
    monkeypatch.setattr(torch.distributions.uniform.torch, "rand", uniform)


def reseeded(m, draw):
    if m is autograd:
        autograd.manual_seed(SEED)
    return draw()


RSAMPLE_CASES = [
    case("normal", lambda m, loc, scale: reseeded(m, lambda: D(m).Normal(loc, scale).rsample((4,))),
         [real(2, 3), positive(2, 3)]),
    case("uniform", lambda m, low, high: reseeded(m, lambda: D(m).Uniform(low, high).rsample((5, 2))),
         [RNG.uniform(-1, 0, 3), RNG.uniform(1, 2, 3)]),
    case("mvn_covariance", lambda m, loc, a: reseeded(
        m, lambda: D(m).MultivariateNormal(loc, covariance_matrix=a).rsample((3,))), [real(2, 3), spd(3, 3)]),
    case("mvn_scale_tril", lambda m, loc, a: reseeded(
        m, lambda: D(m).MultivariateNormal(loc, scale_tril=a).rsample((3,))), [real(3), lower(2, 3, 3)]),
    case("independent", lambda m, loc, scale: reseeded(
        m, lambda: D(m).Independent(D(m).Normal(loc, scale), 1).rsample((2,))), [real(2, 3), positive(2, 3)]),
    case("transformed", lambda m, loc, scale, a: reseeded(m, lambda: D(m).TransformedDistribution(
        D(m).Normal(loc, scale), [D(m).transforms.AffineTransform(a, 2.0), D(m).transforms.SigmoidTransform()]
    ).rsample((2,))), [real(3), positive(3), real(3)]),
]


@pytest.mark.parametrize("fn, arrays", RSAMPLE_CASES)
def test_rsample_with_the_same_noise(same_noise, fn, arrays):
    check_parity(fn, arrays)
