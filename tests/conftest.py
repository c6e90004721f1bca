"""Shared pytest setup: hypothesis profiles and the backend fixture.

CI (``CI=true`` or ``HYPOTHESIS_PROFILE=ci``) runs a derandomized, bounded
profile so that every run draws the same examples; locally the default
profile explores more.
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


def _backends():
    names = ["numpy"]
    try:
        import cupy  # noqa: F401
        if cupy.cuda.runtime.getDeviceCount() > 0:
            names.append("cupy")
    except Exception:
        pass
    return names


@pytest.fixture(params=_backends())
def device(request):
    """'cpu', and 'cuda' too where CuPy and a GPU are present."""
    return "cpu" if request.param == "numpy" else "cuda"


@pytest.fixture(autouse=True)
def _seed():
    import autograd
    autograd.manual_seed(0)
    numpy.random.seed(0)
