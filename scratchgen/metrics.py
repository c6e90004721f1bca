"""Evaluation metrics for generative models: likelihoods, sample statistics, a classifier.

Likelihood models (VAE, flow, PixelCNN, DDPM's bound)
    bits_per_dim            nats per example -> bits per dimension
    bits_per_dim_8bit       the same, for a density over dequantised images scaled to [0, 1]
    rescaling_log_det       D log 256: the correction between the two
    logit_log_det           the correction for a model that works in logit space
                            (from scratchgen.data.transforms, re-exported here)
    log_mean_exp            log (1/k) sum_i exp(v_i), computed stably
    iwae_bound              the importance-weighted bound on log p(x) from k log-weights

Sample-based comparisons
    mmd                     unbiased kernel two-sample statistic MMD^2 (2-D toy samples vs data)
    frechet_distance        ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

With the shipped MNIST classifier (scratchgen/models/classifier.py)
    classifier_report             features, confidence and class coverage of a set of images
    frechet_classifier_distance   Frechet distance between classifier features (an "FID for MNIST")
    floor_report                  the same numbers for real data against real data: the best a
                                  perfect generator can expect.  ``python -m scratchgen.metrics --floor``

Everything here is NumPy (float64) except where noted: ``bits_per_dim``,
``bits_per_dim_8bit`` and ``log_mean_exp`` / ``iwae_bound`` also accept autograd
Tensors and then return Tensors, so they can be used inside a loss.
"""
import argparse
import math
import time

import numpy

import autograd
from autograd.backend import to_numpy
from scratchgen.data.transforms import logit_log_det  # noqa: F401  (re-exported, see its docstring)

LOG2 = math.log(2.0)


# ============================================================================
# Likelihoods: nats -> bits per dimension, and the corrections between spaces
# ============================================================================
def bits_per_dim(nll_nats, num_dims):
    """Negative log-likelihood in nats (per example, summed over its dimensions) -> bits per dimension.

        bpd = nll / (D log 2)

    ``nll_nats`` may be a number, a NumPy array (one value per example) or a Tensor.
    This is the plain change of units; for a model of dequantised images scaled to
    [0, 1] use ``bits_per_dim_8bit``, which adds the correction D log 256 first.
    """
    _check_num_dims(num_dims)
    return nll_nats / (num_dims * LOG2)


def rescaling_log_det(num_dims, scale=256.0):
    """D log(scale): the nats gained by squeezing D values into an interval ``scale`` times smaller.

    Images x in {0, ..., 255}^D are dequantised as u = x + v, v ~ U[0, 1)^D, and scaled
    y = u / 256 in [0, 1)^D.  A model density q over y is a density over u of
        q_u(u) = q(u / 256) 256^(-D),   so   log q_u(u) = log q(y) - D log 256.
    The probability of the discrete image is the mass of its unit cube, and by Jensen
        log P(x) = log E_v[q_u(x + v)] >= E_v[log q(y)] - D log 256,
    so nll_8bit <= nll_scaled + D log 256: this function returns D log 256.
    """
    _check_num_dims(num_dims)
    return num_dims * math.log(scale)


def bits_per_dim_8bit(nll_scaled, num_dims, scale=256.0):
    """Bits per dimension of 8-bit images, from the NLL (nats) of a density over the [0, 1] scale.

        bpd = (nll_scaled + D log 256) / (D log 2) = nll_scaled / (D log 2) + 8

    ``nll_scaled`` = -log q(y) for y = (x + v) / 256 dequantised as in ``rescaling_log_det``
    (average it over examples and noise draws).  A model that works in logit space,
    z = logit(alpha + (1 - 2 alpha) y), first converts its density with
        nll_scaled = nll_logit - logit_log_det(y, alpha).
    For example the uniform density on [0, 1]^D has nll_scaled = 0, hence exactly 8 bits/dim.
    """
    return bits_per_dim(nll_scaled + rescaling_log_det(num_dims, scale), num_dims)


def _check_num_dims(num_dims):
    if isinstance(num_dims, bool) or not isinstance(num_dims, (int, numpy.integer)) or num_dims <= 0:
        raise ValueError(f"num_dims must be a positive integer (e.g. 784 for MNIST), got {num_dims!r}")


# ============================================================================
# Importance-weighted bounds
# ============================================================================
def log_mean_exp(values, axis=0):
    """log( (1/k) sum_i exp(v_i) ) along ``axis`` (k = its length), without overflow or underflow.

        log_mean_exp(v) = m + log( (1/k) sum_i exp(v_i - m) ),   m = max_i v_i

    Every exp(v_i - m) is at most 1 and the largest is exactly 1, so neither the sum
    nor its log can overflow or become log(0), for values near +-1000 as for values
    near 0.  Where all values are -inf the result is -inf.  NumPy in, NumPy out
    (float64); a Tensor in gives a Tensor out (autograd's logsumexp, differentiable).
    """
    if isinstance(values, autograd.Tensor):
        return autograd.logsumexp(values, dim=axis) - math.log(values.shape[axis])
    values = numpy.asarray(values, dtype=numpy.float64)
    k = values.shape[axis]
    if k == 0:
        raise ValueError("log_mean_exp: cannot average over an empty axis")
    m = numpy.max(values, axis=axis, keepdims=True)
    m = numpy.where(numpy.isfinite(m), m, 0.0)      # all -inf (or an inf): keep exp well defined
    with numpy.errstate(divide="ignore"):
        result = m + numpy.log(numpy.mean(numpy.exp(values - m), axis=axis, keepdims=True))
    return numpy.squeeze(result, axis=axis)


def iwae_bound(log_weights):
    """The importance-weighted lower bound on log p(x), one value per example.

    ``log_weights`` has shape (k, N): w_ij = log p(x_j, z_ij) - log q(z_ij | x_j) for
    k samples z_ij ~ q(z | x_j).  The bound (Burda et al. 2016) is

        L_k(x_j) = log (1/k) sum_i exp(w_ij)  <=  log p(x_j),

    computed with ``log_mean_exp``.  L_1 is the ELBO; by Jensen L_k >= mean_i w_ij,
    and in expectation L_k never decreases with k and tends to log p(x) as k grows.
    """
    if not isinstance(log_weights, autograd.Tensor):
        log_weights = numpy.asarray(log_weights, dtype=numpy.float64)
    if log_weights.ndim != 2:
        raise ValueError(f"iwae_bound: log_weights must have shape (k, N), got {tuple(log_weights.shape)}")
    return log_mean_exp(log_weights, axis=0)


# ============================================================================
# Maximum mean discrepancy
# ============================================================================
def _squared_distances(a, b):
    """||a_i - b_j||^2 for every pair, (len(a), len(b)), clipped at 0 against rounding."""
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return numpy.maximum(d, 0.0)


def median_heuristic(x, y, max_points=1000, seed=0):
    """The median distance between distinct points of the pooled samples (at most ``max_points`` of them)."""
    pooled = numpy.concatenate([x, y])
    if len(pooled) > max_points:
        pooled = pooled[numpy.random.default_rng(seed).choice(len(pooled), max_points, replace=False)]
    d2 = _squared_distances(pooled, pooled)
    off_diagonal = d2[~numpy.eye(len(pooled), dtype=bool)]
    median = float(numpy.sqrt(numpy.median(off_diagonal)))
    return median if median > 0 else 1.0


def mmd(x, y, bandwidths=None):
    """Unbiased estimate of the squared maximum mean discrepancy MMD^2(P, Q) from samples.

    x: (m, d) samples of P (e.g. a model), y: (n, d) samples of Q (the data).  The kernel
    is a sum of Gaussians  k(a, b) = sum_h exp(-||a - b||^2 / (2 h^2)), and

        MMD^2 = 1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(n(n-1)) sum_{i != j} k(y_i, y_j)
                - 2/(mn) sum_{i, j} k(x_i, y_j)

    (Gretton et al. 2012; leaving out i = j makes it unbiased).  It is 0 in expectation
    when P = Q, so an estimate may come out slightly negative; a sum of Gaussian
    kernels is characteristic, so MMD^2 > 0 whenever P != Q.

    bandwidths: the h values; by default the median distance between pooled points
    (the median heuristic) times 0.25, 0.5, 1, 2 and 4, so that differences at
    several scales are seen.  Memory and time are O((m + n)^2): a few thousand
    points per sample is the intended use (2-D toy distributions).
    """
    x = numpy.asarray(x, dtype=numpy.float64)
    y = numpy.asarray(y, dtype=numpy.float64)
    x, y = (a.reshape(-1, 1) if a.ndim == 1 else a for a in (x, y))
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"mmd: expected samples (m, d) and (n, d), got {x.shape} and {y.shape}")
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError("mmd: need at least 2 samples on each side for the unbiased estimate")
    if bandwidths is None:
        bandwidths = median_heuristic(x, y) * numpy.array([0.25, 0.5, 1.0, 2.0, 4.0])
    bandwidths = numpy.atleast_1d(numpy.asarray(bandwidths, dtype=numpy.float64))

    def kernel(d2):
        return sum(numpy.exp(-d2 / (2.0 * h * h)) for h in bandwidths)

    k_xx, k_yy, k_xy = (kernel(_squared_distances(a, b)) for a, b in ((x, x), (y, y), (x, y)))
    term_xx = (k_xx.sum() - numpy.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - numpy.trace(k_yy)) / (n * (n - 1))
    return float(term_xx + term_yy - 2.0 * k_xy.mean())


# ============================================================================
# Frechet distance
# ============================================================================
def feature_statistics(features):
    """Mean (d,) and covariance (d, d) (unbiased, divided by N - 1) of features (N, d), float64."""
    features = numpy.asarray(features, dtype=numpy.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"feature_statistics: expected features (N, d) with N >= 2, got {features.shape}")
    return features.mean(axis=0), numpy.cov(features, rowvar=False).reshape(features.shape[1], -1)


def _symmetric_sqrt(matrix):
    """The PSD square root of a symmetric matrix, by eigen-decomposition (eigenvalues < 0 clipped to 0)."""
    eigenvalues, eigenvectors = numpy.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * numpy.sqrt(numpy.clip(eigenvalues, 0, None))) @ eigenvectors.T


def trace_sqrt_product(cov_a, cov_b):
    """Tr((S_a S_b)^(1/2)) for symmetric PSD S_a, S_b, without a general matrix square root.

    S_a S_b is not symmetric, but it is similar to M = S_a^(1/2) S_b S_a^(1/2):
        S_a S_b = S_a^(1/2) M S_a^(-1/2)   (when S_a is invertible; by continuity otherwise),
    so both have the same eigenvalues, and M is symmetric PSD.  Hence
        Tr((S_a S_b)^(1/2)) = sum_i sqrt(lambda_i(M)),
    with M's eigenvalues from ``eigh`` (stable for symmetric matrices) and the tiny
    negative ones that rounding produces clipped to 0.
    """
    root_a = _symmetric_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = numpy.linalg.eigvalsh((middle + middle.T) / 2)
    return float(numpy.sqrt(numpy.clip(eigenvalues, 0, None)).sum())


def frechet_distance_from_statistics(mu_a, cov_a, mu_b, cov_b):
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)): the squared 2-Wasserstein
    distance between the Gaussians N(mu_a, S_a) and N(mu_b, S_b) (Dowson and Landau 1982)."""
    mu_a, mu_b = (numpy.atleast_1d(numpy.asarray(m, dtype=numpy.float64)) for m in (mu_a, mu_b))
    cov_a, cov_b = (numpy.atleast_2d(numpy.asarray(c, dtype=numpy.float64)) for c in (cov_a, cov_b))
    d = len(mu_a)
    if mu_a.shape != (d,) or mu_b.shape != (d,) or cov_a.shape != (d, d) or cov_b.shape != (d, d):
        raise ValueError(f"frechet_distance: mismatched statistics: means {mu_a.shape} and {mu_b.shape}, "
                         f"covariances {cov_a.shape} and {cov_b.shape}")
    mean_term = float(((mu_a - mu_b) ** 2).sum())
    cov_term = float(numpy.trace(cov_a) + numpy.trace(cov_b)) - 2.0 * trace_sqrt_product(cov_a, cov_b)
    return max(mean_term + cov_term, 0.0)     # >= 0 in exact arithmetic; rounding can give -1e-12


def frechet_distance(features_a, features_b):
    """Frechet distance between two sets of features (N_a, d) and (N_b, d).

        FD = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

    with mu, S the sample mean and covariance of each set: the squared 2-Wasserstein
    distance between Gaussians fitted to the two sets (the FID formula of Heusel et
    al. 2017).  It is symmetric, 0 for identical sets, and biased upwards for small
    samples: compare numbers computed from the same number of samples.
    """
    return frechet_distance_from_statistics(*feature_statistics(features_a), *feature_statistics(features_b))


# ============================================================================
# The shipped classifier: confidence, coverage, Frechet classifier distance
# ============================================================================
_CLASSIFIER = None


def get_classifier():
    """The shipped MNIST classifier (loaded once, then cached), in eval mode."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        from scratchgen.models.classifier import load_classifier
        _CLASSIFIER = load_classifier()[0]
    return _CLASSIFIER


def _checked_images(images):
    """(N, 1, 28, 28) or (N, 28, 28), floats in [0, 1] or uint8 -> float32 (N, 1, 28, 28)."""
    from scratchgen.models.classifier import as_image_batch
    if isinstance(images, autograd.Tensor):
        images = to_numpy(images.array)
    images = numpy.asarray(images)
    if images.dtype != numpy.uint8 and images.size:
        low, high = float(images.min()), float(images.max())
        if low < -1e-3 or high > 1 + 1e-3:
            raise ValueError(f"expected images in [0, 1], got values in [{low:.3g}, {high:.3g}]; "
                             f"a tanh generator's output in [-1, 1] needs (x + 1) / 2 first")
    return as_image_batch(images)


def classifier_report(images, classifier=None, batch_size=500):
    """What the shipped classifier sees in a set of images (N, 1, 28, 28) in [0, 1] (or uint8).

    Returns a dict:
        features         (N, 128) penultimate-layer features (float64)
        predictions      (N,) predicted digits
        confidence       mean over images of max_c softmax(logits)_c: high when the digits are clear
        class_shares     (10,) share of images predicted as each digit (sums to 1)
        classes_covered  number of digits with a share of at least 5%
        class_entropy    entropy of class_shares in nats; log(10) = 2.303 when perfectly balanced
                         (mode collapse shows as fewer classes covered and a lower entropy)
    """
    from scratchgen.models.classifier import predict_logits_and_features
    model = classifier if classifier is not None else get_classifier()
    logits, features = predict_logits_and_features(model, _checked_images(images), batch_size)
    if len(logits) == 0:
        raise ValueError("classifier_report: no images")
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs -= numpy.log(numpy.exp(log_probs).sum(axis=1, keepdims=True))
    predictions = logits.argmax(axis=1)
    shares = numpy.bincount(predictions, minlength=10) / len(predictions)
    nonzero = shares[shares > 0]
    return {
        "features": features,
        "predictions": predictions,
        "confidence": float(numpy.exp(log_probs.max(axis=1)).mean()),
        "class_shares": shares,
        "classes_covered": int((shares >= 0.05).sum()),
        "class_entropy": float(-(nonzero * numpy.log(nonzero)).sum()),
    }


def frechet_classifier_distance(generated, reference, classifier=None):
    """Frechet distance between the classifier's penultimate features of two image sets.

    generated, reference: images (N, 1, 28, 28) in [0, 1] (uint8 (N, 28, 28) is accepted
    too).  Lower is better; the floor for a perfect generator, from real images against
    real images, is printed by ``python -m scratchgen.metrics --floor``.  Use the same
    number of generated images as the floor's (10,000) when comparing with it.
    """
    model = classifier if classifier is not None else get_classifier()
    features_generated = classifier_report(generated, model)["features"]
    features_reference = classifier_report(reference, model)["features"]
    return frechet_distance(features_generated, features_reference)


def floor_report(num_train=10000, seed=0, classifier=None):
    """The metrics of real data against real data: the best a generator can hope for.

    ``num_train`` training images, drawn without replacement with
    ``numpy.random.default_rng(seed)``, stand in for a perfect generator's samples; the
    reference is the full test set (10,000 images).  Returns a dict with the Frechet
    classifier distance between the two, and confidence / coverage on both.
    """
    from scratchgen.data import load_mnist
    model = classifier if classifier is not None else get_classifier()
    train_images, _ = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    index = numpy.sort(numpy.random.default_rng(seed).choice(len(train_images), num_train, replace=False))
    train_report = classifier_report(train_images[index], model)
    test_report = classifier_report(test_images, model)
    return {
        "num_train": num_train, "seed": seed, "num_test": len(test_images),
        "fcd_train_vs_test": frechet_distance(train_report["features"], test_report["features"]),
        "test_accuracy": float((test_report["predictions"] == test_labels).mean()),
        "test": {key: test_report[key] for key in ("confidence", "class_shares", "classes_covered",
                                                   "class_entropy")},
        "train_sample": {key: train_report[key] for key in ("confidence", "class_shares",
                                                            "classes_covered", "class_entropy")},
    }


def _print_floor(num_train, seed):
    start = time.perf_counter()
    report = floor_report(num_train, seed)
    print("Floor: real MNIST against real MNIST, with the shipped classifier")
    print(f"  Frechet classifier distance, {report['num_train']:,} train images (seed {report['seed']}) "
          f"vs the {report['num_test']:,} test images: {report['fcd_train_vs_test']:.4f}")
    print(f"  classifier test accuracy: {report['test_accuracy']:.4f}")
    for name, part in (("test set", report["test"]), ("train sample", report["train_sample"])):
        shares = " ".join(f"{s:.3f}" for s in part["class_shares"])
        print(f"  {name}: confidence {part['confidence']:.4f}, classes covered (>= 5%) "
              f"{part['classes_covered']}/10, class entropy {part['class_entropy']:.4f} nats "
              f"(max {math.log(10):.4f})")
        print(f"    class shares 0..9: {shares}")
    print(f"  ({time.perf_counter() - start:.1f} s)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scratchgen.metrics",
                                     description="Evaluation metrics; --floor prints real-vs-real figures.")
    parser.add_argument("--floor", action="store_true",
                        help="Frechet classifier distance of real train vs test images, and "
                             "classifier confidence / coverage on real images")
    parser.add_argument("--num-train", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.floor:
        parser.print_help()
        return
    _print_floor(args.num_train, args.seed)


if __name__ == "__main__":
    main()
