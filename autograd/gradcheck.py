"""Check analytic gradients against finite differences, and say where they disagree.

For a function f of tensors x_1..x_m returning y_1..y_n, every Jacobian block
J[y_o, x_i] is computed twice:

* analytically, one row per output element, by backpropagating a one-hot
  gradient through the graph (``autograd.grad``);
* numerically, one column per input element, by central differences:
  (f(x + eps e_k) - f(x - eps e_k)) / (2 eps).

A one-hot gradient is 1 where it is not 0, so a backward that ignores the gradient
it is handed (returns d(loss)/dx as if the incoming gradient were 1) gets every
row right for a scalar output.  So two more comparisons follow, each with a
random upstream gradient v (no entry near 0 or 1): the vector-Jacobian product
v^T J computed by backward against v^T times the numeric Jacobian.

An entry passes when |analytic - numeric| <= atol + rtol * |numeric|.  On failure
the report lists the worst entries (which input, which element, both values and
their difference) and flags entries where the left and right one-sided
differences disagree: the input sits on a kink (relu at 0, abs at 0, a max tie)
where no gradient is right, and the test should move the input away from it.

``gradgradcheck`` checks second derivatives the same way: it treats the
gradient itself (computed with ``create_graph=True``) as the function.
"""
import dataclasses
import itertools

import numpy

from . import backend
from .autograd import grad
from .tensor import Tensor

FLOAT64_REASON = (
    "Finite differences need float64: float32 keeps about 7 significant digits, so "
    "f(x + eps) - f(x - eps) with eps = 1e-6 cancels almost all of them and the numeric "
    "gradient is mostly rounding noise. Convert the inputs with .double().")


class GradcheckError(RuntimeError):
    """Raised when gradients disagree; ``.result`` holds the structured comparison."""

    def __init__(self, result):
        super().__init__(result.report())
        self.result = result


@dataclasses.dataclass
class Mismatch:
    """One Jacobian entry where analytic and numeric gradients disagree."""
    input_index: int          # which input (position among fn's arguments)
    output_index: int         # which output of fn
    input_element: tuple      # element of that input that was perturbed
    output_element: tuple     # element of that output that was differentiated
    analytic: float
    numeric: float
    near_kink: bool = False   # left and right differences disagree: not differentiable here
    upstream: int = 0         # 0: a one-hot row of the Jacobian; k > 0: the k-th random v^T J

    @property
    def difference(self):
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
    jacobians: list = dataclasses.field(repr=False)
    mismatches: list = dataclasses.field(repr=False)  # worst first
    checked: int = 0          # number of Jacobian entries compared
    note: str = ""            # how inputs are numbered (for gradgradcheck)
    figure: str = ""          # where plot= saved the Jacobian heatmaps

    def __bool__(self):
        return self.passed

    def report(self, rows=10):
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


def _numeric_jacobians(fn, inputs, positions, eps):
    """Central differences, one input element at a time; also the one-sided slopes."""
    base = _evaluate(fn, inputs)
    jac = [[None] * len(positions) for _ in base]
    kink = [[None] * len(positions) for _ in base]
    for k, i in enumerate(positions):
        x = inputs[i]
        if not getattr(x.array.flags, "writeable", True):  # CuPy arrays are always writeable
            x.array = x.array.copy()
        columns, kinks = [[] for _ in base], [[] for _ in base]
        for element in numpy.ndindex(*x.shape):
            original = x.array[element].item()
            x.array[element] = original + eps
            plus = _evaluate(fn, inputs)
            x.array[element] = original - eps
            minus = _evaluate(fn, inputs)
            x.array[element] = original
            for o, (p, m, b) in enumerate(zip(plus, minus, base)):
                central = (p - m) / (2 * eps)
                right, left = (p - b) / eps, (b - m) / eps
                columns[o].append(central)
                kinks[o].append(numpy.abs(right - left) > 1e-2 * (1 + numpy.abs(central)))
        for o in range(len(base)):
            size = base[o].size
            jac[o][k] = numpy.stack(columns[o], axis=1) if columns[o] else numpy.zeros((size, 0))
            kink[o][k] = numpy.stack(kinks[o], axis=1) if kinks[o] else numpy.zeros((size, 0), bool)
    return jac, kink


RANDOM_UPSTREAM_DRAWS = 2


def _upstream_mismatches(inputs, positions, outputs, numeric, kinks, atol, rtol, seed=0):
    """Compare v^T J from backward with v^T J_numeric for random upstream gradients v,
    drawn from +-[1.5, 3] so that no entry is near 0 or 1 (see the module docstring)."""
    rng = numpy.random.default_rng(seed)
    differentiable = [o for o, y in enumerate(outputs) if y.requires_grad]
    targets = [inputs[i] for i in positions]
    mismatches, checked = [], 0
    for draw in range(1, RANDOM_UPSTREAM_DRAWS + 1):
        vs = {o: rng.uniform(1.5, 3.0, outputs[o].shape) * rng.choice([-1.0, 1.0], outputs[o].shape)
              for o in differentiable}
        if not vs:
            break
        xp = backend.get_array_module(outputs[differentiable[0]].array)
        grads = grad([outputs[o] for o in differentiable], targets,
                     [Tensor(xp.asarray(vs[o], dtype=outputs[o].dtype)) for o in differentiable],
                     retain_graph=True, allow_unused=True)
        for k, (i, g) in enumerate(zip(positions, grads)):
            analytic = (numpy.zeros(inputs[i].array.size) if g is None
                        else backend.to_numpy(g.array).astype(numpy.float64).reshape(-1))
            expected = sum(vs[o].reshape(-1) @ numeric[o][k] for o in differentiable)
            near_kink = numpy.zeros(analytic.size, bool)   # some output has a kink at that input
            for o in differentiable:
                near_kink |= kinks[o][k].any(axis=0)
            checked += analytic.size
            bad = ~(numpy.abs(analytic - expected) <= atol + rtol * numpy.abs(expected))
            for col in numpy.nonzero(bad)[0]:
                mismatches.append(Mismatch(
                    input_index=i, output_index=-1,
                    input_element=tuple(int(v) for v in numpy.unravel_index(col, inputs[i].shape)),
                    output_element=(), analytic=float(analytic[col]), numeric=float(expected[col]),
                    near_kink=bool(near_kink[col]), upstream=draw))
    return mismatches, checked


def _compare(inputs, positions, outputs, analytic, numeric, kinks, eps, atol, rtol, order, note=""):
    mismatches, pairs, checked = [], [], 0
    for o, y in enumerate(outputs):
        for k, i in enumerate(positions):
            a, n = analytic[o][k], numeric[o][k]
            pairs.append(JacobianPair(o, i, a, n))
            checked += a.size
            bad = ~(numpy.abs(a - n) <= atol + rtol * numpy.abs(n))  # NaN counts as a mismatch
            for row, col in zip(*numpy.nonzero(bad)):
                mismatches.append(Mismatch(
                    input_index=i, output_index=o,
                    input_element=numpy.unravel_index(col, inputs[i].shape),
                    output_element=numpy.unravel_index(row, y.shape),
                    analytic=float(a[row, col]), numeric=float(n[row, col]),
                    near_kink=bool(kinks[o][k][row, col])))
    for m in mismatches:
        m.input_element = tuple(int(v) for v in m.input_element)
        m.output_element = tuple(int(v) for v in m.output_element)
    upstream, upstream_checked = _upstream_mismatches(inputs, positions, outputs, numeric, kinks,
                                                      atol, rtol)
    # an element whose Jacobian is already wrong is reported once, by its Jacobian rows
    wrong = {(m.input_index, tuple(int(v) for v in m.input_element)) for m in mismatches}
    mismatches += [m for m in upstream if (m.input_index, m.input_element) not in wrong]
    checked += upstream_checked
    mismatches.sort(key=lambda m: (not numpy.isnan(m.difference), -m.difference))  # NaN first
    return GradcheckResult(not mismatches, order, eps, atol, rtol, pairs, mismatches, checked, note)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, order=1, note="",
              plot=None):
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
    numeric, kinks = _numeric_jacobians(fn, inputs, positions, eps)
    result = _compare(inputs, positions, outputs, analytic, numeric, kinks, eps, atol, rtol, order, note)
    if plot:
        from .viz.jacobians import plot_jacobians  # matplotlib is imported only here
        result.figure = str(plot_jacobians(result, plot))
    if not result.passed and raise_exception:
        raise GradcheckError(result)
    return result


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0, plot=None):
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
