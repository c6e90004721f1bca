"""How far apart two sets of samples are: kernel MMD and the Frechet distance (NumPy, float64).

    mmd                     unbiased kernel two-sample statistic MMD^2 (2-D toy samples vs data)
    frechet_distance        ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) between two
                            sets of features, from their means and covariances
"""
import numpy


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
