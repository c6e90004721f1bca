"""Plug a student's piece of the engine into the engine, and take it out again.

Each exercise of the engine track replaces one name that the engine looks up at
call time (the plug points below).  ``plugged(exercise_name, module)`` is a context
manager: inside it the engine runs the student's function; on leaving, by an
exception too, the engine's own is back.

This module is also a pytest plugin: ``python -m pytest -p
autograd.exercises.engine_pieces`` with ``ENGINE_EXERCISE=NAME`` and
``ENGINE_EXERCISE_FILE=PATH`` in the environment runs the whole test session with
the student's file plugged in (it is plugged before the test modules are
imported, so a test that imports ``no_grad`` by name gets the student's), and
with ``ENGINE_EXERCISE_REPORT=PATH`` writes the first failing test's name, its
error and the line of the test it failed at to PATH, as JSON.
"""
import contextlib
import importlib
import importlib.util
import json
import os
import sys

# exercise -> (the name the student's file defines, the modules whose name it replaces).
# no_grad is imported by name all over autograd: every module that holds the
# engine's class under that name gets the student's (see _holders).
PLUG_POINTS = {
    "sum_to": ("sum_to_shape", ("autograd.ops.shape",)),
    "record_graph": ("record_graph", ("autograd.function",)),
    "topological_order": ("topological_order", ("autograd.engine",)),
    "backward_pass": ("backward_pass", ("autograd.engine",)),
    "no_grad": ("no_grad", None),
    "finite_differences": ("numeric_vjp", ("autograd.gradcheck",)),
}


def piece_name(exercise_name):
    """The name of the function (or class) the student writes for this exercise."""
    return PLUG_POINTS[exercise_name][0]


def engine_piece(exercise_name):
    """The engine's own version of the piece (whatever is plugged in now)."""
    name, modules = PLUG_POINTS[exercise_name]
    return getattr(importlib.import_module(modules[0] if modules else "autograd.grad_mode"), name)


def _holders(name, value):
    """Every loaded module that holds ``value`` under ``name`` (identity, not equality)."""
    return [m for m in list(sys.modules.values())
            if m is not None and getattr(m, "__dict__", {}).get(name, None) is value]


@contextlib.contextmanager
def plugged(exercise_name, module):
    """Inside: the engine uses ``module``'s piece for ``exercise_name``.  On leaving,
    even by an exception, every name replaced is put back as it was."""
    name, module_names = PLUG_POINTS[exercise_name]
    replacement = getattr(module, name)
    if module_names is None:
        import autograd.grad_mode
        original = autograd.grad_mode.no_grad
        targets = _holders(name, original)
    else:
        targets = [importlib.import_module(m) for m in module_names]
        original = getattr(targets[0], name)
    saved = [(m, m.__dict__[name]) for m in targets]
    try:
        for m in targets:
            setattr(m, name, replacement)
        yield replacement
    finally:
        for m, value in saved:
            setattr(m, name, value)
        if replacement is not original:
            # modules imported while it was plugged in took the student's by name
            for m in _holders(name, replacement):
                setattr(m, name, original)


def load_file(path, module_name="student_engine_piece"):
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------
# The pytest plugin
# ----------------------------------------------------------------------------
_session = {"plug": None, "passed": 0, "first_failure": None}


def pytest_configure(config):
    name, path = os.environ.get("ENGINE_EXERCISE"), os.environ.get("ENGINE_EXERCISE_FILE")
    if not name or not path:
        return
    plug = plugged(name, load_file(path))
    plug.__enter__()
    _session["plug"] = plug


def pytest_unconfigure(config):
    plug, _session["plug"] = _session["plug"], None
    if plug is not None:
        plug.__exit__(None, None, None)


def pytest_runtest_logreport(report):
    """Count the tests that pass; note the first failure (its test, the error, the
    line of the test it failed at)."""
    if report.passed and report.when == "call":
        _session["passed"] += 1
    if report.failed and _session["first_failure"] is None:
        _session["first_failure"] = _failure(report)


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("ENGINE_EXERCISE_REPORT")
    if target:
        with open(target, "w") as stream:
            json.dump({"passed": _session["passed"], "first_failure": _session["first_failure"]},
                      stream)


def _failure(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    line, lineno, path = "", None, None
    test_file = os.path.basename(report.location[0])
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", [])
    for entry in entries:   # the last frame in the test's own file: the line that failed
        where = getattr(entry, "reprfileloc", None)
        if where is not None and os.path.basename(where.path) == test_file:
            lineno, path = where.lineno, where.path
    if lineno is not None:
        import linecache
        line = linecache.getline(path, lineno).strip()
    message = crash.message if crash is not None else str(report.longrepr).strip().splitlines()[-1]
    kept = [m for m in message.splitlines() if m.strip() and "Use -v" not in m]
    message = "\n".join(kept[:3])   # pytest's diff can run long: its first lines say it
    return {"test": report.nodeid, "when": report.when, "error": message, "line": line,
            "lineno": lineno}
