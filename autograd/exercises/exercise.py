"""What an exercise is: a name, a topic, a difficulty, the Function classes the
student writes, the configurations to check them on, and the hints.

The grading itself is in ``checker.py``; the exercises are listed in
``catalog.py``.  Each exercise also has two files: ``skeletons/NAME.py`` (what
``start`` copies to the student: forward given, backward to write) and
``solutions/NAME.py`` (the reference backward, used by the tests).
"""
import dataclasses
import zlib
from typing import Callable

import numpy

from ..tensor import Tensor

LEVELS = {1: "first contact", 2: "easy", 3: "medium", 4: "hard", 5: "harder"}


@dataclasses.dataclass
class Hint:
    """One piece of advice, printed by ``check`` only when it is true of the failure:
    ``when(evidence)`` holds (the configuration allows the mistake, the right input is
    wrong...) and the failure's pattern is one of ``patterns``.

    ``patterns=None`` marks structural advice ("the weight is shared by the batch"): it
    is printed when a gradient's error has no simpler pattern ('' or 'zero'), since a
    flipped sign, a constant factor or an ignored incoming gradient is named by the
    checker itself and structural advice beside it would mislead.  Failures of a
    forward value are not filtered so.  Advice names the idea, never the formula
    (``hint NAME`` and ``reveal NAME`` give more)."""
    text: str
    when: Callable = None        # (Evidence) -> bool; None: whenever the patterns allow
    patterns: tuple = None       # e.g. ("sign",); None: structural advice, see above

    def applies(self, evidence):
        if self.patterns is not None:
            allowed = evidence.pattern in self.patterns
        else:
            allowed = bool(evidence.forward) or evidence.pattern in ("", "zero")
        return allowed and (self.when is None or bool(self.when(evidence)))


def wrong(name):
    """Hint condition: the gradient of input ``name`` is wrong."""
    return lambda e: name in e.wrong


def through(output):
    """Hint condition: it is wrong through output ``output``."""
    return lambda e: output in e.outputs


def pattern(kind):
    """Hint condition: the wrong entries share the pattern ``kind`` (see Evidence)."""
    return lambda e: e.pattern == kind


@dataclasses.dataclass
class Evidence:
    """What a failed check showed, for deciding which advice is true of it."""
    config: dict
    wrong: frozenset = frozenset()       # names of the inputs whose gradients are wrong
    outputs: frozenset = frozenset()     # names of the outputs through which they are wrong
    pattern: str = ""                    # 'sign', 'factor', 'zero', 'upstream' or ''
    factor: float = None                 # analytic / numeric, for pattern 'factor'
    factor_scales: bool = False          # that factor was re-checked at another size and follows it
    error: str = ""                      # the exception the student's code raised, if any
    order: int = 1                       # 2: first derivatives agree, second do not
    forward: str = ""                    # the output whose forward value is wrong, if one is
    spurious: bool = False               # the gradient is non-zero where the output does not
                                         # depend on the input (the numeric derivative is 0)


UPSTREAM = Hint("multiply by the gradient that arrives (gy): it is not always 1.",
                patterns=("upstream",))
SIGN = Hint("check the sign of each term.", patterns=("sign",))


@dataclasses.dataclass
class Exercise:
    name: str                # the file name the student gets: NAME.py
    topic: str               # one line: what is differentiated
    difficulty: int          # 1 (first contact) .. 5, see LEVELS
    classes: tuple           # the Function classes the student's file must define
    configs: Callable        # () -> hypothesis strategy drawing a dict of settings
    build: Callable          # (student module, config) -> Case
    advice: tuple            # Hints, printed when their evidence is there
    steps: tuple             # three hints of increasing help, for `hint NAME`: the idea,
                             # the shape of the formula, the formula
    second_order: bool = False   # also run gradgradcheck
    examples: int = 15           # hypothesis examples per check
    rescale: Callable = None     # config -> (another config, size here, size there): to see
                                 # whether a constant factor follows a size (a missing 1/N)
    track: str = "ops"           # "engine", "ops" or "generative"
    grade: Callable = None       # (exercise, module, max_examples, figure) -> Outcome, for
                                 # exercises not graded by gradcheck (the engine track)

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
    expected: Callable = None      # inputs -> the reference forward values (arrays, one per
                                   # output), where the forward is part of the exercise


# ----------------------------------------------------------------------------
# Inputs: float64 (finite differences need it), kept away from kinks
# ----------------------------------------------------------------------------
def seeded_rng(config):
    """A generator seeded by the configuration: the same configuration, the same inputs."""
    return numpy.random.default_rng(zlib.crc32(repr(sorted(config.items())).encode()))


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
