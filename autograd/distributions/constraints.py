"""What values a parameter or a sample may take.

A constraint checks a raw array (NumPy or CuPy) and says in words what it
wants, for the error message: ``Normal: scale must be positive, got 2 of 3
values that are not (...)``.  ``check`` returns one boolean per checked unit:
per element for ``event_dim`` 0, per vector (last dim) for 1, per matrix (last
two dims) for 2.
"""
import numpy

from .. import backend


class Constraint:
    description = "valid"
    event_dim = 0
    unit = "values"          # what ``check`` judges, in words (values, vectors, matrices)

    def check(self, array):
        raise NotImplementedError

    def __repr__(self):
        return f"<constraint: {self.description}>"


class _Real(Constraint):
    description = "a real number (not NaN)"

    def check(self, array):
        return array == array


class _GreaterThan(Constraint):
    def __init__(self, lower, inclusive=False):
        self.lower, self.inclusive = lower, inclusive
        self.description = ("non-negative" if inclusive else "positive") if lower == 0 else \
            f"{'at least' if inclusive else 'greater than'} {lower}"

    def check(self, array):
        return array >= self.lower if self.inclusive else array > self.lower


class _UnitInterval(Constraint):
    description = "a probability in [0, 1]"

    def check(self, array):
        return (array >= 0) & (array <= 1)


class _Boolean(Constraint):
    description = "0 or 1"

    def check(self, array):
        return (array == 0) | (array == 1)


class _IntegerInterval(Constraint):
    """Integers from ``low`` to ``high``, both included."""

    def __init__(self, low, high):
        self.low, self.high = low, high
        self.description = f"an integer in [{low}, {high}]"

    def check(self, array):
        return (array % 1 == 0) & (array >= self.low) & (array <= self.high)


class _HalfOpenInterval(Constraint):
    """low <= x < high, with bounds that may be arrays (a Uniform's support)."""

    def __init__(self, low, high, description="in [low, high)"):
        self.low, self.high, self.description = low, high, description

    def check(self, array):
        return (array >= self.low) & (array < self.high)


class _RealVector(Constraint):
    description = "a vector of real numbers (no NaN)"
    event_dim, unit = 1, "vectors"

    def check(self, array):
        return (array == array).all(axis=-1)


class _Simplex(Constraint):
    """Non-negative entries summing to 1 along the last dim."""
    description = "a probability vector along the last dim (non-negative, not all zero)"
    event_dim, unit = 1, "vectors"

    def check(self, array):
        xp = backend.get_array_module(array)
        return (array >= 0).all(axis=-1) & (xp.abs(array.sum(axis=-1) - 1) < 1e-6)


class _LowerCholesky(Constraint):
    description = "lower-triangular with a positive diagonal"
    event_dim, unit = 2, "matrices"

    def check(self, array):
        xp = backend.get_array_module(array)
        lower = (xp.tril(array) == array).all(axis=(-2, -1))
        return lower & (xp.diagonal(array, 0, -2, -1) > 0).all(axis=-1)


class _PositiveDefinite(Constraint):
    description = "a symmetric positive-definite matrix"
    event_dim, unit = 2, "matrices"

    def check(self, array):
        xp = backend.get_array_module(array)
        flipped = xp.swapaxes(array, -1, -2)
        symmetric = (xp.abs(array - flipped) <= 1e-6 * (1 + xp.abs(array))).all(axis=(-2, -1))
        return symmetric & _factorizable(array)


def _factorizable(array):
    """Per matrix: whether a Cholesky factorisation succeeds (positive-definite)."""
    xp = backend.get_array_module(array)
    try:
        return xp.isfinite(xp.linalg.cholesky(array)).all(axis=(-2, -1))
    except numpy.linalg.LinAlgError:   # NumPy stops at the first failure: try one at a time
        ok = numpy.ones(array.shape[:-2], dtype=bool)
        for index in numpy.ndindex(*array.shape[:-2]):
            try:
                numpy.linalg.cholesky(array[index])
            except numpy.linalg.LinAlgError:
                ok[index] = False
        return xp.asarray(ok)


real = _Real()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThan(0.0, inclusive=True)
unit_interval = _UnitInterval()
boolean = _Boolean()
real_vector = _RealVector()
simplex = _Simplex()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()


def greater_than(lower):
    return _GreaterThan(lower)


def integer_interval(low, high):
    return _IntegerInterval(low, high)


def half_open_interval(low, high, description="in [low, high)"):
    return _HalfOpenInterval(low, high, description)
