"""Shared pytest setup: hypothesis profiles and the backend.

CI (``CI=true`` or ``HYPOTHESIS_PROFILE=ci``) runs a derandomized, bounded
profile so that every run draws the same examples; locally the default
profile explores more.

``pytest --backend cupy`` (or ``SCRATCHGEN_TEST_BACKEND=cupy``) runs the whole
suite on the GPU: new tensors go to CuPy by default, and the ``device``
fixture gives 'cuda' alone.  Without a GPU that run stops at once with the
reason; the default backend, numpy, is what CI runs.
"""
import os

import numpy
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser):
    parser.addoption("--backend", choices=["numpy", "cupy"],
                     default=os.environ.get("SCRATCHGEN_TEST_BACKEND", "numpy"),
                     help="array library the tests run on (default numpy; env SCRATCHGEN_TEST_BACKEND)")


def pytest_configure(config):
    if config.getoption("--backend") == "cupy":
        import autograd
        try:
            autograd.set_default_device("cuda")
        except RuntimeError as err:
            raise pytest.UsageError(f"--backend cupy: {err}") from err
        _let_numpy_testing_read_gpu_arrays()


def _let_numpy_testing_read_gpu_arrays():
    """Tests compare ``t.array`` with expected NumPy values through numpy.testing, which
    cannot read a CuPy array; on the cupy backend its comparisons copy one to the host
    first.  (Set before the test modules import numpy.testing's names.)"""
    import functools

    import numpy.testing

    from autograd import backend

    def host(value):
        return backend.to_numpy(value) if backend.is_cupy_array(value) else value

    def reading_gpu_arrays(compare):
        @functools.wraps(compare)
        def wrapper(actual, desired, *args, **kwargs):
            return compare(host(actual), host(desired), *args, **kwargs)
        return wrapper

    for name in ("assert_allclose", "assert_array_equal", "assert_equal", "assert_array_less",
                 "assert_array_almost_equal"):
        setattr(numpy.testing, name, reading_gpu_arrays(getattr(numpy.testing, name)))


def pytest_report_header(config):
    return f"scratchgen backend: {config.getoption('--backend')}"


def _backends():
    import autograd
    return ["numpy", "cupy"] if autograd.cuda_is_available() else ["numpy"]


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        backends = ["cupy"] if metafunc.config.getoption("--backend") == "cupy" else _backends()
        metafunc.parametrize("device", ["cpu" if b == "numpy" else "cuda" for b in backends])


@pytest.fixture(autouse=True)
def _seed():
    import autograd
    autograd.manual_seed(0)
    numpy.random.seed(0)
