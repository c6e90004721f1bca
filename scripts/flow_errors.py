"""The largest inverse and log-determinant errors of the randomised flows that
tests/test_flow.py checks (float64; every weight drawn at random, so no layer is
the identity).  The tests assert 1e-10 and 1e-9; this prints what is reached.

    python scripts/flow_errors.py
"""
import pathlib
import sys

import numpy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
import test_flow  # noqa: E402  (the flows and the Jacobian helper the tests use)

import autograd  # noqa: E402


def main(draws=50):
    rng = numpy.random.default_rng(0)
    for name, flow in test_flow.FLOWS.items():
        inverse_error = 0.0
        for _ in range(draws):
            y = autograd.tensor(rng.normal(size=(2, *flow.image_shape)))
            inverse_error = max(inverse_error, test_flow.max_error(flow.inverse(flow(y)[0]), y))
        x = autograd.tensor(rng.normal(size=(1, *flow.image_shape)))
        reported = flow(x)[1].item()
        _, log_abs_det = numpy.linalg.slogdet(test_flow.jacobian(lambda v: flow(v)[0], x))
        print(f"{name:24s} inverse error {inverse_error:.1e} (over {draws} draws of 2 images), "
              f"log-det error {abs(reported - log_abs_det):.1e}")


if __name__ == "__main__":
    main()
