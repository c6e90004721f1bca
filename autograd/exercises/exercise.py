"""What an exercise is: a name, a topic, a difficulty, the Function classes the
student writes, the configurations to check them on, and the hints.

The grading itself is in ``checker.py``; the exercises are listed in
``catalog.py``.  Each exercise also has two files: ``skeletons/NAME.py`` (what
``start`` copies to the student: forward given, backward to write) and
``solutions/NAME.py`` (the reference backward, used by the tests).
"""
import dataclasses
from typing import Callable

import numpy

from ..tensor import Tensor

LEVELS = {1: "first contact", 2: "easy", 3: "medium", 4: "hard", 5: "harder"}


@dataclasses.dataclass
class Exercise:
    name: str                # the file name the student gets: NAME.py
    topic: str               # one line: what is differentiated
    difficulty: int          # 1 (first contact) .. 5, see LEVELS
    classes: tuple           # the Function classes the student's file must define
    configs: Callable        # () -> hypothesis strategy drawing a dict of settings
    build: Callable          # (student module, config) -> Case
    hints: dict              # input name, or "sign" / "factor" / "second", -> advice
    second_order: bool = False   # also run gradgradcheck
    examples: int = 15           # hypothesis examples per check

    @property
    def level(self):
        return LEVELS[self.difficulty]


@dataclasses.dataclass
class Case:
    """One configuration made concrete: the function to check, its inputs (those
    with requires_grad are checked) and the input names used in reports."""
    fn: Callable
    inputs: tuple
    names: tuple
    outputs: tuple = ()            # names of fn's outputs, when it has several
    second_order: Callable = None  # a function whose gradient involves second derivatives
                                   # (checked instead of gradgradcheck(fn)), if any


# ----------------------------------------------------------------------------
# Inputs: float64 (finite differences need it), kept away from kinks
# ----------------------------------------------------------------------------
def normal(rng, shape, scale=1.0):
    """N(0, scale^2) draws that require grad."""
    return Tensor(rng.standard_normal(shape) * scale, requires_grad=True)


def positive(rng, shape, low=0.5, high=2.0):
    """Uniform draws in [low, high]: safe for log and division."""
    return Tensor(rng.uniform(low, high, shape), requires_grad=True)


def distinct(rng, shape, gap=0.1):
    """Values at least ``gap`` apart (a shuffled ladder), so that no max has a tie
    and a finite-difference step of 1e-6 never changes which element is largest."""
    size = int(numpy.prod(shape))
    ladder = (numpy.arange(size) - size / 2) * gap
    return Tensor(rng.permutation(ladder).reshape(shape), requires_grad=True)


def constant(array):
    """An input that is not checked (labels, noise): no requires_grad."""
    return Tensor(numpy.asarray(array))
