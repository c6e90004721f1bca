"""Grade a student's backward: gradcheck on configurations drawn by hypothesis,
then PASS, or FAIL with the table of the worst elements, a targeted hint and a
figure of the two Jacobians.

hypothesis draws the configurations (shapes, dims, strides, seeds).  When one
fails, it shrinks it to the smallest configuration that still fails, so the
student sees the simplest case that shows the bug.
"""
import dataclasses
import importlib.util
import pathlib

import numpy

from ..gradcheck import gradcheck, gradgradcheck


@dataclasses.dataclass
class Outcome:
    """What ``check`` found: ``passed``, and on failure the (smallest) failing
    configuration, the gradcheck result or the error the student's code raised."""
    name: str
    level: str
    passed: bool
    tried: int                 # configurations run (up to and including the first failure)
    second_order: bool
    config: dict = None
    names: tuple = ()          # the names of fn's inputs, for the report
    result: object = None      # GradcheckResult of the failing configuration
    error: str = ""            # or the exception the student's code raised there
    hint: str = ""
    figure: str = None         # where the Jacobian figure was saved

    def report(self):
        if self.passed:
            what = "gradients and second derivatives agree" if self.second_order else "gradients agree"
            return (f"{self.name} ({self.level}): PASS: {what} with finite differences on "
                    f"{self.tried} drawn configurations")
        settings = ", ".join(f"{k}={v}" for k, v in self.config.items())
        lines = [f"{self.name} ({self.level}): FAIL (configuration {self.tried} drawn was the "
                 "first to fail; the smallest failing one found is):", f"  {settings}",
                 "  inputs: " + ", ".join(f"{i} = {n}" for i, n in enumerate(self.names))]
        lines.append(self.error if self.error else self.result.report())
        lines.append("Hint: " + self.hint)
        if self.figure:
            lines.append(f"Figure of the analytic and numeric Jacobians: {self.figure}")
        return "\n".join(lines)


class _Failed(Exception):
    """Raised inside the hypothesis test so that it shrinks the configuration."""

    def __init__(self, config, case, result=None, error=""):
        super().__init__(error or "gradients disagree")
        self.config, self.case, self.result, self.error = config, case, result, error


def load_student_file(exercise, path):
    """Import the student's file and return it, checking it defines the classes."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `python -m autograd.exercises "
                                f"start {exercise.name}` first")
    spec = importlib.util.spec_from_file_location(f"student_{exercise.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [c for c in exercise.classes if not hasattr(module, c)]
    if missing:
        raise AttributeError(f"{path} must define {', '.join(exercise.classes)}; "
                             f"missing: {', '.join(missing)}")
    return module


def _run_case(exercise, module, config):
    """None when this configuration passes; otherwise the _Failed to raise."""
    case = exercise.build(module, config)
    try:
        result = gradcheck(case.fn, case.inputs, raise_exception=False)
        if result and exercise.second_order and case.second_order is not None:
            note = "the function checked is the one whose gradient needs your backward's derivative"
            result = gradcheck(case.second_order, case.inputs, raise_exception=False, order=2, note=note)
        if result and exercise.second_order:
            result = gradgradcheck(case.fn, case.inputs, raise_exception=False)
    except NotImplementedError as err:
        return _Failed(config, case, error=f"NotImplementedError: {err}")
    except Exception as err:  # the student's code raised: report it as the failure
        return _Failed(config, case, error=f"{type(err).__name__}: {err}")
    return None if result else _Failed(config, case, result=result)


def check(exercise, module, max_examples=None, figure=None, shrink=False):
    """Grade ``module`` (the student's file, loaded) on ``exercise``; save the Jacobian
    figure to ``figure`` on failure when a path is given.

    hypothesis draws the simplest configurations first, so the first failure is
    usually small already; ``shrink=True`` asks it to look for a smaller one
    (many more gradient checks: seconds rather than a fraction of one)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings

    tried, failures = [0], []

    @settings(max_examples=max_examples or exercise.examples, deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck), print_blob=False,
              report_multiple_bugs=False, verbosity=Verbosity.quiet,
              phases=(Phase.explicit, Phase.generate) + ((Phase.shrink,) if shrink else ()))
    @given(exercise.configs())
    def trial(config):
        failure = _run_case(exercise, module, config)
        if failure is None and not failures:
            tried[0] += 1  # configurations passed before the first failure
        if failure is not None:
            failures.append(failure)
            raise failure

    try:
        trial()
    except _Failed as failed:
        return _failure_outcome(exercise, failed, tried[0] + 1, figure)
    return Outcome(exercise.name, exercise.level, True, tried[0], exercise.second_order)


def _failure_outcome(exercise, failed, tried, figure):
    names = failed.case.names
    hint = diagnose(exercise, failed.case, failed.result, failed.error)
    outcome = Outcome(exercise.name, exercise.level, False, tried, exercise.second_order,
                      config=failed.config, names=names, result=failed.result, error=failed.error,
                      hint=hint)
    if figure and failed.result is not None:
        from ..viz.jacobians import plot_jacobians
        outcome.figure = str(plot_jacobians(failed.result, figure, input_names=names,
                                            title=f"exercise {exercise.name}"))
    return outcome


# ----------------------------------------------------------------------------
# Hints: which inputs are wrong, and does the error have a recognisable pattern
# ----------------------------------------------------------------------------
def diagnose(exercise, case, result, error):
    """A targeted hint: which gradients are wrong, any pattern, and the exercise's advice."""
    if error:
        return _diagnose_error(exercise, error)
    if result.order == 2:
        return exercise.hints.get("second", SECOND_ORDER_HINT)
    names, outputs = case.names, case.outputs
    wrong = sorted({m.input_index for m in result.mismatches})
    right = sorted({p.input_index for p in result.jacobians} - set(wrong))
    lines = ["wrong: the gradient of " + ", ".join(f"{names[i]} (input {i})" for i in wrong)
             + ("; right: " + ", ".join(f"{names[i]} (input {i})" for i in right) if right else "")]
    wrong_outputs = sorted({m.output_index for m in result.mismatches if not m.upstream})
    if outputs and wrong_outputs:
        lines.append("through output " + ", ".join(f"{o} = {outputs[o]}" for o in wrong_outputs))
    if all(m.upstream for m in result.mismatches):
        lines.append("every row of the Jacobian agrees, but with a random incoming gradient the "
                     "result is wrong: backward ignores (or mishandles) the gradient it receives; "
                     "it must be multiplied in.")
        return "\n  ".join(lines)
    pattern, factor = jacobian_pattern(result)
    if pattern == "sign":
        lines.append("analytic = -numeric everywhere it differs: a sign is flipped.")
    elif pattern == "factor":
        lines.append(f"analytic = {factor:.4g} x numeric everywhere it differs: a constant "
                     "factor is missing or extra (a 1/N, a 2, a 1/2?).")
    elif pattern == "zero":
        lines.append("the analytic gradient is zero where it differs: is part of the "
                     "gradient never computed or never returned?")
    keys = [outputs[o] for o in wrong_outputs] if outputs else []
    keys += [names[i] for i in wrong] + [pattern]
    for key in keys:
        if key in exercise.hints:
            lines.append(exercise.hints[key])
    return "\n  ".join(lines)


SECOND_ORDER_HINT = (
    "first derivatives are right but second derivatives are wrong: backward must be "
    "written with Tensor ops (other Functions) so that it is itself differentiable. "
    "A value taken from .data, or wrapped in Tensor(...), is a constant to the "
    "second backward pass.")


def _diagnose_error(exercise, error):
    if error.startswith("NotImplementedError"):
        return "backward is not written yet: replace the `raise NotImplementedError` in it."
    if "returned a gradient of shape" in error:
        return " ".join(["each gradient must have the shape of its input. Where an input was "
                         "broadcast (or reduced), sum the gradient back to its shape (sum_to).",
                         exercise.hints.get("shape", "")]).strip()
    if "not a Tensor" in error:
        return ("backward returned an array: return Tensors, computed with Tensor ops on "
                "self.inputs, self.saved_output() and the incoming gradient.")
    if "gradients for" in error:
        return "backward must return one gradient (or None) per input of forward, as a tuple."
    return "the check could not run: read the error above; it names the op and the shapes."


def jacobian_pattern(result):
    """('sign' | 'factor' | 'zero' | '', factor): analytic/numeric on the wrong Jacobian entries."""
    rows = [m for m in result.mismatches if not m.upstream]
    analytic = numpy.array([m.analytic for m in rows])
    numeric = numpy.array([m.numeric for m in rows])
    if not rows:
        return "", None
    if not numpy.all(numpy.isfinite(analytic)):
        return "", None
    if numpy.all(analytic == 0):
        return "zero", 0.0
    ratios = analytic[numpy.abs(numeric) > 1e-6] / numeric[numpy.abs(numeric) > 1e-6]
    if ratios.size == 0 or numpy.ptp(ratios) > 1e-3 * (1 + numpy.abs(ratios).max()):
        return "", None
    factor = float(ratios.mean())
    return ("sign", -1.0) if abs(factor + 1) < 1e-3 else ("factor", factor)
