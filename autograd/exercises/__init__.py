"""Gradient exercises: write a backward pass, and be told precisely where it is wrong.

    python -m autograd.exercises list
    python -m autograd.exercises start softmax --dir my_exercises
    python -m autograd.exercises check softmax --dir my_exercises
    python -m autograd.exercises hint softmax --dir my_exercises     (again for more)
    python -m autograd.exercises reveal softmax
    python -m autograd.exercises status --dir my_exercises

Three tracks: the engine (sum_to, recording the graph, the topological order, the
backward pass, no_grad, finite differences: graded by running the engine's own
tests with the student's piece plugged in), the ops' backward passes, and the
generative models' mathematics.  ``start`` copies ``skeletons/NAME.py`` to the
student's folder: the mathematics and the question in its docstring, the code to
write raising NotImplementedError.  ``check`` runs ``autograd.gradcheck`` (and
``gradgradcheck`` where the exercise says so) on configurations drawn by
hypothesis, with random incoming gradients, and prints PASS, or FAIL with the
worst Jacobian entries, the advice that this failure supports and a figure of
the two Jacobians.

Where things are: exercise.py (what an exercise is), catalog.py (the list),
checker.py (the grading), im2col.py (helpers for the convolution exercises),
skeletons/ (the starting files), solutions/ (reference backward passes).
"""
import importlib
import pathlib

from .exercise import LEVELS, Exercise  # noqa: F401

SKELETONS = pathlib.Path(__file__).with_name("skeletons")


def _catalog():
    """The catalog module; it needs hypothesis, which draws the configurations."""
    try:
        from . import catalog
    except ModuleNotFoundError as err:
        if err.name != "hypothesis":
            raise
        raise ModuleNotFoundError("autograd.exercises draws its test configurations with "
                                  "hypothesis: pip install hypothesis (or pip install -e '.[exercises]')",
                                  name="hypothesis") from err
    return catalog


def exercises():
    """All exercises in the order to do them."""
    return _catalog().EXERCISES


def get(name):
    BY_NAME = _catalog().BY_NAME  # noqa: N806
    if name not in BY_NAME:
        raise KeyError(f"no exercise named {name!r}; the exercises are: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def skeleton_path(name):
    return SKELETONS / f"{get(name).name}.py"


def solution_path(name):
    return SKELETONS.with_name("solutions") / f"{get(name).name}.py"


def solution(name):
    """The reference solution's module (its classes pass the check)."""
    return importlib.import_module(f"{__name__}.solutions.{get(name).name}")
