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
import traceback

import numpy

from ..gradcheck import gradcheck, gradgradcheck
from .exercise import Evidence


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
    asked: int = 0             # configurations the exercise asks for (its default)
    requested: int = 0         # configurations this check was allowed (--examples)

    @property
    def partial(self):
        """A PASS allowed fewer configurations than the exercise asks for is not a full
        check.  (Fewer may be tried when there are no more distinct ones to draw.)"""
        return self.passed and self.requested < self.asked

    def report(self):
        if self.passed:
            what = "gradients and second derivatives agree" if self.second_order else "gradients agree"
            line = (f"{self.name} ({self.level}): PASS: {what} with finite differences on "
                    f"{self.tried} drawn configurations")
            if self.partial:
                line += (f", ONLY {self.requested} allowed of the {self.asked} this exercise asks "
                         "for: a partial check, not a pass")
            return line
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

    def __init__(self, config, case, result=None, error="", forward=None):
        super().__init__(error or "gradients disagree")
        self.config, self.case, self.result, self.error = config, case, result, error
        self.forward = forward   # a _WrongValue when the forward's value is what is wrong


@dataclasses.dataclass
class _WrongValue:
    """A forward output that differs from the reference: which, where, and the pattern."""
    output: str
    pattern: str
    factor: float
    text: str


def _forward_mismatch(case, atol=1e-6, rtol=1e-5):
    """None when every output of case.fn equals case.expected's; else the worst difference."""
    from ..grad_mode import no_grad
    with no_grad():
        yours = case.fn(*case.inputs)
    yours = yours if isinstance(yours, tuple) else (yours,)
    expected = case.expected(*case.inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    labels = case.outputs or tuple(f"output {k}" for k in range(len(expected)))
    for label, mine, want in zip(labels, yours, expected):
        mine = numpy.asarray(mine.numpy() if hasattr(mine, "numpy") else mine, dtype=float)
        want = numpy.asarray(want, dtype=float)
        if mine.shape != want.shape:
            return _WrongValue(label, "", None, f"forward: {label} has shape {mine.shape}; "
                               f"expected {want.shape}")
        bad = ~numpy.isclose(mine, want, atol=atol, rtol=rtol, equal_nan=False)
        if not bad.any():
            continue
        worst = numpy.unravel_index(numpy.argmax(numpy.where(bad, numpy.abs(mine - want), -1)),
                                    want.shape) if want.ndim else ()
        pattern, factor = _value_pattern(mine[bad], want[bad])
        text = (f"forward: {label} is wrong at {bad.sum()} of {bad.size} elements; the worst, "
                f"at index {tuple(int(i) for i in worst)}: yours {mine[worst]:.6g}, "
                f"expected {want[worst]:.6g}")
        return _WrongValue(label, pattern, factor, text)
    return None


def _value_pattern(mine, want):
    """('sign' | 'factor' | 'zero' | '', factor) shared by the wrong values."""
    if not numpy.all(numpy.isfinite(mine)):
        return "", None
    if numpy.all(mine == 0):
        return "zero", 0.0
    usable = numpy.abs(want) > 1e-9
    if not usable.any():
        return "", None
    ratios = mine[usable] / want[usable]
    if numpy.ptp(ratios) > 1e-6 * (1 + numpy.abs(ratios).max()):
        return "", None
    factor = float(ratios.mean())
    return ("sign", -1.0) if abs(factor + 1) < 1e-6 else ("factor", factor)


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
    try:
        case = exercise.build(module, config)
    except Exception as err:  # the student's forward or __init__ raised
        return _Failed(config, None, error=_error_text(err, module))
    try:
        wrong_value = _forward_mismatch(case) if case.expected is not None else None
        if wrong_value is not None:
            return _Failed(config, case, error=wrong_value.text, forward=wrong_value)
        result = gradcheck(case.fn, case.inputs, raise_exception=False)
        if result and exercise.second_order and case.second_order is not None:
            note = "the function checked is the one whose gradient needs your backward's derivative"
            result = gradcheck(case.second_order, case.inputs, raise_exception=False, order=2, note=note)
        if result and exercise.second_order:
            result = gradgradcheck(case.fn, case.inputs, raise_exception=False)
    except NotImplementedError as err:
        return _Failed(config, case, error=f"NotImplementedError: {err}")
    except Exception as err:  # the student's code raised: report it as the failure
        return _Failed(config, case, error=_error_text(err, module))
    return None if result else _Failed(config, case, result=result)


def _error_text(err, module):
    """The exception, and the line of the student's own file it came from, if any."""
    text = f"{type(err).__name__}: {err}"
    own_file = getattr(module, "__file__", None)
    frames = [f for f in traceback.extract_tb(err.__traceback__) if own_file and f.filename == own_file]
    if frames:
        text += f"\n  raised at line {frames[-1].lineno} of your file: {frames[-1].line}"
    return text


def check(exercise, module, max_examples=None, figure=None, shrink=False):
    """Grade ``module`` (the student's file, loaded) on ``exercise``; save the Jacobian
    figure to ``figure`` on failure when a path is given.

    hypothesis draws the simplest configurations first, so the first failure is
    usually small already; ``shrink=True`` asks it to look for a smaller one
    (many more gradient checks: seconds rather than a fraction of one)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings

    if exercise.grade is not None:   # not a gradcheck exercise (the engine track)
        return exercise.grade(exercise, module, max_examples, figure)
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
        return _failure_outcome(exercise, module, failed, tried[0] + 1, figure)
    if figure is not None:
        pathlib.Path(figure).unlink(missing_ok=True)   # a PASS leaves no stale picture of a failure
    return Outcome(exercise.name, exercise.level, True, tried[0], exercise.second_order,
                   asked=exercise.examples, requested=max_examples or exercise.examples)


def _failure_outcome(exercise, module, failed, tried, figure):
    names = failed.case.names if failed.case else ()
    hint = diagnose(exercise, module, failed)
    outcome = Outcome(exercise.name, exercise.level, False, tried, exercise.second_order,
                      config=failed.config, names=names, result=failed.result, error=failed.error,
                      hint=hint, asked=exercise.examples, requested=exercise.examples)
    if figure and failed.result is not None:
        from ..viz.jacobians import plot_jacobians
        inputs, outputs = _figure_names(failed)
        outcome.figure = str(plot_jacobians(failed.result, figure, input_names=inputs,
                                            output_names=outputs, title=f"exercise {exercise.name}"))
    return outcome


def _figure_names(failed):
    """Input and output names for the figure.  In gradgradcheck the inputs after the
    function's own are the upstream gradients v, labelled so, and the outputs are the
    first derivatives; the penalty check of a second-order exercise has one output."""
    result, case = failed.result, failed.case
    names, outputs = list(case.names), list(case.outputs)
    extra = 1 + max(p.input_index for p in result.jacobians) - len(names)
    if result.order == 2 and extra > 0:
        differentiable = [n for n, t in zip(case.names, case.inputs) if t.requires_grad]
        outputs = [f"d/d{name}" for name in differentiable]
        names += [f"upstream gradient v{k}" for k in range(extra)]
    elif result.order == 2:
        outputs = ["penalty"]
    return names, outputs


# ----------------------------------------------------------------------------
# Hints: which inputs are wrong, what pattern the error has, and the advice that
# this evidence supports (an exercise's Hint is printed only when it applies)
# ----------------------------------------------------------------------------
def diagnose(exercise, module, failed):
    if failed.forward is not None:
        return _diagnose_forward(exercise, failed)
    if failed.error:
        return _diagnose_error(exercise, failed)
    evidence = gather_evidence(exercise, module, failed)
    lines = []
    if evidence.order == 2:
        lines.append(SECOND_ORDER_HINT)
    else:
        result, names = failed.result, failed.case.names
        wrong_indices = sorted({m.input_index for m in result.mismatches})
        right = sorted({p.input_index for p in result.jacobians} - set(wrong_indices))
        lines.append("wrong: the gradient of " + ", ".join(f"{names[i]} (input {i})" for i in wrong_indices)
                     + ("; right: " + ", ".join(f"{names[i]} (input {i})" for i in right) if right else ""))
        if evidence.outputs:
            lines.append("through output " + ", ".join(sorted(evidence.outputs)))
        lines.append(PATTERN_TEXT.get(evidence.pattern, "").format(factor=evidence.factor))
        if evidence.spurious and evidence.pattern != "upstream":
            lines.append(SPURIOUS_TEXT)
    lines += [h.text for h in exercise.advice if h.applies(evidence)]
    return "\n  ".join(line for line in lines if line)


PATTERN_TEXT = {
    "upstream": ("your backward's result does not follow the gradient that arrives (it is the "
                 "same whichever output element's gradient arrives, or wrong for a random one): "
                 "that gradient must be multiplied in, not ignored or replaced by ones."),
    "sign": "analytic = -numeric everywhere it differs: a sign is flipped.",
    "factor": "analytic = {factor:.4g} x numeric everywhere it differs: a constant factor is wrong.",
    "zero": "the analytic gradient is zero where it differs: is part of the gradient never "
            "computed or never returned?  (A formula fed ones in place of the incoming "
            "gradient can also cancel to zero.)",
}


def gather_evidence(exercise, module, failed):
    result = failed.result
    if result.order == 2:
        return Evidence(failed.config, order=2)
    names, outputs = failed.case.names, failed.case.outputs
    wrong = frozenset(names[m.input_index] for m in result.mismatches)
    through = frozenset(outputs[m.output_index] for m in result.mismatches
                        if not m.upstream and outputs)
    pattern, factor = jacobian_pattern(result)
    scales = pattern == "factor" and _factor_follows_size(exercise, module, failed.config, factor)
    return Evidence(failed.config, wrong, through, pattern, factor, scales,
                    spurious=bool(_spurious(result)))


def _factor_follows_size(exercise, module, config, factor):
    """Re-run the check at another size: does the wrong factor change as the size does
    (a missing or extra 1/N), or stay put (a missing 2, an extra 1/2)?  At one size the
    two cannot be told apart: a factor of 2 at N = 2 is both."""
    if exercise.rescale is None:
        return False
    other_config, size, other_size = exercise.rescale(config)
    failure = _run_case(exercise, module, other_config)
    if failure is None or failure.result is None or failure.result.order != 1:
        return False
    pattern, other_factor = jacobian_pattern(failure.result)
    if pattern != "factor":
        return False
    ratio = other_factor / factor
    return any(abs(ratio - expected) < 1e-6 * abs(expected)
               for expected in (other_size / size, size / other_size))


SPURIOUS_TEXT = ("your gradient is non-zero for input elements that this output does not depend "
                 "on (the numeric derivative is 0 there): it reaches elements it should not.")

SECOND_ORDER_HINT = (
    "first derivatives are right but second derivatives are wrong: backward must be "
    "written with Tensor ops (other Functions) so that it is itself differentiable. "
    "A value taken from .data, or wrapped in Tensor(...), is a constant to the "
    "second backward pass.")


def _diagnose_forward(exercise, failed):
    wrong = failed.forward
    evidence = Evidence(failed.config, pattern=wrong.pattern, factor=wrong.factor,
                        forward=wrong.output, error=wrong.text)
    lines = [f"the forward value of {wrong.output} is wrong (its gradient was not checked yet)."]
    if wrong.pattern:
        lines.append(VALUE_PATTERN_TEXT[wrong.pattern].format(factor=wrong.factor))
    lines += [h.text for h in exercise.advice if h.applies(evidence)]
    return "\n  ".join(lines)


VALUE_PATTERN_TEXT = {
    "sign": "yours = -expected everywhere it differs: a sign is flipped.",
    "factor": "yours = {factor:.4g} x expected everywhere it differs: a constant factor is wrong.",
    "zero": "yours is zero where it differs: is a term never computed?",
}


def _diagnose_error(exercise, failed):
    error = failed.error
    if error.startswith("NotImplementedError"):
        return "the code is not written yet: replace the `raise NotImplementedError` the error names."
    evidence = Evidence(failed.config, error=error)
    advice = [h.text for h in exercise.advice if h.applies(evidence)]
    if "returned a gradient of shape" in error:
        lines = ["each gradient must have the shape of its input."]
    elif "not a Tensor" in error:
        lines = ["backward returned an array: return Tensors, computed with Tensor ops on "
                 "self.inputs, self.saved_output() and the incoming gradient."]
    elif "gradients for" in error:
        lines = ["backward must return one gradient (or None) per input of forward, as a tuple."]
    else:
        lines = ["the check could not run: the error above says where it was raised."]
    return " ".join(lines + advice)


def _rows_all_alike(result, rows):
    """Every wrong block's analytic Jacobian has identical rows where the numeric one does
    not: the backward returns the same thing whichever output element's gradient arrives,
    so it ignores the incoming gradient (with a one-hot gy, each row should differ)."""
    wrong = {(m.output_index, m.input_index) for m in rows}
    alike = False
    for pair in result.jacobians:
        if (pair.output_index, pair.input_index) not in wrong:
            continue
        a, n = pair.analytic, pair.numeric
        if not a.any():
            continue   # zero rows are identical too, but say nothing about gy: no evidence
        if a.shape[0] < 2 or not numpy.allclose(a, a[:1]) or numpy.allclose(n, n[:1]):
            return False
        alike = True
    return alike   # all zero: a missing gradient (pattern 'zero'), not an ignored one


def _spurious(result):
    """The wrong one-hot rows where the numeric derivative is 0 but yours is not."""
    return [m for m in result.mismatches if not m.upstream and abs(m.numeric) <= 1e-6]


def jacobian_pattern(result):
    """('upstream' | 'sign' | 'factor' | 'zero' | '', factor): what the wrong entries share."""
    rows = [m for m in result.mismatches if not m.upstream]
    if result.mismatches and (not rows or _rows_all_alike(result, rows)):
        return "upstream", None
    analytic = numpy.array([m.analytic for m in rows])
    numeric = numpy.array([m.numeric for m in rows])
    if not rows or _spurious(result):
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
