"""Check analytic gradients against finite differences, and say where they disagree.

For a function f of tensors x_1..x_m returning y_1..y_n, every Jacobian block
J[y_o, x_i] is computed twice:

* analytically, one row per output element, by backpropagating a one-hot
  gradient through the graph (``autograd.grad``);
* numerically, one column per input element, by central differences:
  (f(x + eps e_k) - f(x - eps e_k)) / (2 eps)  (``numeric_vjp``).

A one-hot gradient is 1 where it is not 0, so a backward that ignores the gradient
it is handed (returns d(loss)/dx as if the incoming gradient were 1) gets every
row right for a scalar output.  So two more comparisons follow, each with a
random upstream gradient v (no entry near 0 or 1): the vector-Jacobian product
v^T J computed by backward against v^T J from central differences.

An entry passes when |analytic - numeric| <= atol + rtol * |numeric|.  On failure
the report lists the worst entries (which input, which element, both values and
their difference) and flags entries where the left and right one-sided
differences disagree (computed for the disagreeing elements only): the input sits on a kink (relu at 0, abs at 0, a max tie)
where no gradient is right, and the test should move the input away from it.

``gradgradcheck`` checks second derivatives the same way: it treats the
gradient itself (computed with ``create_graph=True``) as the function.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Callable, List, Optional

import numpy

from . import backend
from .autograd import grad
from .tensor import Tensor
from .typing_aliases import Shape, TensorOrTensors

FLOAT64_REASON = (
    "Finite differences need float64: float32 keeps about 7 significant digits, so "
    "f(x + eps) - f(x - eps) with eps = 1e-6 cancels almost all of them and the numeric "
    "gradient is mostly rounding noise. Convert the inputs with .double().")


class GradcheckError(RuntimeError):
    """Raised when gradients disagree; ``.result`` holds the structured comparison."""

    def __init__(self, result: GradcheckResult) -> None:
        super().__init__(result.report())
        self.result = result


@dataclasses.dataclass
class Mismatch:
    """One Jacobian entry where analytic and numeric gradients disagree."""
    input_index: int          # which input (position among fn's arguments)
    output_index: int         # which output of fn
    input_element: Shape      # element of that input that was perturbed
    output_element: Shape     # element of that output that was differentiated
    analytic: float
    numeric: float
    near_kink: bool = False   # left and right differences disagree: not differentiable here
    upstream: int = 0         # 0: a one-hot row of the Jacobian; k > 0: the k-th random v^T J

    @property
    def difference(self) -> float:
        return abs(self.analytic - self.numeric)


@dataclasses.dataclass
class JacobianPair:
    """The analytic and numeric Jacobian of one output with respect to one input,
    each of shape (output elements, input elements)."""
    output_index: int
    input_index: int
    analytic: numpy.ndarray
    numeric: numpy.ndarray


@dataclasses.dataclass
class GradcheckResult:
    passed: bool
    order: int                # 1 for gradcheck, 2 for gradgradcheck
    eps: float
    atol: float
    rtol: float
    jacobians: List[JacobianPair] = dataclasses.field(repr=False)
    mismatches: List[Mismatch] = dataclasses.field(repr=False)  # worst first
    checked: int = 0          # number of Jacobian entries compared
    note: str = ""            # how inputs are numbered (for gradgradcheck)
    figure: str = ""          # where plot= saved the Jacobian heatmaps

    def __bool__(self) -> bool:
        return self.passed

    def report(self, rows: int = 10) -> str:
        """A readable table of the worst entries."""
        what = "gradient" if self.order == 1 else "second derivative"
        head = (f"{what} check {'passed' if self.passed else 'FAILED'}: "
                f"{len(self.mismatches)} of {self.checked} Jacobian entries differ "
                f"(central differences in float64, eps={self.eps:g}, "
                f"|analytic - numeric| <= atol + rtol*|numeric| with atol={self.atol:g}, rtol={self.rtol:g})")
        if not self.mismatches:
            return head
        lines = [head]
        if self.note:
            lines.append(self.note)
        lines.append(f"{'input':>5} {'element':>14} {'output':>6} {'element':>14} "
                     f"{'analytic':>13} {'numeric':>13} {'difference':>11}")
        for m in self.mismatches[:rows]:
            flag = "  near a kink: not differentiable here" if m.near_kink else ""
            output, element = ((m.output_index, str(m.output_element)) if not m.upstream
                               else ("all", f"v{m.upstream}^T J"))
            lines.append(f"{m.input_index:>5} {str(m.input_element):>14} {output:>6} "
                         f"{element:>14} {m.analytic:>13.6g} {m.numeric:>13.6g} "
                         f"{m.difference:>11.3g}{flag}")
        if len(self.mismatches) > rows:
            lines.append(f"... and {len(self.mismatches) - rows} more")
        if self.figure:
            lines.append(f"Analytic and numeric Jacobians drawn in {self.figure}")
        if any(m.upstream for m in self.mismatches):
            lines.append("Rows marked v1^T J, v2^T J use a random upstream gradient v instead of a "
                         "one-hot one: a backward that ignores the gradient it receives (or scales it "
                         "wrongly) fails there even when every one-hot row agrees.")
        if any(m.near_kink for m in self.mismatches):
            lines.append("Entries near a kink have no single right gradient: move the test "
                         "inputs away from it (e.g. keep |x| > 1e-3 for abs or relu).")
        return "\n".join(lines)


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_inputs(inputs, op):
    positions = []
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype != numpy.float64:
                raise TypeError(f"{op}: input {i} has dtype {t.dtype}. {FLOAT64_REASON}")
            positions.append(i)
    if not positions:
        raise ValueError(f"{op}: no input requires grad, so there is nothing to check")
    return positions


def _float_outputs(fn, inputs):
    return [y for y in _as_tuple(fn(*inputs)) if isinstance(y, Tensor) and y.dtype.kind == "f"]


def _analytic_jacobians(fn, inputs, positions):
    """J[o][i] of shape (outputs[o].size, inputs[i].size), one backward per output element."""
    outputs = _float_outputs(fn, inputs)
    if not outputs:
        raise ValueError("gradcheck: fn returned no floating-point Tensor, so there is nothing "
                         "to compare")
    targets = [inputs[i] for i in positions]
    jac = [[numpy.zeros((y.array.size, inputs[i].array.size)) for i in positions] for y in outputs]
    for o, y in enumerate(outputs):
        if not y.requires_grad:
            continue  # this output does not depend on any input: its Jacobian is zero
        xp = backend.get_array_module(y.array)
        for row, element in enumerate(numpy.ndindex(*y.shape)):
            one_hot = xp.zeros(y.shape, dtype=y.dtype)
            one_hot[element] = 1
            # the engine refuses a backward that returns anything but Tensors (or None)
            grads = grad(y, targets, Tensor(one_hot), retain_graph=True, allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    jac[o][k][row] = backend.to_numpy(g.array).reshape(-1)
    return outputs, jac


def _evaluate(fn, inputs):
    # grad mode stays on: fn may itself differentiate (a gradient penalty, gradgradcheck)
    return [backend.to_numpy(y.array).astype(numpy.float64).reshape(-1)
            for y in _float_outputs(fn, inputs)]


def numeric_vjp(f: Callable[[numpy.ndarray], numpy.ndarray], x: numpy.ndarray, v: numpy.ndarray,
                eps: float) -> numpy.ndarray:
    """Central differences: the products v J of upstream vectors v with the
    Jacobian J of f at x.

    f    a function of a 1-D float64 array (x's size) to a 1-D float64 array of n values
    x    the point, a 1-D float64 array
    v    an (m, n) array: m upstream gradients, one per row, each over f's n values
    Returns an (m, x.size) array whose row r is v[r] J, that is entry (r, k) is the
    derivative of the number v[r] . f(x) along x_k, estimated as

        (v[r] . f(x + eps e_k) - v[r] . f(x - eps e_k)) / (2 eps)

    (e_k: 1 at k, 0 elsewhere).  Its error is O(eps^2); a one-sided difference's is
    O(eps).  gradcheck passes the identity (the result is then J itself, whose
    entries it compares one by one) stacked with random rows (backward must get
    v J right, not only J: see the module docstring).  The engine track's exercise
    ``finite_differences`` replaces this function.
    """
    result = numpy.zeros((v.shape[0], x.size))
    for k in range(x.size):
        step = numpy.zeros(x.size)
        step[k] = eps
        result[:, k] = v @ (f(x + step) - f(x - step)) / (2 * eps)
    return result


def _as_function_of(fn, inputs, i):
    """fn as a function of input i's values (flattened) to all its float outputs (flattened,
    one after the other), the other inputs held fixed."""
    x = inputs[i]
    if not getattr(x.array.flags, "writeable", True):  # CuPy arrays are always writeable
        x.array = x.array.copy()
    xp = backend.get_array_module(x.array)
    original = x.array.copy()

    def f(values):
        x.array[...] = xp.asarray(numpy.asarray(values, dtype=numpy.float64).reshape(x.shape))
        try:
            return numpy.concatenate(_evaluate(fn, inputs))
        finally:
            x.array[...] = original   # raw writes: no version is counted
    return f


RANDOM_UPSTREAM_DRAWS = 2


def _draw_upstream(outputs, seed=0):
    """Random upstream gradients, one dict {output: v} per draw, from +-[1.5, 3] so that
    no entry is near 0 or 1 (see the module docstring)."""
    rng = numpy.random.default_rng(seed)
    differentiable = [o for o, y in enumerate(outputs) if y.requires_grad]
    if not differentiable:
        return []
    return [{o: rng.uniform(1.5, 3.0, outputs[o].shape) * rng.choice([-1.0, 1.0], outputs[o].shape)
             for o in differentiable} for _ in range(RANDOM_UPSTREAM_DRAWS)]


def _numeric_jacobians(fn, inputs, positions, outputs, upstream, eps):
    """By central differences (numeric_vjp), for each checked input k: the Jacobian
    blocks jac[o][k] of every output o, and products[d][k] = v_d J for each upstream draw."""
    sizes = [y.array.size for y in outputs]
    ends = numpy.cumsum(sizes)
    rows = [numpy.eye(ends[-1])]
    for vs in upstream:   # one row per draw: its v for each differentiable output, 0 elsewhere
        rows.append(numpy.concatenate([vs[o].reshape(-1) if o in vs else numpy.zeros(size)
                                       for o, size in enumerate(sizes)])[None])
    v = numpy.concatenate(rows)
    jac = [[None] * len(positions) for _ in outputs]
    products = [[None] * len(positions) for _ in upstream]
    for k, i in enumerate(positions):
        x = inputs[i]
        values = backend.to_numpy(x.array).astype(numpy.float64).reshape(-1)
        product = numpy.asarray(numeric_vjp(_as_function_of(fn, inputs, i), values, v, eps))
        for o in range(len(outputs)):
            jac[o][k] = product[ends[o] - sizes[o]:ends[o]]
        for d in range(len(upstream)):
            products[d][k] = product[ends[-1] + d]
    return jac, products


class _KinkFinder:
    """Whether an input element sits on a kink (relu at 0, a max tie): the one-sided
    slopes f(x + eps) - f(x) and f(x) - f(x - eps) disagree there.  Only asked about
    the elements where the gradients disagree, so a passing check pays nothing."""

    def __init__(self, fn, inputs, eps):
        self.fn, self.inputs, self.eps = fn, inputs, eps
        self.found = {}

    def at(self, i, element):
        """For each output, a flat boolean array: a kink in that output element."""
        if (i, element) not in self.found:
            f = _as_function_of(self.fn, self.inputs, i)
            x = backend.to_numpy(self.inputs[i].array).astype(numpy.float64)
            step = numpy.zeros(x.shape)
            step[element] = self.eps
            base, plus, minus = f(x.reshape(-1)), f((x + step).reshape(-1)), f((x - step).reshape(-1))
            right, left = (plus - base) / self.eps, (base - minus) / self.eps
            central = (plus - minus) / (2 * self.eps)
            kink = numpy.abs(right - left) > 1e-2 * (1 + numpy.abs(central))
            sizes = [y.size for y in _evaluate(self.fn, self.inputs)]
            self.found[(i, element)] = numpy.split(kink, numpy.cumsum(sizes)[:-1])
        return self.found[(i, element)]


def _upstream_mismatches(inputs, positions, outputs, upstream, products, kinks, atol, rtol):
    """Compare v J from backward with v J from central differences, for each upstream draw v."""
    targets = [inputs[i] for i in positions]
    mismatches, checked = [], 0
    for draw, vs in enumerate(upstream, start=1):
        differentiable = sorted(vs)
        xp = backend.get_array_module(outputs[differentiable[0]].array)
        grads = grad([outputs[o] for o in differentiable], targets,
                     [Tensor(xp.asarray(vs[o], dtype=outputs[o].dtype)) for o in differentiable],
                     retain_graph=True, allow_unused=True)
        for k, (i, g) in enumerate(zip(positions, grads)):
            analytic = (numpy.zeros(inputs[i].array.size) if g is None
                        else backend.to_numpy(g.array).astype(numpy.float64).reshape(-1))
            expected = products[draw - 1][k]
            checked += analytic.size
            bad = ~(numpy.abs(analytic - expected) <= atol + rtol * numpy.abs(expected))
            for col in numpy.nonzero(bad)[0]:
                element = tuple(int(v) for v in numpy.unravel_index(col, inputs[i].shape))
                near_kink = any(kinks.at(i, element)[o].any() for o in differentiable)
                mismatches.append(Mismatch(
                    input_index=i, output_index=-1, input_element=element, output_element=(),
                    analytic=float(analytic[col]), numeric=float(expected[col]),
                    near_kink=bool(near_kink), upstream=draw))
    return mismatches, checked


def _compare(inputs, positions, outputs, analytic, numeric, upstream, products, kinks, eps, atol,
             rtol, order, note=""):
    mismatches, pairs, checked = [], [], 0
    for o, y in enumerate(outputs):
        for k, i in enumerate(positions):
            a, n = analytic[o][k], numeric[o][k]
            pairs.append(JacobianPair(o, i, a, n))
            checked += a.size
            bad = ~(numpy.abs(a - n) <= atol + rtol * numpy.abs(n))  # NaN counts as a mismatch
            for row, col in zip(*numpy.nonzero(bad)):
                element = tuple(int(v) for v in numpy.unravel_index(col, inputs[i].shape))
                mismatches.append(Mismatch(
                    input_index=i, output_index=o, input_element=element,
                    output_element=tuple(int(v) for v in numpy.unravel_index(row, y.shape)),
                    analytic=float(a[row, col]), numeric=float(n[row, col]),
                    near_kink=bool(kinks.at(i, element)[o][row])))
    found, upstream_checked = _upstream_mismatches(inputs, positions, outputs, upstream, products,
                                                   kinks, atol, rtol)
    # an element whose Jacobian is already wrong is reported once, by its Jacobian rows
    wrong = {(m.input_index, m.input_element) for m in mismatches}
    mismatches += [m for m in found if (m.input_index, m.input_element) not in wrong]
    checked += upstream_checked
    mismatches.sort(key=lambda m: (not numpy.isnan(m.difference), -m.difference))  # NaN first
    return GradcheckResult(not mismatches, order, eps, atol, rtol, pairs, mismatches, checked, note)


def gradcheck(fn: Callable[..., TensorOrTensors], inputs: TensorOrTensors, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True, order: int = 1,
              note: str = "", plot: Optional[str] = None) -> GradcheckResult:
    """Compare fn's analytic gradients with central differences.

    ``inputs`` is a Tensor or a tuple of arguments; the float64 Tensors among
    them with ``requires_grad=True`` are checked.  Returns a ``GradcheckResult``
    (true when every entry agrees); on disagreement raises ``GradcheckError``
    with the report, unless ``raise_exception=False``.  ``plot="file.png"``
    saves the analytic and numeric Jacobians and their difference as heatmaps
    (autograd/viz/jacobians.py), passed or not.
    """
    inputs = _as_tuple(inputs)
    positions = _differentiable_inputs(inputs, "gradcheck" if order == 1 else "gradgradcheck")
    outputs, analytic = _analytic_jacobians(fn, inputs, positions)
    upstream = _draw_upstream(outputs)
    numeric, products = _numeric_jacobians(fn, inputs, positions, outputs, upstream, eps)
    result = _compare(inputs, positions, outputs, analytic, numeric, upstream, products,
                      _KinkFinder(fn, inputs, eps), eps, atol, rtol, order, note)
    if plot:
        from .viz.jacobians import plot_jacobians  # matplotlib is imported only here
        result.figure = str(plot_jacobians(result, plot))
    if not result.passed and raise_exception:
        raise GradcheckError(result)
    return result


def gradgradcheck(fn: Callable[..., TensorOrTensors], inputs: TensorOrTensors,
                  grad_outputs: Optional[TensorOrTensors] = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0, plot: Optional[str] = None) -> GradcheckResult:
    """Check second derivatives: gradcheck of (x, v) -> d<fn(x), v>/dx built with
    ``create_graph=True``.  ``grad_outputs`` (v) default to seeded N(0, 1) draws.
    ``plot`` as in gradcheck.

    The first derivatives are checked first: a backward that ignores its incoming
    gradient builds a gradient that does not depend on v, whose derivative with
    respect to v is 0 both analytically and numerically, so the second-order check
    alone would pass it."""
    inputs = _as_tuple(inputs)
    positions = _differentiable_inputs(inputs, "gradgradcheck")
    first = gradcheck(fn, inputs, eps, atol, rtol, raise_exception=raise_exception)
    if not first:
        return first
    outputs = [y for y in _float_outputs(fn, inputs) if y.requires_grad]
    if grad_outputs is None:
        rng = numpy.random.default_rng(seed)
        xp = backend.get_array_module(outputs[0].array)
        grad_outputs = [Tensor(xp.asarray(rng.standard_normal(y.shape)), requires_grad=True)
                        for y in outputs]
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        ys = [y for y in _float_outputs(fn, xs) if y.requires_grad]
        targets = [xs[i] for i in positions]
        grads = grad(ys, targets, vs, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor(t.array * 0) for g, t in zip(grads, targets))

    note = (f"inputs 0..{n - 1} are fn's arguments; inputs {n}.. are the grad_outputs; "
            f"output k is the gradient with respect to differentiable input {positions}[k]")
    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps, atol, rtol,
                     raise_exception, order=2, note=note, plot=plot)
