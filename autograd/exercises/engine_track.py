"""The engine track: write the pieces of the autograd engine itself.

    sum_to             undo broadcasting: the gradient of a broadcast       (ops/shape.py)
    no_grad            the switch that turns recording off and back on      (grad_mode.py)
    record_graph       what Function.__call__ links into the graph          (function.py)
    finite_differences the numeric side of gradcheck: central differences  (gradcheck.py)
    topological_order  the order backward visits the Functions, iterative  (engine.py)
    backward_pass      gradients summed per output, each backward run once  (engine.py)

Each piece is a name the engine looks up at call time (``engine_pieces.PLUG_POINTS``).
A check runs, in order:

1. targeted cases, in-process, each of which names what it tried when it fails (a
   diamond graph, a chain of 10,000 ops, a cubic...); with the student's piece
   plugged into the engine where the case goes through the engine;
2. the engine's own tests (a chosen part of ``tests/``), in a subprocess of pytest
   with the student's piece plugged in for the whole session
   (``-p autograd.exercises.engine_pieces``).  A failure names the first failing
   test, its error and the line of the test it failed at.

So a student who passes all six has written a working engine.  ``--examples N``
runs only the first N of these checks: a partial check, reported as such.
"""
import contextlib
import dataclasses
import gc
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import threading
import weakref

import numpy

from .checker import Outcome, _error_text
from .engine_pieces import piece_name, plugged
from .exercise import LEVELS, Exercise, Hint

NOT_WRITTEN = "the code is not written yet: replace the `raise NotImplementedError` the error names."
CASE_SECONDS = 30          # a targeted case that runs longer is stopped (a loop that never ends?)
TESTS_SECONDS = 300        # the engine's tests, all together


# ----------------------------------------------------------------------------
# What a check is, what a failed one shows, and how it is reported
# ----------------------------------------------------------------------------
class CaseFailed(Exception):
    """A targeted case found the piece wrong: ``text`` says how, in a sentence or two;
    ``tag`` is what hints read (which mistake it looks like)."""

    def __init__(self, text, tag=""):
        super().__init__(text)
        self.text, self.tag = text, tag


@dataclasses.dataclass
class Case:
    name: str                 # the case, as the report names it ("a diamond graph")
    run: object               # (piece) -> None; raises CaseFailed
    through_engine: bool = False   # plug the piece into the engine while it runs


@dataclasses.dataclass
class EngineTests:
    """A part of the engine's own tests: files under the repository, and a -k expression."""
    files: tuple
    select: str = None

    def describe(self):
        return " ".join(self.files) + (f" -k '{self.select}'" if self.select else "")


@dataclasses.dataclass
class EngineEvidence:
    """What a failed check showed, for deciding which advice is true of it."""
    case: str = ""            # the case that failed (ENGINE_TESTS for the engine's tests)
    tag: str = ""             # what it saw (see each exercise's cases)
    error: str = ""           # the failure's text
    test: str = ""            # the first failing engine test's name, when that is what failed
    pattern: str = ""         # (read by Hint.applies: no gradient pattern here)
    forward: str = ""


ENGINE_TESTS = "the engine's own tests"


def case_is(*names):
    return lambda e: e.case in names


def tag_is(*tags):
    return lambda e: e.tag in tags


@dataclasses.dataclass
class EngineOutcome(Outcome):
    """An Outcome whose report speaks of targeted cases and engine tests, not of
    Jacobians and drawn configurations."""
    checks: tuple = ()        # the names of the checks this exercise asks for, in order
    case: str = ""            # the check that failed
    tests_run: int = 0        # engine tests that passed, when they ran
    tests: str = ""           # which engine tests (their selection)
    piece: str = ""
    note: str = ""            # why some checks could not run here, if so

    def report(self):
        if self.passed:
            cases = min(self.tried, len(self.checks) - 1)
            line = f"{self.name} ({self.level}): PASS: your {self.piece} passed {cases} targeted cases"
            if self.tests_run:
                line += (f" and the engine's own tests with it plugged in ({self.tests_run} tests: "
                         f"{self.tests})")
            if self.partial:
                skipped = ", ".join(self.checks[self.tried:])
                line += (f"; ONLY {self.tried} of the {self.asked} checks this exercise asks for "
                         f"ran (not run: {skipped}"
                         + (f", as {self.note}" if self.note else "") + "): a partial check, not a pass")
            return line
        lines = [f"{self.name} ({self.level}): FAIL at check {self.tried} of {self.asked}, {self.case}:",
                 "  " + self.error.replace("\n", "\n  "), "Hint: " + self.hint]
        return "\n".join(lines)


# ----------------------------------------------------------------------------
# Running the checks
# ----------------------------------------------------------------------------
class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds):
    """Stop the block after ``seconds`` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _grad_mode_kept():
    """Grad mode on for the case, and afterwards as it was, whatever the piece did to it."""
    from ..grad_mode import STATE
    before = STATE.grad_enabled
    STATE.grad_enabled = True
    try:
        yield
    finally:
        STATE.grad_enabled = before


def _run_case(exercise_name, module, case):
    """None when the case passes; else (text, tag)."""
    piece = getattr(module, piece_name(exercise_name))
    engine = plugged(exercise_name, module) if case.through_engine else contextlib.nullcontext()
    try:
        # the timer innermost: it is stopped before the engine's own piece is put back
        with _grad_mode_kept(), engine, _time_limit(CASE_SECONDS):
            case.run(piece)
    except CaseFailed as failed:
        return failed.text, failed.tag
    except NotImplementedError as err:
        return f"NotImplementedError: {err}", "not written"
    except _TooSlow:
        return (f"it did not finish in {CASE_SECONDS} s: a loop that never ends (a Function "
                "visited again and again?)", "too slow")
    except RecursionError as err:
        return (f"RecursionError ({err}): the walk calls itself once per Function, and this "
                "graph is deeper than Python's recursion limit.", "recursion")
    except Exception as err:  # the student's piece raised, or the engine did because of it
        return "your code raised " + _error_text(err, module), "error"
    return None


def _run_engine_tests(exercise_name, module, tests):
    """(passed, number of tests run, text, first failing test's name) of the engine's
    tests with the piece plugged in; passed is None when they cannot run here."""
    root = pathlib.Path(__file__).resolve().parents[2]
    missing = [f for f in tests.files if not (root / f).exists()]
    path = getattr(module, "__file__", None)
    if missing or not path:
        why = "the engine's tests are not here" if missing else "your piece is not in a file"
        return None, 0, why, ""
    with tempfile.TemporaryDirectory() as folder:
        first = pathlib.Path(folder) / "summary.json"
        env = dict(os.environ, ENGINE_EXERCISE=exercise_name, ENGINE_EXERCISE_FILE=str(path),
                   ENGINE_EXERCISE_REPORT=str(first), HYPOTHESIS_PROFILE="ci",
                   PYTHONPATH=os.pathsep.join([str(root)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                   "-p", "autograd.exercises.engine_pieces", "--tb=short", *tests.files]
        if tests.select:
            command += ["-k", tests.select]
        try:
            run = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                                 timeout=TESTS_SECONDS)
        except subprocess.TimeoutExpired:
            return (False, 0, f"the engine's tests did not finish in {TESTS_SECONDS} s with your "
                    "piece: a loop that never ends?", "")
        summary = json.loads(first.read_text()) if first.exists() else {}
        passed, found = summary.get("passed", 0), summary.get("first_failure")
        if run.returncode == 0:
            return True, passed, "", ""
        if found:
            where = f" (line {found['lineno']})" if found.get("lineno") else ""
            text = (f"the first failing test: {found['test']}\n"
                    + (f"it failed at{where}: {found['line']}\n" if found.get("line") else "")
                    + f"error: {found['error']}")
            return False, passed, text, found["test"]
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-8:])
        return False, passed, f"the engine's tests could not run with your piece:\n{tail}", ""


def grade(exercise, module, max_examples, figure):
    """The targeted cases, then the engine's tests; the first failure is the verdict.
    ``max_examples`` (``--examples``) is how many of these checks run."""
    cases, tests = CASES[exercise.name], TESTS[exercise.name]
    checks = tuple(c.name for c in cases) + (ENGINE_TESTS,)
    requested = max_examples or len(checks)
    outcome = dict(name=exercise.name, level=exercise.level, second_order=False,
                   asked=len(checks), requested=requested, checks=checks,
                   piece=piece_name(exercise.name), tests=tests.describe())
    tried, tests_run = 0, 0
    for case in cases[:requested]:
        tried += 1
        failed = _run_case(exercise.name, module, case)
        if failed is not None:
            return _failure(exercise, outcome, tried, case.name, *failed)
    if requested > len(cases):
        tried += 1
        passed, tests_run, text, test = _run_engine_tests(exercise.name, module, tests)
        if passed is False:
            return _failure(exercise, outcome, tried, ENGINE_TESTS, text, "", test)
        if passed is None:   # installed without its tests: the targeted cases are all there is
            tried -= 1
            outcome["requested"] = min(requested, len(cases))
            outcome["note"] = text
    return EngineOutcome(passed=True, tried=tried, tests_run=tests_run, **outcome)


def _failure(exercise, outcome, tried, case, text, tag, test=""):
    evidence = EngineEvidence(case=case, tag=tag, error=text, test=test)
    if tag == "not written":
        lines = [NOT_WRITTEN]
    else:
        lines = [h.text for h in exercise.advice if h.applies(evidence)]
        if not lines:
            lines = [f"`python -m autograd.exercises hint {exercise.name}` gives the idea, then more."]
    where = f"{case} (tests: {outcome['tests']})" if case == ENGINE_TESTS else case
    return EngineOutcome(passed=False, tried=tried, config={"case": case}, error=text,
                         hint="\n  ".join(lines), case=where, **outcome)


# ----------------------------------------------------------------------------
# Graphs to try the pieces on (built by the engine's own ops)
# ----------------------------------------------------------------------------
def _leaf(values):
    from ..tensor import Tensor
    return Tensor(numpy.asarray(values, dtype=numpy.float64), requires_grad=True)


def _counting():
    """A Function that passes its input through and notes each backward call's gradient."""
    from ..function import Function

    class Shared(Function):
        calls = []

        def forward(self, x):
            return x.copy()

        def backward(self, gy):
            Shared.calls.append(gy.numpy().copy())
            return gy

    Shared.calls = []
    return Shared


def _reachable(roots):
    found, stack = set(), [t.creator for t in roots if t.creator is not None]
    while stack:
        f = stack.pop()
        if f in found:
            continue
        found.add(f)
        stack += [c for c, _ in f.edges if c is not None]
    return found


def _name(f):
    return getattr(f, "name", type(f).__name__)


def _close(mine, expected, what, tag, tolerance=1e-9):
    mine = None if mine is None else numpy.asarray(mine.numpy() if hasattr(mine, "numpy") else mine)
    expected = numpy.asarray(expected, dtype=numpy.float64)
    if mine is None:
        raise CaseFailed(f"{what} is None; expected {expected.tolist()}.", tag)
    if mine.shape != expected.shape or not numpy.allclose(mine, expected, rtol=tolerance, atol=tolerance):
        raise CaseFailed(f"{what} is {numpy.round(mine, 6).tolist()}; expected "
                         f"{numpy.round(expected, 6).tolist()}.", tag)


# ----------------------------------------------------------------------------
# sum_to
# ----------------------------------------------------------------------------
def _sum_to_case(array_shape, shape, tag):
    def run(sum_to_shape):
        array = numpy.arange(1.0, 1.0 + numpy.prod(array_shape)).reshape(array_shape)
        given = array.copy()
        lead = len(array_shape) - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1)
        expected = array.sum(axis=axes, keepdims=True).reshape(shape)
        result = sum_to_shape(array, tuple(shape))
        result = numpy.asarray(result)
        call = f"sum_to_shape(array of shape {array_shape}, {tuple(shape)})"
        if not numpy.array_equal(array, given):
            raise CaseFailed(f"{call} changed the array it was given.", "changed")
        if result.shape != tuple(shape):
            raise CaseFailed(f"{call} returned shape {result.shape}; expected {tuple(shape)}, "
                             "exactly (every dim of shape, the size-1 ones too).", tag + " shape")
        if not numpy.allclose(result, expected):
            raise CaseFailed(f"{call} returned {result.tolist()}; expected {expected.tolist()} "
                             "(array holds 1, 2, 3, ... in order).", tag + " values")
    return run


def _broadcast_add_backward(sum_to_shape):
    a, b = _leaf(numpy.ones((2, 3, 4))), _leaf(numpy.ones((3, 1)))
    gy = numpy.arange(24.0).reshape(2, 3, 4)
    from ..tensor import Tensor
    (a + b).backward(Tensor(gy))
    _close(b.grad, gy.sum(axis=(0, 2)).reshape(3, 1),
           "through the engine, the gradient of b (3, 1) in a (2, 3, 4) + b", "engine")


SUM_TO = [
    Case("the same shape", _sum_to_case((2, 3), (2, 3), "same")),
    Case("leading dims", _sum_to_case((4, 2, 3), (2, 3), "leading")),
    Case("size-1 dims", _sum_to_case((2, 3), (2, 1), "size1")),
    Case("a size-1 dim in front", _sum_to_case((2, 3), (1, 3), "size1")),
    Case("leading and size-1 dims at once", _sum_to_case((5, 2, 3, 4), (3, 1), "both")),
    Case("to a 0-d array", _sum_to_case((2, 3), (), "scalar")),
    Case("a broadcasting add's backward", _broadcast_add_backward, through_engine=True),
]


# ----------------------------------------------------------------------------
# no_grad
# ----------------------------------------------------------------------------
def _state():
    from ..grad_mode import STATE
    return STATE


def _no_grad_block(no_grad):
    x = _leaf([1.0, 2.0])
    with no_grad():
        if _state().grad_enabled:
            raise CaseFailed("inside `with no_grad():` grad mode is still on.", "not off")
        y = x * 2
    if y.requires_grad or y.creator is not None:
        raise CaseFailed("an op inside `with no_grad():` recorded a graph.", "not off")
    if not _state().grad_enabled:
        raise CaseFailed("after `with no_grad():` grad mode is still off: the block must put "
                         "back the mode it found.", "not restored")


def _no_grad_nested(no_grad):
    from ..grad_mode import enable_grad
    with no_grad():
        with no_grad():
            pass
        if _state().grad_enabled:
            raise CaseFailed("after an inner `with no_grad():` inside an outer one, grad mode is "
                             "on again, while the outer block still runs: leaving must put back "
                             "the mode found on entry (off here), not True.", "restores True")
    with enable_grad():
        with no_grad():
            pass
        on = _state().grad_enabled
    with no_grad():
        with enable_grad():
            with no_grad():
                pass
            if not _state().grad_enabled:
                raise CaseFailed("a `with no_grad():` inside `enable_grad()` inside `no_grad()` "
                                 "left grad mode off in the enable_grad block.", "restores False")
    if not on:
        raise CaseFailed("a `with no_grad():` inside `with enable_grad():` left grad mode off.",
                         "restores False")


def _no_grad_exception(no_grad):
    class Raised(Exception):
        pass

    try:
        with no_grad():
            raise Raised()
    except Raised:
        pass
    else:
        raise CaseFailed("an exception raised inside `with no_grad():` did not come out of the "
                         "block: __exit__ must not swallow it (return False).", "swallows")
    if not _state().grad_enabled:
        raise CaseFailed("after an exception left a `with no_grad():` block, grad mode is still "
                         "off.", "exception")

    @no_grad()
    def fails():
        raise Raised()

    try:
        fails()
    except Raised:
        pass
    else:
        raise CaseFailed("an exception raised by a function decorated with @no_grad() did not "
                         "come out of the call.", "swallows")
    if not _state().grad_enabled:
        raise CaseFailed("after an exception left a function decorated with @no_grad(), grad "
                         "mode is still off.", "exception")


def _no_grad_decorator(no_grad):
    @no_grad()
    def double(t, factor=2.0):
        """doubles"""
        return t * factor, _state().grad_enabled

    if not callable(double):
        raise CaseFailed("@no_grad() did not return a function.", "decorator")
    y, mode = double(_leaf([1.0, 2.0]), factor=3.0)
    if mode or y.requires_grad:
        raise CaseFailed("inside a function decorated with @no_grad(), grad mode is on.", "decorator")
    _close(y, [3.0, 6.0], "the decorated function's result (its arguments passed through)", "decorator")
    if not _state().grad_enabled:
        raise CaseFailed("after a call of a function decorated with @no_grad(), grad mode is "
                         "still off.", "not restored")
    if double.__name__ != "double":
        raise CaseFailed("the decorated function lost its name (functools.wraps keeps it).", "wraps")


def _no_grad_recursive(no_grad):
    seen = []

    @no_grad()
    def depth(n):
        if n:
            depth(n - 1)
        seen.append(_state().grad_enabled)

    depth(3)
    if any(seen):
        raise CaseFailed("inside a recursive call of a function decorated with @no_grad(), grad "
                         "mode came back on.", "recursion")
    if not _state().grad_enabled:
        raise CaseFailed("after a recursive function decorated with @no_grad() returned, grad mode "
                         "is still off: the inner calls overwrote the mode the outer call saved "
                         "(one saved mode per call, not one per decorator).", "recursion")


def _no_grad_in_backward(no_grad):
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    if x.grad.requires_grad:
        raise CaseFailed("backward (which runs inside your no_grad) recorded a graph for x.grad.",
                         "engine")
    _close(x.grad, [2.0, 4.0], "x.grad of sum(x * x)", "engine")


NO_GRAD = [
    Case("a with block", _no_grad_block),
    Case("nested blocks", _no_grad_nested),
    Case("an exception inside", _no_grad_exception),
    Case("as a decorator", _no_grad_decorator),
    Case("a recursive decorated function", _no_grad_recursive),
    Case("the engine's backward", _no_grad_in_backward, through_engine=True),
]


# ----------------------------------------------------------------------------
# record_graph
# ----------------------------------------------------------------------------
def _record_one_op(record_graph):
    from ..tensor import Tensor
    x, c = _leaf([1.0, 2.0]), Tensor(numpy.array([3.0, 4.0]))
    y = x * c
    f = y.creator
    if f is None:
        raise CaseFailed("after y = x * c, y.creator is None: set creator on each output.", "creator")
    if y.output_index != 0:
        raise CaseFailed(f"y.output_index is {y.output_index}; expected 0.", "output_index")
    inputs = getattr(f, "inputs", None)
    if inputs is None or len(inputs) != 2 or inputs[0] is not x or inputs[1] is not c:
        raise CaseFailed("y.creator.inputs is not (x, c), the input tensors themselves.", "inputs")
    if tuple(getattr(f, "edges", ())) != ((None, 0), (None, 0)):
        raise CaseFailed(f"y.creator.edges is {getattr(f, 'edges', None)!r}; expected "
                         "((None, 0), (None, 0)): x and c are leaves (creator None).", "edges")
    if tuple(getattr(f, "needs_input_grad", ())) != (True, False):
        raise CaseFailed(f"y.creator.needs_input_grad is {getattr(f, 'needs_input_grad', None)!r}; "
                         "expected (True, False): x requires grad, c does not.", "needs")
    outputs = getattr(f, "outputs", ())
    if len(outputs) != 1 or not callable(outputs[0]) or outputs[0]() is not y:
        raise CaseFailed("y.creator.outputs[0]() is not y.", "outputs")
    y.sum().backward()
    _close(x.grad, [3.0, 4.0], "x.grad of sum(x * c)", "backward")


def _record_chain(record_graph):
    x = _leaf([1.0, 2.0])
    h = x * 2
    y = h.exp()
    if tuple(y.creator.edges) != ((h.creator, 0),):
        raise CaseFailed("for h = x * 2 and y = h.exp(), y.creator.edges is not "
                         "((h.creator, 0),): the edge must lead to the Function that made h.", "edges")
    y.sum().backward()
    _close(x.grad, 2 * numpy.exp([2.0, 4.0]), "x.grad of sum(exp(2 x))", "backward")


def _record_outputs(record_graph):
    x = _leaf([1.0, 2.0, 3.0])
    parts = x.split(1)
    f = parts[0].creator
    for k, part in enumerate(parts):
        if part.creator is not f:
            raise CaseFailed(f"the outputs of x.split(1) do not share one creator (output {k}).",
                             "creator")
        if part.output_index != k:
            raise CaseFailed(f"x.split(1) has 3 outputs; output {k} has output_index "
                             f"{part.output_index}: each output's index is its position.",
                             "output_index")
        if f.outputs[k]() is not part:
            raise CaseFailed(f"split's outputs[{k}]() is not its output {k}.", "outputs")
    (parts[1] * 3).sum().backward()
    _close(x.grad, [0.0, 3.0, 0.0], "x.grad of sum(3 x.split(1)[1])", "backward")


def _record_weak(record_graph):
    x = _leaf([1.0, 2.0])
    enabled = gc.isenabled()
    gc.disable()   # a cycle would be freed by the collector, later: see whether y is freed at once
    try:
        y = x * 2
        f = y.creator
        if not all(isinstance(o, weakref.ref) for o in f.outputs):
            kinds = ", ".join(type(o).__name__ for o in f.outputs)
            raise CaseFailed(f"Function.outputs holds {kinds}, not weak references: the output "
                             "holds its creator, so a strong link back is a cycle, freed only "
                             "when the garbage collector runs.", "strong")
        watch = weakref.ref(y)
        del y
        if watch() is not None:
            raise CaseFailed("after `del y` (y = x * 2 the only name for it), y is still alive: "
                             "something holds it strongly (its creator?): a cycle.", "strong")
    finally:
        if enabled:
            gc.enable()


def _record_in_place(record_graph):
    x = _leaf([1.0, 2.0])
    a = x * 1           # made by Mul
    maker = a.creator
    b = a * 3           # records the edge to a's creator now
    user = b.creator
    a.mul_(2)           # a now has a new creator: the in-place op
    if user.edges[0][0] is not maker:
        raise CaseFailed("for b = a * 3 followed by a.mul_(2), b.creator.edges[0] leads to the "
                         f"in-place op ({_name(user.edges[0][0])}), not to the Function that made "
                         "the value b used: read the edges when the Function is called, not later.",
                         "lazy")
    b.sum().backward()
    _close(x.grad, [3.0, 3.0], "x.grad of sum(3 a) with a = x * 1 changed in place after", "backward")


RECORD_GRAPH = [
    Case("one op", _record_one_op, through_engine=True),
    Case("a chain of two ops", _record_chain, through_engine=True),
    Case("an op with three outputs (split)", _record_outputs, through_engine=True),
    Case("outputs held weakly", _record_weak, through_engine=True),
    Case("an input changed in place after the call", _record_in_place, through_engine=True),
]


# ----------------------------------------------------------------------------
# topological_order
# ----------------------------------------------------------------------------
def _check_order(order, roots, what):
    order = list(order)
    reachable = _reachable(roots)
    position = {}
    for k, f in enumerate(order):
        if f in position:
            raise CaseFailed(f"{what}: {_name(f)} is listed twice (at {position[f]} and {k}): "
                             "a Function reached by two paths is still listed once.", "twice")
        position[f] = k
    missing = [f for f in reachable if f not in position]
    if missing:
        raise CaseFailed(f"{what}: {', '.join(sorted(_name(f) for f in missing))} reachable from "
                         "the roots is not listed.", "missing")
    extra = [f for f in order if f not in reachable]
    if extra:
        raise CaseFailed(f"{what}: {_name(extra[0])} is listed but not reachable from the roots.",
                         "extra")
    for f in order:
        for creator, _ in f.edges:
            if creator is not None and position[creator] < position[f]:
                raise CaseFailed(
                    f"{what}: {_name(creator)} is listed at {position[creator]}, before "
                    f"{_name(f)} at {position[f]}, which used its output: its backward would run "
                    "before all its gradients arrived.", "before consumer")


def _order_chain(topological_order):
    x = _leaf([1.0, 2.0])
    y = x.exp().log().sum()
    _check_order(topological_order([y]), [y], "x -> exp -> log -> sum")


def _order_diamond(topological_order):
    x = _leaf([1.0, 2.0])
    h = x.exp()
    y = (h * 2 + h.sin()).sum()
    _check_order(topological_order([y]), [y], "a diamond: h = exp(x), y = sum(h * 2 + sin(h))")


def _order_twice(topological_order):
    x = _leaf([1.0, 2.0])
    h = x.exp()
    y = (h * h).sum()
    _check_order(topological_order([y]), [y], "h = exp(x) used twice by one Function, h * h")


def _order_roots(topological_order):
    x = _leaf([1.0, 2.0])
    first = x.exp()
    second = first * 3
    _check_order(topological_order([first, second]), [first, second],
                 "two roots, one made from the other: exp(x) and 3 exp(x)")
    a, b = (x * 1).chunk(2)
    _check_order(topological_order([a, b]), [a, b],
                 "two roots made by one Function (both halves of (x * 1).chunk(2))")
    listed = list(topological_order([x]))
    if listed:
        raise CaseFailed(f"a root that is a leaf (no creator) gave {len(listed)} Functions; "
                         "expected none.", "leaf root")


def _order_long_chain(topological_order):
    x = _leaf([1.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    _check_order(topological_order([y]), [y], "a chain of 10,000 ops")


TOPOLOGICAL_ORDER = [
    Case("a chain of three ops", _order_chain),
    Case("a diamond graph", _order_diamond),
    Case("a Function that uses one tensor twice", _order_twice),
    Case("several roots, and a leaf as a root", _order_roots),
    Case("a chain of 10,000 ops", _order_long_chain),
]


# ----------------------------------------------------------------------------
# backward_pass
# ----------------------------------------------------------------------------
def _pass_root_gradient(backward_pass):
    from ..tensor import Tensor
    x = _leaf([1.0, 2.0])
    (x * 2).backward(Tensor(numpy.array([1.0, 10.0])))
    _close(x.grad, [2.0, 20.0], "x.grad of y = 2 x after y.backward([1, 10])", "root grad")


def _pass_chain(backward_pass):
    x = _leaf([1.0, 2.0])
    (x * 3).exp().sum().backward()
    _close(x.grad, 3 * numpy.exp([3.0, 6.0]), "x.grad of sum(exp(3 x))", "chain")


def _shared_once(Shared, expected, what):
    if len(Shared.calls) != 1:
        raise CaseFailed(f"{what}: the shared Function's backward ran {len(Shared.calls)} times; "
                         "it must run once, when the gradients from all its consumers have "
                         "arrived and been added.", "ran twice" if Shared.calls else "never ran")
    _close(Shared.calls[0], expected, f"{what}: the gradient the shared Function's backward got",
           "overwrite")


def _pass_diamond(backward_pass):
    Shared = _counting()
    x = _leaf([1.0, 2.0])
    h = Shared()(x)
    ((h * 2) + (h * 3)).sum().backward(retain_graph=True)
    _shared_once(Shared, [5.0, 5.0], "a diamond, h used by h * 2 and h * 3")
    _close(x.grad, [5.0, 5.0], "x.grad of sum(2 h + 3 h), h = x", "overwrite")


def _pass_twice_by_one(backward_pass):
    Shared = _counting()
    x = _leaf([1.0, 2.0])
    h = Shared()(x)
    (h * h).sum().backward(retain_graph=True)
    _shared_once(Shared, [2.0, 4.0], "h * h, one Function using h twice")


def _pass_outputs(backward_pass):
    x = _leaf([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    first, second, third = x.split(2)
    ((first * 2).sum() + (third * 5).sum()).backward()
    _close(x.grad, [2.0, 2.0, 0.0, 0.0, 5.0, 5.0],
           "x.grad with x split in 3, outputs 0 and 2 used (2 and 5 times), output 1 not", "outputs")


def _pass_roots(backward_pass):
    from ..autograd import grad
    from ..tensor import Tensor
    x = _leaf([1.0, 2.0])
    first = x * 1
    second = first * 3
    gx, = grad([first, second], [x], [Tensor(numpy.ones(2)), Tensor(numpy.full(2, 10.0))])
    _close(gx, [31.0, 31.0], "grad([y1, y2], x, [1, 10]) with y1 = x and y2 = 3 y1: the root y1's "
           "own gradient and the one from y2 add up", "roots")


def _pass_leaf_root(backward_pass):
    from ..tensor import Tensor
    x = _leaf([1.0, 2.0])
    x.backward(Tensor(numpy.array([3.0, 4.0])))
    _close(x.grad, [3.0, 4.0], "x.grad after x.backward([3, 4]) (a root that is a leaf)", "leaf root")


BACKWARD_PASS = [
    Case("a root's own gradient", _pass_root_gradient, through_engine=True),
    Case("a chain", _pass_chain, through_engine=True),
    Case("a diamond graph", _pass_diamond, through_engine=True),
    Case("a tensor used twice by one Function", _pass_twice_by_one, through_engine=True),
    Case("a Function with several outputs", _pass_outputs, through_engine=True),
    Case("several roots", _pass_roots, through_engine=True),
    Case("a root that is a leaf", _pass_leaf_root, through_engine=True),
]


# ----------------------------------------------------------------------------
# finite_differences
# ----------------------------------------------------------------------------
A = numpy.array([[1.0, 2.0], [-3.0, 0.5], [4.0, -1.0]])


def _vjp(numeric_vjp, f, x, v, eps, what):
    given = x.copy()
    result = numpy.asarray(numeric_vjp(f, x, v, eps), dtype=numpy.float64)
    if not numpy.array_equal(x, given):
        raise CaseFailed(f"{what}: numeric_vjp changed x (evaluate f at copies).", "changed x")
    if result.shape != (v.shape[0], x.size):
        raise CaseFailed(f"{what}: the result has shape {result.shape}; expected "
                         f"{(v.shape[0], x.size)}, one row per row of v (v has shape {v.shape}).",
                         "shape")
    return result


def _compare(result, expected, what, tolerance):
    if numpy.allclose(result, expected, rtol=tolerance, atol=tolerance):
        return
    usable = numpy.abs(expected) > 1e-3
    ratios = result[usable] / expected[usable]
    if ratios.size and numpy.ptp(ratios) < 1e-3 * (1 + numpy.abs(ratios).max()):
        factor = float(ratios.mean())
        raise CaseFailed(f"{what}: every entry is {factor:.4g} x the true one: the divisor (the "
                         "distance between the two points) is wrong.", "factor")
    raise CaseFailed(f"{what}: got {numpy.round(result, 5).tolist()}; expected "
                     f"{numpy.round(expected, 5).tolist()}.", "values")


def _fd_linear(numeric_vjp):
    x = numpy.array([0.5, -1.0])
    result = _vjp(numeric_vjp, lambda z: A @ z, x, numpy.eye(3), 1e-6, "f(x) = A x, v = I")
    _compare(result, A, "f(x) = A x, v = I (the result should be A itself)", 1e-6)


def _cubic(z):
    return numpy.array([z[0] ** 3 + z[1], z[0] * z[1] ** 2, numpy.sin(z[1])])


def _cubic_jacobian(z):
    return numpy.array([[3 * z[0] ** 2, 1.0], [z[1] ** 2, 2 * z[0] * z[1]], [0.0, numpy.cos(z[1])]])


def _fd_rows(numeric_vjp):
    x = numpy.array([0.7, -1.2])
    v = numpy.array([[2.0, -1.0, 0.5], [-3.0, 1.5, 2.5]])
    expected = v @ _cubic_jacobian(x)
    result = _vjp(numeric_vjp, _cubic, x, v, 1e-6, "two rows of v on a 3 -> 2 function")
    if numpy.allclose(result, numpy.ones((2, 3)) @ _cubic_jacobian(x), rtol=1e-4, atol=1e-4) \
            or numpy.allclose(result, numpy.tile(_cubic_jacobian(x).sum(0), (2, 1)), rtol=1e-4, atol=1e-4):
        raise CaseFailed("with two different rows of v, each row of the result is the plain sum "
                         "of J's rows: v is ignored; row r must be v[r] J.", "ignores v")
    _compare(result, expected, "row r = v[r] J for two different rows of v", 1e-4)


def _fd_central(numeric_vjp):
    x = numpy.array([1.0, 0.5])
    v = numpy.eye(3)
    exact = _cubic_jacobian(x)
    errors = []
    for eps in (1e-2, 1e-3):
        result = _vjp(numeric_vjp, _cubic, x, v, eps, f"a cubic, eps = {eps}")
        errors.append(numpy.abs(result - exact).max())
    if errors[1] > 1e-5:
        shrink = errors[0] / max(errors[1], 1e-300)
        if 5 < shrink < 20:
            raise CaseFailed(f"on a cubic the error is {errors[0]:.2g} at eps = 1e-2 and "
                             f"{errors[1]:.2g} at eps = 1e-3: it shrinks as eps, not eps^2, so "
                             "the difference is one-sided.", "one-sided")
        _compare(result, exact, "on a cubic at eps = 1e-3", 1e-5)


FINITE_DIFFERENCES = [
    Case("a linear map", _fd_linear),
    Case("rows of v", _fd_rows),
    Case("central, not one-sided (a cubic)", _fd_central),
]


# ----------------------------------------------------------------------------
# The list
# ----------------------------------------------------------------------------
CASES = {"sum_to": SUM_TO, "no_grad": NO_GRAD, "record_graph": RECORD_GRAPH,
         "finite_differences": FINITE_DIFFERENCES, "topological_order": TOPOLOGICAL_ORDER,
         "backward_pass": BACKWARD_PASS}

TESTS = {
    "sum_to": EngineTests(("tests/test_op_gradients.py", "tests/test_engine.py"),
                          "binary_gradient or broadcast_to or expand or float32 or scalars"),
    "no_grad": EngineTests(("tests/test_engine.py", "tests/test_inplace.py", "tests/test_optim.py")),
    "record_graph": EngineTests(("tests/test_engine.py", "tests/test_inplace.py",
                                 "tests/test_tensor_api.py")),
    "finite_differences": EngineTests(("tests/test_gradcheck.py", "tests/test_op_gradients.py"),
                                      "gradcheck or gradgradcheck or elementwise_gradient or "
                                      "matmul_gradient"),
    "topological_order": EngineTests(("tests/test_engine.py", "tests/test_inplace.py")),
    "backward_pass": EngineTests(("tests/test_engine.py", "tests/test_inplace.py")),
}


def _exercise(name, topic, difficulty, advice, steps):
    return Exercise(name, topic, difficulty, (piece_name(name),), configs=None, build=None,
                    advice=tuple(advice), steps=steps, examples=len(CASES[name]) + 1,
                    track="engine", grade=grade)


ENGINE_EXERCISES = [
    _exercise(
        "sum_to", "undo broadcasting: sum a gradient back to the shape that was broadcast", 2, [
            Hint("broadcasting lines shapes up on the right and adds dims in front: the dims "
                 "of the array beyond len(shape), counted from the left, are all extra.",
                 lambda e: case_is("leading dims", "leading and size-1 dims at once",
                                   "to a 0-d array")(e) and not e.tag.endswith(" values")),
            Hint("a dim where shape has 1 is summed but stays in the result, with size 1: the "
                 "result must have exactly `shape`.", tag_is("size1 shape", "both shape", "scalar shape")),
            Hint("the shape is right, the values are not: each element's gradient is the sum of "
                 "its copies' gradients (all of them added, not averaged, not one of them).",
                 lambda e: e.tag.endswith(" values")),
        ],
        ("every element of the original was copied along the broadcast dims, and each copy "
         "got a gradient: the original's gradient is the sum of its copies'.",
         "sum over the leading array.ndim - len(shape) dims, and over each dim i where "
         "shape[i] == 1 (counted from the right), keeping it; then reshape to shape.",
         "lead = array.ndim - len(shape); axes = range(lead) + (lead + i for i where "
         "shape[i] == 1); return array.sum(axis=axes, keepdims=True).reshape(shape).")),
    _exercise(
        "no_grad", "the switch that turns recording off, as a block and as a decorator", 2, [
            Hint("__exit__ runs when the block ends, by an exception too: it must set the mode "
                 "saved by __enter__ back.", tag_is("not restored")),
            Hint("leaving must put back the mode found on entry, which is not always True: "
                 "save it in __enter__.", tag_is("restores True", "restores False")),
            Hint("a decorator's wrapper must restore the mode however the function ends: "
                 "`with` (or try/finally) does, a line after the call does not.",
                 tag_is("exception")),
            Hint("__exit__ returning a true value swallows the exception: return False (or None).",
                 tag_is("swallows")),
            Hint("one saved mode per call: a decorator that reuses one object for every call "
                 "lets a recursive call overwrite what the outer call saved; make a new switch "
                 "each call.", tag_is("recursion")),
            Hint("the decorator must return a function that runs fn with its arguments under "
                 "no_grad and returns what fn returns (functools.wraps keeps its name).",
                 tag_is("decorator", "wraps")),
        ],
        ("remember the mode on the way in, turn it off, put the remembered one back on the way out.",
         "__enter__: save STATE.grad_enabled, set it False; __exit__: set the saved one back, "
         "return False; __call__(fn): a wrapper that runs fn inside a new no_grad().",
         "__enter__: self.previous = STATE.grad_enabled; STATE.grad_enabled = False. __exit__: "
         "STATE.grad_enabled = self.previous; return False. __call__: @functools.wraps(fn) def "
         "wrapper(*a, **k): with no_grad(): return fn(*a, **k); return wrapper.")),
    _exercise(
        "record_graph", "what calling a Function records: inputs, edges, weak outputs", 3, [
            Hint("each edge is (input.creator, input.output_index), read when the Function is "
                 "called: an in-place op gives the input a new creator afterwards.",
                 tag_is("lazy", "edges")),
            Hint("Function.outputs must hold weak references (weakref.ref(t)): an output holds "
                 "its creator, so a strong reference back makes a cycle.", tag_is("strong")),
            Hint("output k gets output_index = k (its position among the outputs), and "
                 "creator = the Function.", tag_is("output_index", "creator")),
            Hint("inputs are the input Tensors themselves, needs_input_grad one bool per input "
                 "(t.requires_grad).", tag_is("inputs", "needs")),
            Hint("f.outputs[k]() must give back output k: store weakref.ref(output), one per "
                 "output, in order.", tag_is("outputs")),
        ],
        ("the graph is three links: each output knows its creator (and its position), the "
         "Function knows its inputs and the creators of its inputs as they are now, and it "
         "can reach its outputs without keeping them alive.",
         "inputs = tuple(inputs); edges = tuple((t.creator, t.output_index) for each input); "
         "needs_input_grad = tuple(t.requires_grad ...); outputs = [weak reference to each "
         "output]; on output k: creator, output_index = function, k.",
         "function.inputs = tuple(inputs); function.edges = tuple((t.creator, t.output_index) "
         "for t in inputs); function.needs_input_grad = tuple(t.requires_grad for t in inputs); "
         "function.outputs = [weakref.ref(t) for t in outputs]; for k, t in enumerate(outputs): "
         "t.creator = function; t.output_index = k.")),
    _exercise(
        "finite_differences", "central differences: the numeric side of gradcheck", 3, [
            Hint("step both ways, to x + eps e_k and x - eps e_k: the eps^2 terms of the two "
                 "Taylor expansions cancel, so the error is O(eps^2); one side leaves O(eps).",
                 tag_is("one-sided")),
            Hint("the two points are 2 eps apart: divide by that distance.", tag_is("factor")),
            Hint("each row of v is one upstream gradient: row r of the result is v[r] times "
                 "the numeric Jacobian.", tag_is("ignores v", "shape")),
            Hint("change copies of x, never x: f may read it, and the caller reuses it.",
                 tag_is("changed x")),
        ],
        ("the derivative along x_k is a slope between two values of f near x; the "
         "symmetric slope cancels the curvature term.",
         "for each k: (f(x + eps e_k) - f(x - eps e_k)) / (2 eps) is column k of J; the "
         "result is v @ J.",
         "for k in range(x.size): up, down = x.copy(), x.copy(); up[k] += eps; down[k] -= eps; "
         "column k = (f(up) - f(down)) / (2 * eps); return v @ numpy.stack(columns, axis=1).")),
    _exercise(
        "topological_order", "the order backward visits the graph, without recursion", 3, [
            Hint("a Function may be listed only once every Function that used its outputs is "
                 "listed: count each Function's consumers first, then list those with none "
                 "left (or list a depth-first post-order, reversed).",
                 tag_is("before consumer")),
            Hint("a Function reached by two paths must be listed once: remember which you have "
                 "seen.", tag_is("twice")),
            Hint("no recursion: keep the Functions still to visit in a list (a stack) of your "
                 "own; the graph can be deeper than Python's recursion limit.",
                 tag_is("recursion", "too slow")),
            Hint("a Function never listed is one whose count of consumers never came down to "
                 "0: count each edge once, visiting each Function once, even when several "
                 "roots share one creator.", tag_is("missing")),
        ],
        ("backward may reach a Function only when all its consumers are done: that is a "
         "topological order of the reversed graph.",
         "count, for each reachable Function, the edges into it from other reachable ones; "
         "list those at 0, and each time one is listed, lower its inputs' creators' counts.",
         "walk with a stack from the roots' creators, counting consumers[c] += 1 per edge "
         "(visit c the first time); ready = [f with 0]; while ready: f = ready.pop(); order.append(f); "
         "for c, _ in f.edges: consumers[c] -= 1, ready.append(c) when 0.")),
    _exercise(
        "backward_pass", "send gradients back: summed per output, each backward once", 4, [
            Hint("start by sending each root's gradient (root_grads) to where that root came "
                 "from, exactly as a gradient returned by a backward is sent.",
                 tag_is("root grad", "roots")),
            Hint("a root with no creator is a leaf: its gradient goes to add_to_leaf.",
                 tag_is("leaf root")),
            Hint("a tensor used twice gets two gradients, and its gradient is their sum: add "
                 "what arrives, never replace it.", tag_is("overwrite")),
            Hint("run a Function's backward once, at its turn in `order`, not as soon as a "
                 "gradient reaches it: by then all its consumers have sent theirs.",
                 lambda e: e.tag in ("ran twice", "never ran") or "second time" in e.error),
            Hint("several roots may be outputs of one Function (both halves of a chunk): each "
                 "root's gradient is one more arrival at (creator, output_index), added to what "
                 "is there, never a fresh list for that Function.",
                 lambda e: e.case == ENGINE_TESTS and "roots" in e.test),
            Hint("call_backward takes one gradient per output of f (len(f.outputs) of them), "
                 "None where none arrived, in the outputs' order.", tag_is("outputs")),
        ],
        ("gradients wait in a table until their Function's turn; what arrives for the same "
         "output is added.",
         "table[(creator, output_index)] += grad for every arrival (the roots' first); for f "
         "in order: grads = [table.pop((f, k), None) for k in range(len(f.outputs))], skip f "
         "if all None, else send on what call_backward(f, grads) returns; creator None: "
         "add_to_leaf.",
         "def send(c, k, t, g): add_to_leaf(t, g) if c is None, else table[c, k] = g, or "
         "table[c, k] + g if one is there; send each root; for f in order: grads = "
         "[table.pop((f, k), None) for k in range(len(f.outputs))]; if any is not None: for "
         "c, k, t, g in call_backward(f, grads): send(c, k, t, g).")),
]

assert [e.name for e in ENGINE_EXERCISES] == list(CASES) and all(e.level in LEVELS.values()
                                                                  for e in ENGINE_EXERCISES)
