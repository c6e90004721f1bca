"""Principal component analysis: the best linear code, and the baseline every autoencoder meets.

Data x_1, ..., x_N in R^D (one example per row of X, images flattened).  With the
mean m = (1/N) sum_n x_n and the centred data X_c = X - m, the thin singular value
decomposition

    X_c = U S V^T,      S = diag(s_1 >= s_2 >= ... >= 0)

gives the principal directions as the rows of V^T, ordered by the variance of the
data along them:

    lambda_i = s_i^2 / (N - 1)      (the eigenvalues of the covariance X_c^T X_c / (N - 1)).

A code of size k keeps the first k directions V_k (D, k):

    encode:  c = (x - m) V_k                 (k numbers per example)
    decode:  x_hat = c V_k^T + m

Among all ways of squeezing x through k linear numbers and back this is the best
one in squared error (Eckart and Young 1936).  The error it leaves is exactly the
variance along the directions it drops, per example

    (1/N) sum_n ||x_n - x_hat_n||^2 = ((N - 1) / N) sum_{i > k} lambda_i,

so it falls with every component added.  ``explained_variance_ratio`` is
lambda_i / sum_j lambda_j: the share of the variance each component keeps.

A *linear* autoencoder x -> W_dec (W_enc x + b) + b' trained on squared error
learns the same subspace: at its optimum the columns of W_dec span the span of V_k,
though they need not be orthogonal or ordered (Baldi and Hornik 1989).
``principal_angles`` measures how far apart two subspaces are, which is how
``tests/test_ae_pca.py`` checks that claim.

Everything runs on the backend's arrays (NumPy, or CuPy on a GPU); Tensors are
accepted and their arrays used.  Computations happen in the input's float dtype.
"""
from autograd import Tensor, backend


def _array(x):
    """The raw backend array of a Tensor or an array."""
    return x.array if isinstance(x, Tensor) else x


def _flat(x, name):
    """(N, ...) -> (N, D): one row per example."""
    x = _array(x)
    if x.ndim < 2:
        raise ValueError(f"PCA.{name}: expected examples (N, D) or (N, C, H, W), got shape {tuple(x.shape)}")
    return x.reshape(len(x), -1)


class PCA:
    """PCA(n_components).fit(x); then encode, decode, reconstruct, explained variance.

    After ``fit``:
        mean                       (D,)   the data mean m
        components                 (k, D) the principal directions, rows of V_k^T
        explained_variance         (k,)   lambda_1 >= ... >= lambda_k
        explained_variance_ratio   (k,)   lambda_i / (the total variance)
    """

    def __init__(self, n_components):
        if isinstance(n_components, bool) or not isinstance(n_components, int) or n_components < 1:
            raise ValueError(f"PCA: n_components must be a positive int, got {n_components!r}")
        self.n_components = n_components
        self.mean = self.components = None

    def fit(self, x):
        """Fit to examples x (N, D) or (N, C, H, W); returns self."""
        x = _flat(x, "fit")
        n, d = x.shape
        if self.n_components > min(n, d):
            raise ValueError(f"PCA.fit: n_components={self.n_components} is more than "
                             f"min(N, D) = min({n}, {d}) of the data")
        if n < 2:
            raise ValueError(f"PCA.fit: need at least 2 examples to estimate a variance, got {n}")
        xp = backend.get_array_module(x)
        self.mean = x.mean(axis=0)
        # thin SVD of the centred data: rows of vt are the principal directions, largest s first
        _, s, vt = xp.linalg.svd(x - self.mean, full_matrices=False)
        variance = s * s / (n - 1)
        self.components = vt[:self.n_components]
        self.explained_variance = variance[:self.n_components]
        self.explained_variance_ratio = self.explained_variance / variance.sum()
        return self

    def first(self, k):
        """The fitted PCA cut down to its first k components (no new SVD): PCA(k).fit(x) and
        PCA(K).fit(x).first(k) are the same, since the directions come in order."""
        if self.components is None or not 1 <= k <= self.n_components:
            raise ValueError(f"PCA.first: need a fitted PCA and 1 <= k <= {self.n_components}, got k={k}")
        smaller = PCA(k)
        smaller.mean, smaller.components = self.mean, self.components[:k]
        smaller.explained_variance = self.explained_variance[:k]
        smaller.explained_variance_ratio = self.explained_variance_ratio[:k]
        return smaller

    def _check(self, x, fn, width, expected):
        if self.components is None:
            raise RuntimeError(f"PCA.{fn}: call fit first")
        x = backend.to_device(_flat(x, fn), backend.device_of(self.components))  # where fit ran
        if x.shape[1] != width:
            raise ValueError(f"PCA.{fn}: expected {expected}, got shape {tuple(x.shape)}")
        return x

    def encode(self, x):
        """x (N, D) or (N, C, H, W) -> codes c = (x - m) V_k, shape (N, k)."""
        d = self.components.shape[1] if self.components is not None else None
        x = self._check(x, "encode", d, f"examples with {d} values each")
        return (x - self.mean) @ self.components.T

    def decode(self, codes):
        """codes (N, k) -> x_hat = c V_k^T + m, shape (N, D)."""
        k = self.n_components
        codes = self._check(codes, "decode", k, f"codes (N, {k})")
        return codes @ self.components + self.mean

    def reconstruct(self, x):
        """decode(encode(x)), in x's own shape."""
        shape = _array(x).shape
        return self.decode(self.encode(x)).reshape(shape)

    def reconstruction_error(self, x):
        """Mean over examples and values of (x - x_hat)^2: the per-value MSE, a float."""
        x = _array(x)
        difference = x - self.reconstruct(x)
        return float((difference * difference).mean())


def principal_angles(a, b):
    """The principal angles (radians, ascending) between the column spaces of a (D, p) and b (D, q).

    With orthonormal bases Q_a, Q_b of the two spaces (from QR), the singular values
    of Q_a^T Q_b are the cosines of the angles (Bjorck and Golub 1973): all angles 0
    means one space contains the other; pi/2 means a direction of one is orthogonal
    to the whole other.  Computed as arcsin of the sines, accurate for small angles.
    """
    a, b = _array(a), _array(b)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(f"principal_angles: expected matrices (D, p) and (D, q), "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    xp = backend.get_array_module(a)
    q_a, _ = xp.linalg.qr(a)
    q_b, _ = xp.linalg.qr(b)
    if q_a.shape[1] > q_b.shape[1]:
        q_a, q_b = q_b, q_a                       # measure the smaller space against the larger
    # sin of each angle: the part of each of q_a's principal vectors outside span(q_b)
    outside = q_a - q_b @ (q_b.T @ q_a)
    sines = xp.linalg.svd(outside, compute_uv=False)
    return xp.sort(xp.arcsin(xp.clip(sines, 0.0, 1.0)))
