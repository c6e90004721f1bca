"""The engine track: each reference piece passes its check (targeted cases, then the
engine's own tests with it plugged in); typical wrong pieces fail it, blamed on the
right case with true advice; the engine is its own again after every check.

The wrong pieces are written as students write them, as source files.  Those caught
by a targeted case never reach the engine's tests, so this file stays quick; a
reference check runs a few seconds of the engine's tests in a subprocess.
"""
import dataclasses
import textwrap

import numpy
import pytest

import importlib

import autograd
from autograd.exercises import __main__ as cli
from autograd.exercises import get, skeleton_path, solution, solution_path
from autograd.exercises.checker import check, load_student_file
from autograd.exercises.engine_pieces import engine_piece, plugged
from autograd.exercises.engine_track import (CASES, ENGINE_EXERCISES, ENGINE_TESTS, EngineTests,
                                             _run_engine_tests)
from autograd.ops import shape

# the modules themselves (autograd.gradcheck, the name, is the function)
engine, function, gradcheck, grad_mode = (importlib.import_module(f"autograd.{m}") for m in
                                          ("engine", "function", "gradcheck", "grad_mode"))
NAMES = [e.name for e in ENGINE_EXERCISES]
ORIGINALS = {"sum_to": shape.sum_to_shape, "record_graph": function.record_graph,
             "topological_order": engine.topological_order, "backward_pass": engine.backward_pass,
             "no_grad": grad_mode.no_grad, "finite_differences": gradcheck.numeric_vjp}


def student_file(tmp_path, name, source):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return load_student_file(get(name), path)


def assert_engine_is_its_own():
    for name, original in ORIGINALS.items():
        assert engine_piece(name) is original, name
    for module in (autograd, engine, autograd.nn.module, autograd.inplace):
        assert module.no_grad is grad_mode.no_grad


# ----------------------------------------------------------------------------
# The list, the references, the skeletons
# ----------------------------------------------------------------------------
def test_the_engine_track_comes_first_with_the_six_pieces():
    from autograd.exercises import exercises
    assert [e.name for e in exercises()][:6] == NAMES
    assert set(NAMES) == {"sum_to", "record_graph", "topological_order", "backward_pass",
                          "no_grad", "finite_differences"}
    for e in ENGINE_EXERCISES:
        assert e.track == "engine" and e.grade is not None and len(e.steps) == 3
        assert e.examples == len(CASES[e.name]) + 1   # the targeted cases, then the engine's tests


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes_cases_and_engine_tests(name):
    outcome = check(get(name), solution(name))
    assert outcome.passed and not outcome.partial, outcome.report()
    assert outcome.tests_run > 5, outcome.report()
    assert "PASS" in outcome.report() and "engine's own tests" in outcome.report()
    assert_engine_is_its_own()


@pytest.mark.parametrize("name", NAMES)
def test_untouched_skeleton_fails_saying_it_is_not_written(name):
    module = load_student_file(get(name), skeleton_path(name))
    outcome = check(get(name), module)
    assert not outcome.passed and outcome.tried == 1, outcome.report()
    assert "NotImplementedError" in outcome.error and "not written yet" in outcome.hint
    assert_engine_is_its_own()


@pytest.mark.parametrize("name", NAMES)
def test_skeleton_asks_and_solution_differs_from_the_engines_code(name):
    skeleton = skeleton_path(name).read_text()
    assert "The question" in skeleton and "NotImplementedError" in skeleton
    reference = solution_path(name).read_text()
    import inspect
    engine_source = inspect.getsource(ORIGINALS[name])
    body = [line.strip() for line in engine_source.splitlines()[1:] if line.strip()
            and not line.strip().startswith(('"', "#"))]
    shared = [line for line in body if len(line) > 30 and line in reference]
    assert len(shared) <= 1, shared   # a second implementation, not a copy


def test_skeleton_docstrings_do_not_give_the_answer():
    answers = {"sum_to": ["keepdims=True", "range(lead)"], "no_grad": ["self._previous =", "wraps(fn)\n"],
               "record_graph": ["weakref.ref(t", "tuple(("], "topological_order": ["ready.append"],
               "backward_pass": ["pending[", "+ grad"], "finite_differences": ["/ (2 * eps)", "v @"]}
    for name, fragments in answers.items():
        text = skeleton_path(name).read_text()
        for fragment in fragments:
            assert fragment not in text, (name, fragment)


# ----------------------------------------------------------------------------
# Typical mistakes: each fails on the case named, with the advice named
# ----------------------------------------------------------------------------
@dataclasses.dataclass
class Mistake:
    exercise: str
    label: str
    source: str
    case: str          # the check the report must blame
    says: tuple        # fragments the report's text (the failure, then the hint) must hold

    def __repr__(self):
        return f"{self.exercise}: {self.label}"


MISTAKES = [
    # -- sum_to --------------------------------------------------------------
    Mistake("sum_to", "forgets the leading dims", """
        def sum_to_shape(array, shape):
            axes = tuple(i for i, s in enumerate(shape) if s == 1 and array.shape[i] != 1)
            return array.sum(axis=axes, keepdims=True) if axes else array
        """, "leading dims", ("returned shape (4, 2, 3); expected (2, 3)", "lines shapes up on the right")),
    Mistake("sum_to", "drops the size-1 dims (no keepdims)", """
        def sum_to_shape(array, shape):
            lead = array.ndim - len(shape)
            axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                              if s == 1 and array.shape[lead + i] != 1)
            return array.sum(axis=axes)
        """, "size-1 dims", ("returned shape (2,); expected (2, 1)", "stays in the result, with size 1")),
    Mistake("sum_to", "lines the shapes up on the left", """
        def sum_to_shape(array, shape):
            extra = tuple(range(len(shape), array.ndim))
            ones = tuple(i for i, s in enumerate(shape) if s == 1 and array.shape[i] != 1)
            return array.sum(axis=extra + ones, keepdims=True).reshape(shape)
        """, "leading dims", ("ValueError", "raised at line 5 of your file", "lines shapes up on the right")),
    Mistake("sum_to", "averages the copies", """
        def sum_to_shape(array, shape):
            lead = array.ndim - len(shape)
            axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1)
            return array.mean(axis=axes, keepdims=True).reshape(shape)
        """, "leading dims", ("returned [[10.0, 11.0, 12.0]", "not averaged")),
    # -- no_grad ---------------------------------------------------------------
    Mistake("no_grad", "never turns it back on", """
        from autograd.grad_mode import STATE

        class no_grad:
            def __enter__(self):
                STATE.grad_enabled = False
            def __exit__(self, *exc):
                return False
            def __call__(self, fn):
                def wrapper(*args, **kwargs):
                    with no_grad():
                        return fn(*args, **kwargs)
                return wrapper
        """, "a with block", ("grad mode is still off", "set the mode saved by __enter__ back")),
    Mistake("no_grad", "restores True instead of the mode it found", """
        import functools
        from autograd.grad_mode import STATE

        class no_grad:
            def __enter__(self):
                STATE.grad_enabled = False
            def __exit__(self, *exc):
                STATE.grad_enabled = True
            def __call__(self, fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    with no_grad():
                        return fn(*args, **kwargs)
                return wrapper
        """, "nested blocks", ("not True", "not always True: save it in __enter__")),
    Mistake("no_grad", "a decorator that an exception leaves off", """
        import functools
        from autograd.grad_mode import STATE

        class no_grad:
            def __enter__(self):
                self.previous = STATE.grad_enabled
                STATE.grad_enabled = False
            def __exit__(self, *exc):
                STATE.grad_enabled = self.previous
            def __call__(self, fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    previous = STATE.grad_enabled
                    STATE.grad_enabled = False
                    result = fn(*args, **kwargs)
                    STATE.grad_enabled = previous
                    return result
                return wrapper
        """, "an exception inside", ("decorated with @no_grad(), grad mode is still off",
                                     "however the function ends")),
    Mistake("no_grad", "swallows the exception", """
        import functools
        from autograd.grad_mode import STATE

        class no_grad:
            def __enter__(self):
                self.previous = STATE.grad_enabled
                STATE.grad_enabled = False
            def __exit__(self, *exc):
                STATE.grad_enabled = self.previous
                return True
            def __call__(self, fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    with no_grad():
                        return fn(*args, **kwargs)
                return wrapper
        """, "an exception inside", ("did not come out of the block", "swallows the exception")),
    Mistake("no_grad", "one saved mode for every call of the decorated function", """
        import functools
        from autograd.grad_mode import STATE

        class no_grad:
            def __enter__(self):
                self.previous = STATE.grad_enabled
                STATE.grad_enabled = False
            def __exit__(self, *exc):
                STATE.grad_enabled = self.previous
            def __call__(self, fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    with self:
                        return fn(*args, **kwargs)
                return wrapper
        """, "a recursive decorated function", ("inner calls overwrote", "make a new switch")),
    Mistake("no_grad", "a decorator that loses the function's name", """
        from autograd.grad_mode import STATE

        class no_grad:
            def __enter__(self):
                self.previous = STATE.grad_enabled
                STATE.grad_enabled = False
            def __exit__(self, *exc):
                STATE.grad_enabled = self.previous
            def __call__(self, fn):
                def wrapper(*args, **kwargs):
                    with no_grad():
                        return fn(*args, **kwargs)
                return wrapper
        """, "as a decorator", ("lost its name", "functools.wraps")),
    # -- record_graph ----------------------------------------------------------
    Mistake("record_graph", "reads the edges at backward time", """
        import weakref

        class Edges:
            def __init__(self, inputs):
                self.inputs = inputs
            def __getitem__(self, i):
                return (self.inputs[i].creator, self.inputs[i].output_index)
            def __len__(self):
                return len(self.inputs)
            def __iter__(self):
                return iter([self[i] for i in range(len(self))])

        def record_graph(function, inputs, outputs):
            function.inputs = tuple(inputs)
            function.edges = Edges(function.inputs)
            function.needs_input_grad = tuple(t.requires_grad for t in inputs)
            function.outputs = [weakref.ref(t) for t in outputs]
            for k, t in enumerate(outputs):
                t.creator, t.output_index = function, k
        """, "an input changed in place after the call", ("leads to the in-place op",
                                                          "read when the Function is called")),
    Mistake("record_graph", "holds its outputs strongly", """
        def record_graph(function, inputs, outputs):
            function.inputs = tuple(inputs)
            function.edges = tuple((t.creator, t.output_index) for t in inputs)
            function.needs_input_grad = tuple(t.requires_grad for t in inputs)
            function.outputs = [(lambda t=t: t) for t in outputs]
            for k, t in enumerate(outputs):
                t.creator, t.output_index = function, k
        """, "outputs held weakly", ("not weak references", "makes a cycle")),
    Mistake("record_graph", "gives every output index 0", """
        import weakref

        def record_graph(function, inputs, outputs):
            function.inputs = tuple(inputs)
            function.edges = tuple((t.creator, t.output_index) for t in inputs)
            function.needs_input_grad = tuple(t.requires_grad for t in inputs)
            function.outputs = [weakref.ref(t) for t in outputs]
            for t in outputs:
                t.creator, t.output_index = function, 0
        """, "an op with three outputs (split)", ("output 1 has output_index 0",
                                                  "its position among the outputs")),
    Mistake("record_graph", "says every input needs a gradient", """
        import weakref

        def record_graph(function, inputs, outputs):
            function.inputs = tuple(inputs)
            function.edges = tuple((t.creator, t.output_index) for t in inputs)
            function.needs_input_grad = tuple(True for t in inputs)
            function.outputs = [weakref.ref(t) for t in outputs]
            for k, t in enumerate(outputs):
                t.creator, t.output_index = function, k
        """, "one op", ("expected (True, False)", "one bool per input")),
    Mistake("record_graph", "keeps the outputs in reverse order", """
        import weakref

        def record_graph(function, inputs, outputs):
            function.inputs = tuple(inputs)
            function.edges = tuple((t.creator, t.output_index) for t in inputs)
            function.needs_input_grad = tuple(t.requires_grad for t in inputs)
            function.outputs = [weakref.ref(t) for t in reversed(outputs)]
            for k, t in enumerate(outputs):
                t.creator, t.output_index = function, k
        """, "an op with three outputs (split)", ("outputs[0]() is not its output 0",
                                                  "one per output, in order")),
    # -- finite_differences ----------------------------------------------------
    Mistake("finite_differences", "one-sided", """
        import numpy

        def numeric_vjp(f, x, v, eps):
            base = f(x)
            columns = []
            for k in range(x.size):
                step = numpy.zeros(x.size)
                step[k] = eps
                columns.append((f(x + step) - base) / eps)
            return v @ numpy.stack(columns, axis=1)
        """, "central, not one-sided (a cubic)", ("shrinks as eps, not eps^2", "O(eps^2)")),
    Mistake("finite_differences", "divides by eps, not 2 eps", """
        import numpy

        def numeric_vjp(f, x, v, eps):
            columns = []
            for k in range(x.size):
                step = numpy.zeros(x.size)
                step[k] = eps
                columns.append((f(x + step) - f(x - step)) / eps)
            return v @ numpy.stack(columns, axis=1)
        """, "a linear map", ("every entry is 2 x the true one", "2 eps apart")),
    Mistake("finite_differences", "ignores v", """
        import numpy

        def numeric_vjp(f, x, v, eps):
            columns = []
            for k in range(x.size):
                step = numpy.zeros(x.size)
                step[k] = eps
                columns.append((f(x + step) - f(x - step)) / (2 * eps))
            return numpy.stack(columns, axis=1)
        """, "rows of v", ("one row per row of v", "row r of the result is v[r]")),
    Mistake("finite_differences", "moves x itself and leaves it moved", """
        import numpy

        def numeric_vjp(f, x, v, eps):
            columns = []
            for k in range(x.size):
                x[k] += eps
                up = f(x)
                x[k] -= 2 * eps
                columns.append((up - f(x)) / (2 * eps))
            return v @ numpy.stack(columns, axis=1)
        """, "a linear map", ("changed x", "copies of x")),
    # -- topological_order ------------------------------------------------------
    Mistake("topological_order", "recursive", """
        def topological_order(roots):
            done, seen = [], set()

            def visit(f):
                if f is None or f in seen:
                    return
                seen.add(f)
                for creator, _ in f.edges:
                    visit(creator)
                done.append(f)

            for root in roots:
                visit(root.creator)
            return done[::-1]
        """, "a chain of 10,000 ops", ("RecursionError", "no recursion")),
    Mistake("topological_order", "depth-first pre-order", """
        def topological_order(roots):
            order, seen = [], set()
            stack = [r.creator for r in roots if r.creator is not None]
            while stack:
                f = stack.pop()
                if f in seen:
                    continue
                seen.add(f)
                order.append(f)
                stack.extend(c for c, _ in f.edges if c is not None)
            return order
        """, "a diamond graph", ("before", "which used its output", "count each Function's consumers")),
    Mistake("topological_order", "lists a Function once per path", """
        def topological_order(roots):
            order, frontier = [], [r.creator for r in roots if r.creator is not None]
            while frontier:
                f = frontier.pop(0)
                order.append(f)
                frontier += [c for c, _ in f.edges if c is not None]
            return order
        """, "a diamond graph", ("Exp is listed twice", "remember which you have seen")),
    Mistake("topological_order", "walks from a shared creator once per root", """
        def topological_order(roots):
            consumers = {}
            stack = [r.creator for r in roots if r.creator is not None]
            for f in stack:
                consumers.setdefault(f, 0)
            while stack:
                f = stack.pop()
                for c, _ in f.edges:
                    if c is None:
                        continue
                    if c not in consumers:
                        consumers[c] = 0
                        stack.append(c)
                    consumers[c] += 1
            ready = [f for f, n in consumers.items() if n == 0]
            order = []
            while ready:
                f = ready.pop()
                order.append(f)
                for c, _ in f.edges:
                    if c is not None:
                        consumers[c] -= 1
                        if consumers[c] == 0:
                            ready.append(c)
            return order
        """, "several roots, and a leaf as a root", ("two roots made by one Function", "is not listed",
                                                     "count each edge once")),
    # -- backward_pass ---------------------------------------------------------
    Mistake("backward_pass", "runs a backward as soon as a gradient reaches it", """
        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            work = [(r.creator, r.output_index, r, g) for r, g in zip(roots, root_grads)]
            while work:
                creator, k, tensor, grad = work.pop()
                if creator is None:
                    add_to_leaf(tensor, grad)
                    continue
                grads = [None] * len(creator.outputs)
                grads[k] = grad
                work.extend(call_backward(creator, grads))
        """, "a diamond graph", ("ran 2 times", "at its turn in `order`")),
    Mistake("backward_pass", "overwrites instead of summing", """
        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            waiting = {}

            def send(creator, k, tensor, grad):
                if creator is None:
                    add_to_leaf(tensor, grad)
                else:
                    waiting.setdefault(creator, [None] * len(creator.outputs))[k] = grad

            for root, grad in zip(roots, root_grads):
                send(root.creator, root.output_index, root, grad)
            for f in order:
                if f in waiting:
                    for delivery in call_backward(f, waiting.pop(f)):
                        send(*delivery)
        """, "a diamond graph", ("the gradient the shared Function's backward got", "never replace it")),
    Mistake("backward_pass", "starts from ones, not the roots' gradients", """
        import numpy
        from autograd import Tensor

        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            waiting = {}

            def send(creator, k, tensor, grad):
                if creator is None:
                    add_to_leaf(tensor, grad)
                elif (creator, k) in waiting:
                    waiting[creator, k] = waiting[creator, k] + grad
                else:
                    waiting[creator, k] = grad

            for root in roots:
                send(root.creator, root.output_index, root, Tensor(numpy.ones(root.shape)))
            for f in order:
                grads = [waiting.pop((f, k), None) for k in range(len(f.outputs))]
                if any(g is not None for g in grads):
                    for delivery in call_backward(f, grads):
                        send(*delivery)
        """, "a root's own gradient", ("expected [2.0, 20.0]", "each root's gradient (root_grads)")),
    Mistake("backward_pass", "forgets a root that is a leaf", """
        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            waiting = {}

            def send(creator, k, tensor, grad):
                if creator is None:
                    add_to_leaf(tensor, grad)
                elif (creator, k) in waiting:
                    waiting[creator, k] = waiting[creator, k] + grad
                else:
                    waiting[creator, k] = grad

            for root, grad in zip(roots, root_grads):
                if root.creator is not None:
                    send(root.creator, root.output_index, root, grad)
            for f in order:
                grads = [waiting.pop((f, k), None) for k in range(len(f.outputs))]
                if any(g is not None for g in grads):
                    for delivery in call_backward(f, grads):
                        send(*delivery)
        """, "a root that is a leaf", ("is None", "goes to add_to_leaf")),
    Mistake("backward_pass", "two roots made by one Function: the second replaces the first", """
        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            table = {}
            for root, grad in zip(roots, root_grads):
                if root.creator is None:
                    add_to_leaf(root, grad)
                else:
                    grads = [None] * len(root.creator.outputs)
                    grads[root.output_index] = grad
                    table[root.creator] = grads

            for f in order:
                grads = table.pop(f, None)
                if grads is None:
                    continue
                for creator, k, tensor, grad in call_backward(f, grads):
                    if creator is None:
                        add_to_leaf(tensor, grad)
                        continue
                    waiting = table.setdefault(creator, [None] * len(creator.outputs))
                    waiting[k] = grad if waiting[k] is None else waiting[k] + grad
        """, ENGINE_TESTS, ("test_two_roots_made_by_one_function", "it failed at (line",
                            "outputs of one Function (both halves of a chunk)")),
    Mistake("backward_pass", "one gradient per Function, whichever output it came for", """
        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            waiting = {}

            def send(creator, k, tensor, grad):
                if creator is None:
                    add_to_leaf(tensor, grad)
                elif creator in waiting:
                    waiting[creator] = waiting[creator] + grad
                else:
                    waiting[creator] = grad

            for root, grad in zip(roots, root_grads):
                send(root.creator, root.output_index, root, grad)
            for f in order:
                if f in waiting:
                    grads = [waiting.pop(f)] + [None] * (len(f.outputs) - 1)
                    for delivery in call_backward(f, grads):
                        send(*delivery)
        """, "a Function with several outputs", ("expected [2.0, 2.0, 0.0, 0.0, 5.0, 5.0]",
                                                 "one gradient per output of f")),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=repr)
def test_a_typical_mistake_fails_on_its_case_with_true_advice(mistake, tmp_path):
    module = student_file(tmp_path, mistake.exercise, mistake.source)
    outcome = check(get(mistake.exercise), module)
    report = outcome.report()
    assert not outcome.passed, report
    assert outcome.case.startswith(mistake.case), report
    assert f"FAIL at check {outcome.tried} of {outcome.asked}, {mistake.case}" in report
    for fragment in mistake.says:
        assert fragment in report, (fragment, report)
    assert "not written yet" not in report
    assert_engine_is_its_own()


def test_there_are_at_least_three_typical_mistakes_per_exercise():
    for name in NAMES:
        assert len([m for m in MISTAKES if m.exercise == name]) >= 3, name


def _reports():
    """Each mistake's report (graded once for the whole module)."""
    if not _REPORTS:
        import tempfile
        import pathlib
        with tempfile.TemporaryDirectory() as folder:
            for k, m in enumerate(MISTAKES):
                place = pathlib.Path(folder) / str(k)
                place.mkdir()
                module = student_file(place, m.exercise, m.source)
                _REPORTS.append((m, check(get(m.exercise), module).hint))
    return _REPORTS


_REPORTS = []


@pytest.mark.parametrize("name", NAMES)
def test_every_piece_of_advice_is_seen_printed_and_seen_withheld(name):
    hints = [(m, hint) for m, hint in _reports() if m.exercise == name]
    for advice in get(name).advice:
        printed = [m for m, hint in hints if advice.text in hint]
        withheld = [m for m, hint in hints if advice.text not in hint]
        assert printed, f"never printed: {advice.text}"
        assert withheld, f"printed for every mistake: {advice.text}"


# ----------------------------------------------------------------------------
# Plugging: the piece goes in, and comes out again whatever happens
# ----------------------------------------------------------------------------
def test_plugging_restores_the_engine_even_when_the_block_raises(tmp_path):
    module = student_file(tmp_path, "no_grad", solution_path("no_grad").read_text())
    with pytest.raises(ValueError):
        with plugged("no_grad", module):
            assert autograd.no_grad is module.no_grad and engine.no_grad is module.no_grad
            import autograd.optim.ema as ema   # already imported: rebound too
            assert ema.no_grad is module.no_grad
            raise ValueError("inside")
    assert_engine_is_its_own()
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()   # the real engine still works
    numpy.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_a_check_that_breaks_the_engine_leaves_it_working(tmp_path):
    broken = student_file(tmp_path, "backward_pass", """
        def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
            raise RuntimeError("broken on purpose")
        """)
    outcome = check(get("backward_pass"), broken)
    assert not outcome.passed and "broken on purpose" in outcome.error
    assert "line 3 of your file" in outcome.error
    assert_engine_is_its_own()
    x = autograd.tensor([1.5], dtype=autograd.float64, requires_grad=True)
    h = x.exp()                 # used twice: the engine's own pass must add both paths
    (h * 3 + h.log()).sum().backward()
    assert x.grad.item() == pytest.approx((3 + numpy.exp(-1.5)) * numpy.exp(1.5), rel=1e-12)


def test_the_engine_tests_run_with_the_students_piece_plugged_in(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text("import autograd.ops.shape as s\n\n"
                     "def test_plugged():\n    assert s.sum_to_shape.__module__ == 'student_engine_piece'\n\n"
                     "def test_fails():\n    assert 1 + 1 == 3\n")
    module = load_student_file(get("sum_to"), solution_path("sum_to"))
    passed, count, text, test = _run_engine_tests("sum_to", module, EngineTests((str(probe),)))
    assert passed is False and count == 1
    assert test.endswith("test_probe.py::test_fails")
    assert "assert 1 + 1 == 3" in text and "(line 7)" in text


# ----------------------------------------------------------------------------
# Fewer checks than asked, the command line
# ----------------------------------------------------------------------------
def test_fewer_checks_than_asked_is_partial_and_says_so():
    outcome = check(get("topological_order"), solution("topological_order"), max_examples=2)
    assert outcome.passed and outcome.partial and outcome.tried == 2
    report = outcome.report()
    assert "ONLY 2 of the 6 checks" in report and "a partial check, not a pass" in report
    assert ENGINE_TESTS in report   # named among those not run


def test_a_piece_not_in_a_file_cannot_run_the_engine_tests_and_is_partial():
    import types
    module = types.SimpleNamespace(sum_to_shape=solution("sum_to").sum_to_shape)
    outcome = check(get("sum_to"), module)
    assert outcome.passed and outcome.partial, outcome.report()
    assert "as your piece is not in a file" in outcome.report()


def test_check_an_engine_exercise_from_the_command_line(tmp_path, capsys):
    assert cli.main(["start", "topological_order", "--dir", str(tmp_path)]) == 0
    student = tmp_path / "topological_order.py"
    assert cli.main(["check", "topological_order", "--dir", str(tmp_path)]) == 1
    assert "not written yet" in capsys.readouterr().out

    student.write_text(textwrap.dedent(MISTAKES[[repr(m) for m in MISTAKES].index(
        "topological_order: recursive")].source))
    assert cli.main(["check", "topological_order", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL at check 5 of 6, a chain of 10,000 ops" in out and "RecursionError" in out
    assert "More help: python -m autograd.exercises hint topological_order" in out

    student.write_text(solution_path("topological_order").read_text())
    assert cli.main(["check", "topological_order", "--dir", str(tmp_path), "--examples", "3"]) == 1
    assert "a partial check, not a pass" in capsys.readouterr().out
    assert cli.main(["check", "topological_order", "--dir", str(tmp_path), "--examples", "3",
                     "--quick"]) == 0
    capsys.readouterr()
    assert cli.main(["check", "topological_order", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "Next: python -m autograd.exercises start backward_pass" in out
    cli.main(["status", "--dir", str(tmp_path)])
    line = next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith("topological_order "))
    assert " PASS " in line and "engine" in line
    assert_engine_is_its_own()


def test_hint_gives_three_levels_then_reveal_prints_the_solution(tmp_path, capsys):
    steps = get("backward_pass").steps
    for level in range(3):
        assert cli.main(["hint", "backward_pass", "--dir", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert steps[level] in out and f"hint {level + 1} of 3" in out
    assert "reveal backward_pass" in out
    assert cli.main(["reveal", "backward_pass", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):" in out
    assert "NotImplementedError" not in out
