"""The gradient exercises: every reference solution passes its check, and typical
mistakes fail it with a report that points at the wrong gradients.

Run one exercise's tests with ``pytest tests/test_exercises.py -k softmax``.
"""
import subprocess
import sys
import types

import numpy
import pytest
from hypothesis import given, settings

import autograd
from autograd import Tensor, get_array_module, gradgradcheck
from autograd.nn import functional as F
from autograd.exercises import exercises, get, skeleton_path, solution
from autograd.exercises import __main__ as cli
from autograd.exercises.catalog import OPS_EXERCISES
from autograd.exercises.checker import check
from autograd.exercises.im2col import Col2im, Im2col
from autograd.ops import activation, elementwise, linalg, reduce
from autograd.exercises.skeletons.sum_mean import kept_shape
from autograd.ops.shape import sum_to

NAMES = [e.name for e in exercises()]
LOCAL = [e.name for e in OPS_EXERCISES]   # this file's: the ops track, vae, coupling, wgan_gp


def grade(name, **replaced):
    """Check the reference solution of ``name`` with some of its classes replaced."""
    reference = solution(name)
    module = types.SimpleNamespace(**{c: getattr(reference, c) for c in get(name).classes})
    for class_name, cls in replaced.items():
        setattr(module, class_name, cls)
    return check(get(name), module)


def wrong_inputs(outcome):
    """The names of the inputs whose gradients the report says are wrong."""
    assert not outcome.passed and outcome.result is not None, outcome.report()
    names = list(outcome.names)    # in gradgradcheck the inputs after fn's own are the v's
    return {names[i] if i < len(names) else f"v{i - len(names)}"
            for i in (m.input_index for m in outcome.result.mismatches)}


def assert_fails_on(outcome, *names, order=1):
    assert wrong_inputs(outcome) == set(names), outcome.report()
    assert outcome.result.order == order
    assert "FAIL" in outcome.report() and "Hint:" in outcome.report()
    if order == 1:
        assert "wrong: the gradient of " + names[0] in outcome.hint


def assert_fails_with_error(outcome, *fragments):
    assert not outcome.passed and outcome.result is None, outcome.report()
    for fragment in fragments:
        assert fragment in outcome.error, outcome.error


# ----------------------------------------------------------------------------
# The reference solutions, the library's own ops, and the untouched skeletons
# ----------------------------------------------------------------------------
def test_three_tracks_engine_first_each_by_difficulty():
    tracks = [e.track for e in exercises()]
    assert tracks == sorted(tracks, key=["engine", "ops", "generative"].index)
    for track in set(tracks):
        levels = [e.difficulty for e in exercises() if e.track == track]
        assert levels == sorted(levels), track
    assert len([e for e in exercises() if e.track == "ops"]) >= 14
    assert sum(e.second_order for e in exercises()) >= 4


@pytest.mark.parametrize("name", LOCAL)
def test_reference_solution_passes(name):
    outcome = check(get(name), solution(name))
    assert outcome.passed and not outcome.partial, outcome.report()
    assert outcome.tried > 1 and "PASS" in outcome.report()


@pytest.mark.parametrize("name", LOCAL)
def test_untouched_skeleton_fails_and_says_backward_is_not_written(name):
    module = types.ModuleType(name)
    exec(skeleton_path(name).read_text(), module.__dict__)
    outcome = check(get(name), module, max_examples=3)
    assert_fails_with_error(outcome, "NotImplementedError")
    assert "not written yet" in outcome.hint


def test_fewer_configurations_than_asked_is_a_partial_check_not_a_pass():
    outcome = check(get("conv2d"), solution("conv2d"), max_examples=2)
    assert outcome.passed and outcome.partial
    report = outcome.report()
    assert "ONLY 2 allowed of the 15" in report and "not a pass" in report


LIBRARY_OPS = {
    "add_mul": dict(Add=elementwise.Add, Mul=elementwise.Mul),
    "exp_log": dict(Exp=elementwise.Exp, Log=elementwise.Log),
    "sigmoid": dict(Sigmoid=activation.Sigmoid),
    "tanh": dict(Tanh=activation.Tanh),
    "matmul": dict(MatMul=linalg.MatMul),
    "softmax": dict(Softmax=lambda dim: reduce.Softmax((dim,))),
    "logsumexp": dict(LogSumExp=lambda dim, keepdim: reduce.LogSumExp((dim,), keepdim)),
}


@pytest.mark.parametrize("name", sorted(LIBRARY_OPS))
def test_the_librarys_own_op_passes_the_exercise(name):
    outcome = check(get(name), types.SimpleNamespace(**LIBRARY_OPS[name]))
    assert outcome.passed, outcome.report()


# ----------------------------------------------------------------------------
# Typical mistakes: real wrong backwards, what the report must blame, and which
# pieces of the exercise's advice it must print (and, by omission, must not)
# ----------------------------------------------------------------------------
def ref(name, cls):
    return getattr(solution(name), cls)


def ignoring_upstream(name, cls):
    """The student's formula without the incoming gradient: the reference's backward
    fed ones instead of what arrives (`return y * (1 - y)` for sigmoid)."""
    base = ref(name, cls)

    class IgnoresIncomingGradient(base):
        def backward(self, *grads):
            return base.backward(self, *[None if g is None else g * 0 + 1 for g in grads])
    IgnoresIncomingGradient.__qualname__ = f"{cls}IgnoresIncomingGradient"
    return IgnoresIncomingGradient


def negated(name, cls):
    """The student's formula with its sign flipped (y * (y - 1) for y * (1 - y))."""
    base = ref(name, cls)

    class SignFlipped(base):
        def backward(self, *grads):
            result = base.backward(self, *grads)
            if isinstance(result, tuple):
                return tuple(None if g is None else -g for g in result)
            return -result
    SignFlipped.__qualname__ = f"{cls}SignFlipped"
    return SignFlipped


class AddNoSum(ref("add_mul", "Add")):
    def backward(self, gc):  # forgets to sum b's gradient over its broadcast dims
        a, b = self.inputs
        return sum_to(gc, a.shape), gc


class MulNoSumForA(ref("add_mul", "Mul")):
    def backward(self, gc):  # sums b's gradient back but forgets a's
        a, b = self.inputs
        return gc * b, sum_to(gc * a, b.shape)


class MulOwnOperand(ref("add_mul", "Mul")):
    def backward(self, gc):  # multiplies by its own operand instead of the other one
        a, b = self.inputs
        return sum_to(gc * a, a.shape), sum_to(gc * b, b.shape)


class MulNegated(ref("add_mul", "Mul")):
    def backward(self, gc):
        a, b = self.inputs
        return sum_to(-gc * b, a.shape), sum_to(-gc * a, b.shape)


class ExpForgetsFactor(ref("exp_log", "Exp")):
    def backward(self, gy):
        return gy


class LogMultiplies(ref("exp_log", "Log")):
    def backward(self, gy):
        return gy * self.inputs[0]


class LogNegated(ref("exp_log", "Log")):
    def backward(self, gy):  # the derivative of -1/x, a slip from d(1/x)
        return -gy / self.inputs[0]


class SigmoidOfInput(ref("sigmoid", "Sigmoid")):
    def backward(self, gy):  # uses x where the formula has y
        x = self.inputs[0]
        return gy * x * (1 - x)


class SigmoidRawArrays(ref("sigmoid", "Sigmoid")):
    def backward(self, gy):  # right value, but a constant to the second backward pass
        y = self.saved_output().array
        return gy * Tensor(y * (1 - y))


class SigmoidNoOneMinus(ref("sigmoid", "Sigmoid")):
    def backward(self, gy):
        return gy * self.saved_output()


class TanhNoSquare(ref("tanh", "Tanh")):
    def backward(self, gy):
        return gy * (1 - self.saved_output())


class TanhWrongSign(ref("tanh", "Tanh")):
    def backward(self, gy):
        y = self.saved_output()
        return gy * (y * y - 1)


class TanhRawArrays(ref("tanh", "Tanh")):
    def backward(self, gy):
        return gy * Tensor(1 - self.saved_output().array ** 2)


class MatMulReshapeForTranspose(ref("matmul", "MatMul")):
    def backward(self, gc):  # B^T "by reshape": the right shape, the wrong numbers
        a, b = self.inputs
        return gc @ b.reshape(b.shape[1], b.shape[0]), a.T @ gc


class MatMulReshapeA(ref("matmul", "MatMul")):
    def backward(self, gc):
        a, b = self.inputs
        return gc @ b.T, a.reshape(a.shape[1], a.shape[0]) @ gc


class MatMulRawArrays(ref("matmul", "MatMul")):
    def backward(self, gc):
        a, b = self.inputs
        return Tensor(gc.array @ b.array.T), Tensor(a.array.T @ gc.array)


class MatMulFactorsSwapped(ref("matmul", "MatMul")):
    def backward(self, gc):  # B^T @ gC: the shapes do not even fit
        a, b = self.inputs
        return b.T @ gc, a.T @ gc


class MeanWithoutOneOverN(ref("sum_mean", "Mean")):
    def backward(self, gy):
        x, = self.inputs
        return gy.reshape(kept_shape(x.shape, self.dim)).broadcast_to(x.shape)


class MeanDividesByEveryElement(ref("sum_mean", "Mean")):
    def backward(self, gy):  # divides by x's size, not by the number of elements reduced
        x, = self.inputs
        return gy.reshape(kept_shape(x.shape, self.dim)).broadcast_to(x.shape) / x.array.size


class SumIgnoresKeepdim(ref("sum_mean", "Sum")):
    def backward(self, gy):  # broadcasts gy without putting the reduced dim back
        x, = self.inputs
        return gy.broadcast_to(x.shape)


class SoftmaxDiagonalOnly(ref("softmax", "Softmax")):
    def backward(self, gy):
        return gy * self.saved_output()


class SoftmaxDiagonalIgnoringGradient(ref("softmax", "Softmax")):
    def backward(self, gy):  # y (1 - y), the diagonal's derivative, and gy forgotten
        y = self.saved_output()
        return y * (1 - y)


class SoftmaxSumsEverything(ref("softmax", "Softmax")):
    def backward(self, gy):  # one sum over the whole tensor instead of one per row
        y = self.saved_output()
        return y * (gy - (gy * y).sum())


class SoftmaxRawArrays(ref("softmax", "Softmax")):
    def backward(self, gy):
        y = Tensor(self.saved_output().array)
        return y * (gy - (gy * y).sum(self.dim, keepdim=True))


class LogSumExpUnshifted(ref("logsumexp", "LogSumExp")):
    def backward(self, gy):  # exp(x) instead of exp(x - y)
        x = self.inputs[0]
        return gy.reshape(kept_shape(x.shape, self.dim)) * x.exp()


class LogSumExpNoReshape(ref("logsumexp", "LogSumExp")):
    def backward(self, gy):
        x, y = self.inputs[0], self.saved_output()
        return gy * (x - y).exp()


class LogSumExpNegated(ref("logsumexp", "LogSumExp")):
    def backward(self, gy):
        return -ref("logsumexp", "LogSumExp").backward(self, gy)


class CrossEntropyNoMean(ref("cross_entropy", "CrossEntropy")):
    def backward(self, g_loss):
        return g_loss * Tensor(self.probs - self.one_hot), None


class CrossEntropyWrongSign(ref("cross_entropy", "CrossEntropy")):
    def backward(self, g_loss):
        return g_loss * Tensor(self.one_hot - self.probs) / self.probs.shape[0], None


class CrossEntropyIgnoresGradient(ref("cross_entropy", "CrossEntropy")):
    def backward(self, g_loss):  # the example: right for a gradient of 1 only
        return Tensor((self.probs - self.one_hot) / self.probs.shape[0]), None


class CrossEntropyHalved(ref("cross_entropy", "CrossEntropy")):
    def backward(self, g_loss):  # a stray 1/2, as if differentiating a square
        return g_loss * Tensor(self.probs - self.one_hot) / self.probs.shape[0] / 2, None


class MaxPoolOverwrites(ref("max_pool2d", "MaxPool2d")):
    def backward(self, gy):  # gx[index] = gy: an element that is the max of two windows keeps one
        x, = self.inputs
        gx = get_array_module(gy.array).zeros(x.array.size)
        gx[self.argmax.ravel()] = gy.array.ravel()
        return Tensor(gx.reshape(x.shape))


class MaxPoolSpreads(ref("max_pool2d", "MaxPool2d")):
    def backward(self, gy):  # average pooling's gradient: gy / k^2 to every window element
        x, = self.inputs
        k, s = self.k, self.stride
        gx = get_array_module(gy.array).zeros(x.shape)
        oh, ow = gy.shape[2:]
        for i in range(k):
            for j in range(k):
                gx[:, :, i: i + s * oh: s, j: j + s * ow: s] += gy.array / k ** 2
        return Tensor(gx)


class Conv2dReshapeForTranspose(ref("conv2d", "Conv2d")):
    def backward(self, gy):
        x, w = self.inputs
        n, o, oh, ow = gy.shape
        k = w.shape[2]
        g = gy.reshape(n, o, oh * ow)
        cols = Im2col(k, self.stride, self.padding)(x)
        gw = (g @ cols.transpose(1, 2)).sum(0).reshape(w.shape)
        gcols = w.reshape(-1, o) @ g  # W^T by reshape
        return Col2im(x.shape, k, self.stride, self.padding)(gcols), gw


class Conv2dFirstSampleOnly(ref("conv2d", "Conv2d")):
    def backward(self, gy):
        gx, _ = super().backward(gy)
        x, w = self.inputs
        n, o, oh, ow = gy.shape
        cols = Im2col(w.shape[2], self.stride, self.padding)(x)
        gw = (gy.reshape(n, o, oh * ow) @ cols.transpose(1, 2))[0].reshape(w.shape)  # no sum over n
        return gx, gw


class ConvTransposeFirstSampleOnly(ref("conv_transpose2d", "ConvTranspose2d")):
    def backward(self, gy):
        x, w = self.inputs
        n, c, h, width = x.shape
        gcols = Im2col(w.shape[2], self.stride, self.padding)(gy)
        gx = (w.reshape(c, -1) @ gcols).reshape(x.shape)
        gw = (x.reshape(n, c, h * width) @ gcols.transpose(1, 2))[0].reshape(w.shape)
        return gx, gw


class ConvTransposeReshapedWeight(ref("conv_transpose2d", "ConvTranspose2d")):
    def backward(self, gy):
        x, w = self.inputs
        _, gw = super().backward(gy)
        gcols = Im2col(w.shape[2], self.stride, self.padding)(gy)
        gx = (w.reshape(-1, x.shape[1]).T @ gcols).reshape(x.shape)  # reshape, then transpose
        return gx, gw


class BatchNormConstantStatistics(ref("batch_norm", "BatchNorm")):
    def backward(self, gy):  # mu and var treated as constants: only the direct path
        _, ggamma, gbeta = super().backward(gy)
        return gy * self.inputs[1] * Tensor(self.inv_std), ggamma, gbeta


class BatchNormWithoutOneOverN(ref("batch_norm", "BatchNorm")):
    def backward(self, gy):
        gx, ggamma, gbeta = super().backward(gy)
        return gx * self.inputs[0].shape[0], ggamma, gbeta


class BatchNormGammaNotSummed(ref("batch_norm", "BatchNorm")):
    def backward(self, gy):
        gx, _, gbeta = super().backward(gy)
        return gx, gy * Tensor(self.xhat), gbeta


class LayerNormBatchStatistics(ref("layer_norm", "LayerNorm")):
    def backward(self, gy):  # batch_norm's sums (over dim 0) in layer_norm
        x, gamma, _ = self.inputs
        _, ggamma, gbeta = super().backward(gy)
        d = x.shape[1]
        xhat, gxhat = Tensor(self.xhat), gy * gamma
        gx = Tensor(self.inv_std) / d * (d * gxhat - gxhat.sum(0) - xhat * (gxhat * xhat).sum(0))
        return gx, ggamma, gbeta


class LayerNormBetaPerSample(ref("layer_norm", "LayerNorm")):
    def backward(self, gy):  # sums beta's gradient over the features instead of the batch
        gx, ggamma, _ = super().backward(gy)
        return gx, ggamma, gy.sum(1)


class ReparameterizeNoHalf(ref("vae", "Reparameterize")):
    def backward(self, gz):
        mu, logvar, eps = self.inputs
        return gz, gz * eps * (logvar / 2).exp(), None


class ReparameterizeVarianceForStd(ref("vae", "Reparameterize")):
    def backward(self, gz):  # sigma taken as exp(logvar), the variance
        mu, logvar, eps = self.inputs
        return gz, gz * eps * logvar.exp() / 2, None


class KLWrongSign(ref("vae", "GaussianKL")):
    def backward(self, gkl):
        gmu, glogvar = super().backward(gkl)
        return -gmu, glogvar


class KLNotReshaped(ref("vae", "GaussianKL")):
    def backward(self, gkl):
        mu, logvar = self.inputs
        return gkl * mu, gkl * (logvar.exp() - 1) / 2


class CouplingNoTanhDerivative(ref("coupling", "CouplingLogDet")):
    def backward(self, gld):
        x1, w, b = self.inputs
        ga = gld.reshape(-1, 1) * (1 + 0 * Tensor(self.s))
        return ga @ w.T, x1.T @ ga, ga.sum(0)


class CouplingTransposedWeightGrad(ref("coupling", "CouplingLogDet")):
    def backward(self, gld):
        gx1, gw, gb = super().backward(gld)
        return gx1, gw.T, gb


class CouplingBiasNotSummed(ref("coupling", "CouplingLogDet")):
    def backward(self, gld):
        x1, w, b = self.inputs
        ga = gld.reshape(-1, 1) * (1 - Tensor(self.s) ** 2)
        return ga @ w.T, x1.T @ ga, ga


class CriticWithSavedArray(ref("wgan_gp", "Critic")):
    def backward(self, gd):  # h from forward's array: right gradient, constant to the penalty
        x, w1, w2 = self.inputs
        h = Tensor(self.h)
        ga = gd.reshape(-1, 1) * w2 * (1 - h * h)
        return ga @ w1.T, x.T @ ga, h.T @ gd


class CriticW1WithoutTanhDerivative(ref("wgan_gp", "Critic")):
    def backward(self, gd):  # W1's gradient from the gradient before the tanh's derivative
        x, w1, w2 = self.inputs
        gx, _, gw2 = super().backward(gd)
        return gx, x.T @ (gd.reshape(-1, 1) * w2), gw2


class CriticW2FromPreactivation(ref("wgan_gp", "Critic")):
    def backward(self, gd):  # x @ W1 where h = tanh(x @ W1) belongs
        x, w1, w2 = self.inputs
        gx, gw1, _ = super().backward(gd)
        return gx, gw1, (x @ w1).T @ gd


class CriticWrongSign(ref("wgan_gp", "Critic")):
    def backward(self, gd):
        x, w1, w2 = self.inputs
        h = (x @ w1).tanh()
        ga = gd.reshape(-1, 1) * w2 * (h * h - 1)
        return ga @ w1.T, x.T @ ga, h.T @ gd


class LSTMStep(ref("lstm_cell", "LSTMCell")):
    """The reference's pieces, for the mistakes below to recombine."""

    def pieces(self, gh, gc):
        x, h, c, w_ih, w_hh, b = self.inputs
        gh = Tensor(numpy.zeros(h.shape)) if gh is None else gh
        gc = Tensor(numpy.zeros(c.shape)) if gc is None else gc
        a = x @ w_ih.T + h @ w_hh.T + b
        i, f, g, o = [part.sigmoid() if k != 2 else part.tanh() for k, part in enumerate(a.chunk(4, dim=1))]
        tanh_c = (f * c + i * g).tanh()
        return x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c

    @staticmethod
    def gate_gradient(gc_total, gh, c, i, f, g, o, tanh_c):
        return autograd.cat([gc_total * g * i * (1 - i), gc_total * c * f * (1 - f),
                             gc_total * i * (1 - g * g), gh * tanh_c * o * (1 - o)], dim=1)


class LSTMForgetsTheDirectRoad(LSTMStep):
    def backward(self, gh, gc):  # c' only through h': the gc' that arrives is dropped
        x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c = self.pieces(gh, gc)
        gct = gh * o * (1 - tanh_c * tanh_c)
        ga = self.gate_gradient(gct, gh, c, i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gct * f, ga.T @ x, ga.T @ h, ga.sum(dim=0)


class LSTMForgetsTheRoadThroughH(LSTMStep):
    def backward(self, gh, gc):  # c' only directly: h' = o tanh(c') forgotten
        x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c = self.pieces(gh, gc)
        ga = self.gate_gradient(gc, gh, c, i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gc * f, ga.T @ x, ga.T @ h, ga.sum(dim=0)


class LSTMPassesBackWithoutF(LSTMStep):
    def backward(self, gh, gc):  # c's gradient without the forget gate's factor
        x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c = self.pieces(gh, gc)
        gct = gc + gh * o * (1 - tanh_c * tanh_c)
        ga = self.gate_gradient(gct, gh, c, i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gct, ga.T @ x, ga.T @ h, ga.sum(dim=0)


class LSTMBiasNotSummed(LSTMStep):
    def backward(self, gh, gc):  # the bias's gradient per sample, (N, 4H)
        x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c = self.pieces(gh, gc)
        gct = gc + gh * o * (1 - tanh_c * tanh_c)
        ga = self.gate_gradient(gct, gh, c, i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gct * f, ga.T @ x, ga.T @ h, ga


class LSTMWeightHHFromX(LSTMStep):
    def backward(self, gh, gc):  # x where the previous output h belongs
        x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c = self.pieces(gh, gc)
        gct = gc + gh * o * (1 - tanh_c * tanh_c)
        ga = self.gate_gradient(gct, gh, c, i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gct * f, ga.T @ x, ga.T @ x, ga.sum(dim=0)


class LSTMWeightIHNotTransposed(LSTMStep):
    def backward(self, gh, gc):  # x^T @ ga: (I, 4H), the transpose of W_ih's shape
        x, h, c, w_ih, w_hh, gh, gc, i, f, g, o, tanh_c = self.pieces(gh, gc)
        gct = gc + gh * o * (1 - tanh_c * tanh_c)
        ga = self.gate_gradient(gct, gh, c, i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gct * f, x.T @ ga, ga.T @ h, ga.sum(dim=0)


class LSTMGatesFromArrays(LSTMStep):
    def backward(self, gh, gc):  # gates from the arrays: right values, constants to the 2nd order
        x, h, c, w_ih, w_hh, gh, gc, *gates = self.pieces(gh, gc)
        i, f, g, o, tanh_c = [Tensor(t.array) for t in gates]
        gct = gc + gh * o * (1 - tanh_c * tanh_c)
        ga = self.gate_gradient(gct, gh, Tensor(c.array), i, f, g, o, tanh_c)
        return ga @ w_ih, ga @ w_hh, gct * f, ga.T @ x, ga.T @ h, ga.sum(dim=0)


class Mistake:
    """A wrong answer, what the report must blame (input names, or a fragment of the
    error), and which of the exercise's advice it must print: exactly those whose text
    contains one of ``hints``, none of the others."""

    def __init__(self, exercise, replaced, blamed=(), error=None, hints=(), order=1):
        self.exercise, self.replaced = exercise, replaced
        self.blamed = None if blamed is None else set(blamed)   # None: every differentiable input
        self.error, self.hints, self.order = error, hints, order

    def __repr__(self):
        return f"{self.exercise}:{'+'.join(c.__qualname__ for c in self.replaced.values())}"


def M(exercise, cls, wrong, **expected):  # noqa: N802 - a table row
    return Mistake(exercise, {cls: wrong}, **expected)


UPSTREAM_TEXT = "not always 1"
SIGN_TEXT = "check the sign"
MISTAKES = [
    M("add_mul", "Add", AddNoSum, error="for input 1", hints=["b was broadcast"]),
    M("add_mul", "Mul", MulOwnOperand, blamed="ab", hints=["*other* operand"]),
    M("add_mul", "Mul", MulNoSumForA, error="for input 0", hints=["a was broadcast"]),
    M("add_mul", "Mul", MulNegated, blamed="ab", hints=[SIGN_TEXT]),
    M("exp_log", "Exp", ExpForgetsFactor, blamed="x", hints=["Exp: its derivative"]),
    M("exp_log", "Log", LogMultiplies, blamed="x", hints=["Log: is the derivative"]),
    M("exp_log", "Log", LogNegated, blamed="x", hints=[SIGN_TEXT]),
    M("sigmoid", "Sigmoid", SigmoidOfInput, blamed="x", hints=["sigmoid'"]),
    M("sigmoid", "Sigmoid", SigmoidNoOneMinus, blamed="x", hints=["sigmoid'"]),
    M("sigmoid", "Sigmoid", SigmoidRawArrays, order=2),
    M("tanh", "Tanh", TanhNoSquare, blamed="x", hints=["tanh'"]),
    M("tanh", "Tanh", TanhWrongSign, blamed="x", hints=[SIGN_TEXT]),
    M("tanh", "Tanh", TanhRawArrays, order=2),
    M("matmul", "MatMul", MatMulReshapeForTranspose, blamed=["A"], hints=["gA:"]),
    M("matmul", "MatMul", MatMulReshapeA, blamed=["B"], hints=["gB:"]),
    M("matmul", "MatMul", MatMulFactorsSwapped, blamed=["A"], hints=["gA:"]),
    M("matmul", "MatMul", MatMulRawArrays, order=2),
    M("sum_mean", "Mean", MeanWithoutOneOverN, blamed="x", hints=["the 1/N is missing"]),
    M("sum_mean", "Mean", MeanDividesByEveryElement, blamed="x"),
    M("sum_mean", "Sum", SumIgnoresKeepdim, blamed="x", hints=["keepdim=False"]),
    M("softmax", "Softmax", SoftmaxDiagonalOnly, blamed="x", hints=["denominator"]),
    M("softmax", "Softmax", SoftmaxSumsEverything, blamed="x", hints=["one per row"]),
    M("softmax", "Softmax", SoftmaxRawArrays, order=2),
    M("softmax", "Softmax", SoftmaxDiagonalIgnoringGradient, blamed="x", hints=[UPSTREAM_TEXT]),
    M("logsumexp", "LogSumExp", LogSumExpUnshifted, blamed="x", hints=["a softmax of x"]),
    M("logsumexp", "LogSumExp", LogSumExpNoReshape, error="cannot broadcast", hints=["keepdim=False"]),
    M("logsumexp", "LogSumExp", LogSumExpNegated, blamed="x", hints=[SIGN_TEXT]),
    M("cross_entropy", "CrossEntropy", CrossEntropyNoMean, blamed=["logits"], hints=["batch size N"]),
    M("cross_entropy", "CrossEntropy", CrossEntropyHalved, blamed=["logits"]),
    M("cross_entropy", "CrossEntropy", CrossEntropyWrongSign, blamed=["logits"], hints=["true class"]),
    M("cross_entropy", "CrossEntropy", CrossEntropyIgnoresGradient, blamed=["logits"],
      hints=["loss is a scalar"]),
    M("max_pool2d", "MaxPool2d", MaxPoolOverwrites, blamed="x", hints=["windows overlap"]),
    M("max_pool2d", "MaxPool2d", MaxPoolSpreads, blamed="x", hints=["not spread"]),
    M("conv2d", "Conv2d", Conv2dReshapeForTranspose, blamed="x", hints=["W^T, a transpose"]),
    M("conv2d", "Conv2d", Conv2dFirstSampleOnly, blamed=["weight"], hints=["shared by every sample"]),
    M("conv_transpose2d", "ConvTranspose2d", ConvTransposeFirstSampleOnly, blamed=["weight"],
      hints=["shared by every sample"]),
    M("conv_transpose2d", "ConvTranspose2d", ConvTransposeReshapedWeight, blamed="x",
      hints=["a convolution of gy"]),
    M("batch_norm", "BatchNorm", BatchNormConstantStatistics, blamed="x", hints=["mean and variance"]),
    M("batch_norm", "BatchNorm", BatchNormWithoutOneOverN, blamed="x", hints=["batch size N"]),
    M("batch_norm", "BatchNorm", BatchNormGammaNotSummed, error="for input 1", hints=["gamma and beta"]),
    M("layer_norm", "LayerNorm", LayerNormBatchStatistics, blamed="x", hints=["per sample here"]),
    M("layer_norm", "LayerNorm", LayerNormBetaPerSample, error="for input 2", hints=["gamma and beta"]),
    M("vae", "Reparameterize", ReparameterizeNoHalf, blamed=["logvar"], hints=["constant factor of its own"]),
    M("vae", "Reparameterize", ReparameterizeVarianceForStd, blamed=["logvar"],
      hints=["the chain rule through exp(logvar / 2)."]),
    M("vae", "GaussianKL", KLWrongSign, blamed=["mu"], hints=[SIGN_TEXT]),
    M("vae", "GaussianKL", KLNotReshaped, error="cannot broadcast", hints=["one number per sample"]),
    M("coupling", "CouplingLogDet", CouplingNoTanhDerivative, blamed=["x1", "W", "b"],
      hints=["log-det is one number"]),
    M("coupling", "CouplingLogDet", CouplingTransposedWeightGrad, blamed=["W"], hints=["W's gradient"]),
    M("coupling", "CouplingLogDet", CouplingBiasNotSummed, error="for input 2", hints=["b is shared"]),
    M("wgan_gp", "Critic", CriticWithSavedArray, order=2, hints=["recompute h"]),
    M("wgan_gp", "Critic", CriticWrongSign, blamed=["x", "W1"], hints=[SIGN_TEXT]),
    M("wgan_gp", "Critic", CriticW1WithoutTanhDerivative, blamed=["W1"], hints=["W1's gradient"]),
    M("wgan_gp", "Critic", CriticW2FromPreactivation, blamed=["w2"], hints=["w2's gradient"]),
    M("lstm_cell", "LSTMCell", LSTMForgetsTheDirectRoad, blamed=None),
    M("lstm_cell", "LSTMCell", LSTMForgetsTheRoadThroughH, blamed=None),
    M("lstm_cell", "LSTMCell", LSTMPassesBackWithoutF, blamed=["x1", "h0", "c0", "W_ih", "W_hh", "b"],
      hints=["the second step's gradients are right"]),
    M("lstm_cell", "LSTMCell", LSTMBiasNotSummed, error="for input 5", hints=["b is used by every sample"]),
    M("lstm_cell", "LSTMCell", LSTMWeightHHFromX, blamed=["W_hh"], hints=["W_hh's gradient"]),
    M("lstm_cell", "LSTMCell", LSTMWeightIHNotTransposed, error="for input 3", hints=["W_ih's gradient"]),
    M("lstm_cell", "LSTMCell", LSTMGatesFromArrays, order=2, hints=["recompute the gates"]),
    # every gradient negated: the first step's flip cancels the one passed back to it
    M("lstm_cell", "LSTMCell", negated("lstm_cell", "LSTMCell"), blamed=["x2", "W_ih", "W_hh", "b"]),
]
# softmax's formula fed ones cancels to zero (y * (1 - sum y)): the report calls it a zero
# gradient, and its advice for one is the only advice printed
CANCELS_TO_ZERO = {"softmax"}
for _exercise in OPS_EXERCISES:  # every exercise: a backward that ignores its incoming gradient
    for _cls in _exercise.classes:
        MISTAKES.append(M(_exercise.name, _cls, ignoring_upstream(_exercise.name, _cls), blamed=None,
                          hints=[] if _exercise.name in CANCELS_TO_ZERO else [UPSTREAM_TEXT, "loss is a scalar"]))
    has_sign_mistake = any(m.exercise == _exercise.name and SIGN_TEXT in m.hints for m in MISTAKES)
    if any(SIGN_TEXT in h.text for h in _exercise.advice) and not has_sign_mistake:
        _cls = _exercise.classes[-1]   # a sign flipped: every exercise whose advice covers it
        MISTAKES.append(M(_exercise.name, _cls, negated(_exercise.name, _cls), blamed=None,
                          hints=[SIGN_TEXT]))


def grade_mistake(mistake):
    return grade(mistake.exercise, **mistake.replaced)


@pytest.mark.parametrize("mistake", MISTAKES, ids=repr)
def test_a_typical_mistake_fails_blaming_the_right_input_with_true_advice(mistake):
    outcome = grade_mistake(mistake)
    assert not outcome.passed, outcome.report()
    assert "FAIL" in outcome.report() and "Hint:" in outcome.report()
    if mistake.error:
        assert_fails_with_error(outcome, mistake.error)
    else:
        assert outcome.result.order == mistake.order, outcome.report()
        if mistake.order == 2:
            assert "second derivatives are wrong" in outcome.hint
        blamed = mistake.blamed if mistake.order == 1 else wrong_inputs(outcome)
        if blamed is None:   # every input that has a gradient
            blamed = {n for n, t in zip(outcome.names, get(mistake.exercise).build(
                solution(mistake.exercise), outcome.config).inputs) if t.requires_grad}
        assert wrong_inputs(outcome) == blamed, outcome.report()
        if mistake.order == 1:
            assert "wrong: the gradient of " in outcome.hint
    advice = get(mistake.exercise).advice
    expected = {h.text for h in advice if any(key in h.text for key in mistake.hints)}
    printed = {h.text for h in advice if h.text in outcome.hint}
    assert printed == expected, outcome.report()


class TanhReturnsZeros(ref("tanh", "Tanh")):
    def backward(self, gy):
        return gy * 0


class SigmoidReturnsNone(ref("sigmoid", "Sigmoid")):
    def backward(self, gy):
        return None


@pytest.mark.parametrize("name, replaced", [("tanh", {"Tanh": TanhReturnsZeros}),
                                            ("sigmoid", {"Sigmoid": SigmoidReturnsNone})])
def test_a_missing_gradient_is_called_zero_not_an_ignored_incoming_gradient(name, replaced):
    """Zero rows are identical rows, but the mistake is a missing gradient: the report must
    not say the incoming gradient was ignored."""
    outcome = grade(name, **replaced)
    assert not outcome.passed
    assert UPSTREAM_TEXT not in outcome.hint and "does not follow the gradient" not in outcome.hint
    assert "wrong: the gradient of x" in outcome.hint and f"{name}'" in outcome.hint, outcome.report()


def test_there_are_at_least_three_typical_mistakes_per_exercise():
    per_exercise = {name: sum(m.exercise == name for m in MISTAKES) for name in LOCAL}
    assert min(per_exercise.values()) >= 3 and len(MISTAKES) >= 60, per_exercise
    ignoring = {m.exercise for m in MISTAKES if m.blamed is None}
    assert ignoring == set(per_exercise)


def test_every_piece_of_advice_is_seen_printed_and_seen_withheld():
    """Each Hint appears for a mistake that supports it and is absent for one of the
    same exercise that does not (the table's exact-set check does the asserting)."""
    for name in LOCAL:
        rows = [m for m in MISTAKES if m.exercise == name]
        for hint in get(name).advice:
            shown = [m for m in rows if any(key in hint.text for key in m.hints)]
            assert shown, f"{name}: no mistake shows {hint.text!r}"
            assert len(shown) < len(rows), f"{name}: {hint.text!r} is never withheld"


def test_the_reports_point_at_the_shared_maxima_and_the_batch():
    outcome = grade("max_pool2d", MaxPool2d=MaxPoolOverwrites)
    op = solution("max_pool2d").MaxPool2d(outcome.config["k"], outcome.config["stride"])
    case = get("max_pool2d").build(types.SimpleNamespace(MaxPool2d=MaxPoolOverwrites), outcome.config)
    op(case.inputs[0])
    counts = numpy.bincount(op.argmax.ravel(), minlength=case.inputs[0].array.size)
    shared = {tuple(int(v) for v in numpy.unravel_index(i, case.inputs[0].shape))
              for i in numpy.nonzero(counts > 1)[0]}
    assert {m.input_element for m in outcome.result.mismatches} <= shared
    assert grade("conv2d", Conv2d=Conv2dFirstSampleOnly).config["n"] == 2
    outcome = grade("cross_entropy", CrossEntropy=CrossEntropyNoMean)
    assert f"analytic = {outcome.config['n']:.4g} x numeric" in outcome.hint


def test_a_factor_is_blamed_on_n_only_when_it_follows_n():
    """A missing 1/N and a stray 1/2 look alike at N = 2; the checker re-checks at
    another N before it says the factor is N's."""
    halved = grade("cross_entropy", CrossEntropy=CrossEntropyHalved)
    assert "0.5 x numeric" in halved.hint and "batch size N" not in halved.hint
    assert "batch size N" in grade("cross_entropy", CrossEntropy=CrossEntropyNoMean).hint
    every = grade("sum_mean", Mean=MeanDividesByEveryElement)
    assert "constant factor" in every.hint and "1/N is missing" not in every.hint


def test_the_transpose_advice_needs_a_configuration_where_a_reshape_differs():
    """O = 1 or C*K*K = 1 makes w.reshape(C*K*K, O) equal to W^T: no transpose advice there."""
    from autograd.exercises.catalog import _transpose_matters
    from autograd.exercises.exercise import Evidence
    config = {"n": 1, "c": 1, "o": 1, "k": 1, "stride": 1, "padding": 0, "h": 3, "w": 3}
    assert not _transpose_matters(Evidence(config, wrong=frozenset({"x"})))
    assert _transpose_matters(Evidence(dict(config, o=2, k=2), wrong=frozenset({"x"})))
    outcome = grade("conv2d", Conv2d=Conv2dReshapeForTranspose)
    assert outcome.config["o"] > 1 and outcome.config["c"] * outcome.config["k"] ** 2 > 1


class SoftmaxNoDenominatorTerm(ref("softmax", "Softmax")):
    def backward(self, gy):  # the softmax: without the - sum(gy * y) term
        y = self.saved_output()
        return gy * y


def test_the_softmax_advice_does_not_claim_the_diagonal_is_right():
    """Without the - sum(gy y) term the diagonal is y_k, not y_k (1 - y_k): advice must not
    say that the diagonal is right."""
    outcome = grade("softmax", Softmax=SoftmaxNoDenominatorTerm)
    diagonal = [m for m in outcome.result.mismatches if not m.upstream
                and m.input_element == m.output_element]
    assert diagonal, outcome.report()  # the diagonal is wrong too
    assert "diagonal" not in outcome.hint


# ----------------------------------------------------------------------------
# Right answers written differently from the references pass
# ----------------------------------------------------------------------------
class MulWithSumOverAxes(ref("add_mul", "Mul")):
    def backward(self, gc):  # sums the broadcast dims by hand instead of sum_to
        a, b = self.inputs

        def reduce(g, shape):
            while g.ndim > len(shape):
                g = g.sum(0)
            for axis, size in enumerate(shape):
                if size == 1 and g.shape[axis] != 1:
                    g = g.sum(axis, keepdim=True)
            return g
        return reduce(gc * b, a.shape), reduce(gc * a, b.shape)


class SigmoidFromExp(ref("sigmoid", "Sigmoid")):
    def backward(self, gy):  # e^-x / (1 + e^-x)^2, from the input
        e = (-self.inputs[0]).exp()
        return gy * e / ((1 + e) * (1 + e))


class SoftmaxFullJacobianRowwise(ref("softmax", "Softmax")):
    def backward(self, gy):  # gy * y - y * sum(gy * y), expanded
        y = self.saved_output()
        return gy * y - y * (y * gy).sum(self.dim, keepdim=True)


class CrossEntropyFromProbabilities(ref("cross_entropy", "CrossEntropy")):
    def backward(self, g_loss):  # (p - onehot) * g / N with N from the labels
        n = self.inputs[1].shape[0]
        return (Tensor(self.probs) - Tensor(self.one_hot)) * (g_loss / n), None


class MeanThroughSum(ref("sum_mean", "Mean")):
    def backward(self, gy):  # the mean's gradient as the sum's, divided by the count
        x, = self.inputs
        count = x.array.size // numpy.prod(gy.shape, dtype=int)
        return ref("sum_mean", "Sum").backward(self, gy) / count


class LSTMWithSlicesAndOtherDerivatives(ref("lstm_cell", "LSTMCell")):
    def backward(self, gh, gc):  # slices, sigma' = sigma(a) sigma(-a), (x^T ga)^T, a sum by a product
        x, h, c, w_ih, w_hh, b = self.inputs
        n, hid = h.shape
        a = x @ w_ih.T + h @ w_hh.T + b
        block = [a[:, k * hid:(k + 1) * hid] for k in range(4)]
        i, f, o = block[0].sigmoid(), block[1].sigmoid(), block[3].sigmoid()
        g = block[2].tanh()
        c_next = f * c + i * g
        road_h = 0 if gh is None else gh * o * (1 - c_next.tanh() ** 2)
        gct = road_h + (0 if gc is None else gc)
        go = 0 * o if gh is None else gh * c_next.tanh()
        ga = autograd.cat([gct * g * block[0].sigmoid() * (-block[0]).sigmoid(),
                           gct * c * block[1].sigmoid() * (-block[1]).sigmoid(),
                           gct * i * (1 - g ** 2),
                           go * block[3].sigmoid() * (-block[3]).sigmoid()], dim=1)
        ones = Tensor(numpy.ones((1, n)))
        return ga @ w_ih, ga @ w_hh, gct * f, (x.T @ ga).T, (h.T @ ga).T, (ones @ ga).reshape(-1)


RIGHT_ANSWERS = [
    ("add_mul", {"Mul": MulWithSumOverAxes}),
    ("sigmoid", {"Sigmoid": SigmoidFromExp}),
    ("softmax", {"Softmax": SoftmaxFullJacobianRowwise}),
    ("cross_entropy", {"CrossEntropy": CrossEntropyFromProbabilities}),
    ("sum_mean", {"Mean": MeanThroughSum}),
    ("lstm_cell", {"LSTMCell": LSTMWithSlicesAndOtherDerivatives}),
]


@pytest.mark.parametrize("name, replaced", RIGHT_ANSWERS, ids=[r[0] for r in RIGHT_ANSWERS])
def test_a_right_answer_written_differently_passes(name, replaced):
    outcome = grade(name, **replaced)
    assert outcome.passed and not outcome.partial, outcome.report()


# ----------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------
def test_list_shows_every_exercise_with_its_level(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for e in exercises():
        assert e.name in out and e.level in out


def test_start_then_check_a_wrong_then_a_right_backward(tmp_path, capsys):
    assert cli.main(["start", "tanh", "--dir", str(tmp_path)]) == 0
    student = tmp_path / "tanh.py"
    text = student.read_text()
    assert "NotImplementedError" in text and "The question" in text and "1 - y" not in text
    assert cli.main(["start", "tanh", "--dir", str(tmp_path)]) == 1  # no silent overwrite
    capsys.readouterr()

    student.write_text(text.replace('raise NotImplementedError("write Tanh.backward")',
                                    "return gy * (1 - self.saved_output())"))
    assert cli.main(["check", "tanh", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "tanh (first contact): FAIL" in out and "analytic" in out and "Hint:" in out
    assert (tmp_path / "tanh_check.png").stat().st_size > 0

    student.write_text(text.replace('raise NotImplementedError("write Tanh.backward")',
                                    "y = self.saved_output()\n        return gy * (1 - y * y)"))
    assert cli.main(["check", "tanh", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "Next: python -m autograd.exercises start matmul" in out


def test_hint_gives_the_next_step_each_time_then_reveal_and_status(tmp_path, capsys):
    steps = get("softmax").steps
    for level in range(4):
        assert cli.main(["hint", "softmax", "--dir", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert steps[min(level, 2)] in out and f"hint {min(level, 2) + 1} of 3" in out
    assert "reveal softmax" in out
    assert cli.main(["reveal", "softmax", "--dir", str(tmp_path)]) == 0
    assert "def backward" in capsys.readouterr().out
    assert cli.main(["status", "--dir", str(tmp_path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("softmax "))
    assert "3 of 3, revealed" in line and " - " in line   # never checked yet


def test_a_partial_check_exits_non_zero_unless_quick(tmp_path, capsys):
    cli.start("tanh", tmp_path)
    student = tmp_path / "tanh.py"
    student.write_text(student.read_text().replace(
        'raise NotImplementedError("write Tanh.backward")',
        "y = self.saved_output()\n        return gy * (1 - y * y)"))
    assert cli.main(["check", "tanh", "--dir", str(tmp_path), "--examples", "2"]) == 1
    out = capsys.readouterr().out
    assert "a partial check, not a pass" in out and "--quick" in out
    assert cli.main(["check", "tanh", "--dir", str(tmp_path), "--examples", "2", "--quick"]) == 0
    cli.main(["status", "--dir", str(tmp_path)])
    assert any(line.startswith("tanh ") and "PARTIAL" in line
               for line in capsys.readouterr().out.splitlines())
    assert cli.main(["check", "tanh", "--dir", str(tmp_path)]) == 0
    cli.main(["status", "--dir", str(tmp_path)])
    assert any(line.startswith("tanh ") and " PASS " in line
               for line in capsys.readouterr().out.splitlines())


def test_a_pass_removes_the_stale_figure(tmp_path, capsys):
    cli.start("tanh", tmp_path)
    student = tmp_path / "tanh.py"
    text = student.read_text()
    student.write_text(text.replace('raise NotImplementedError("write Tanh.backward")',
                                    "return gy * (1 - self.saved_output())"))
    assert cli.main(["check", "tanh", "--dir", str(tmp_path)]) == 1
    assert (tmp_path / "tanh_check.png").exists()
    student.write_text(text.replace('raise NotImplementedError("write Tanh.backward")',
                                    "y = self.saved_output()\n        return gy - gy * y * y"))
    assert cli.main(["check", "tanh", "--dir", str(tmp_path)]) == 0
    assert not (tmp_path / "tanh_check.png").exists()


def test_a_damaged_progress_file_does_not_stop_the_student(tmp_path, capsys):
    (tmp_path / "progress.json").write_text("{not json")
    assert cli.main(["hint", "tanh", "--dir", str(tmp_path)]) == 0
    assert "hint 1 of 3" in capsys.readouterr().out
    assert cli.main(["status", "--dir", str(tmp_path)]) == 0


def test_an_error_in_the_students_code_names_their_line(tmp_path, capsys):
    cli.start("tanh", tmp_path)
    student = tmp_path / "tanh.py"
    student.write_text(student.read_text().replace(
        'raise NotImplementedError("write Tanh.backward")', "return gy * undefined_name"))
    assert cli.main(["check", "tanh", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "NameError" in out and "of your file: return gy * undefined_name" in out


def test_check_explains_a_missing_file_and_an_unknown_name(tmp_path, capsys):
    assert cli.main(["check", "softmax", "--dir", str(tmp_path)]) == 1
    assert "start softmax" in capsys.readouterr().out
    assert cli.main(["check", "no_such_exercise"]) == 2
    assert "the exercises are" in capsys.readouterr().out


def test_module_runs_as_a_script(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograd.exercises", "list"],
                          capture_output=True, text=True, check=True)
    assert "wgan_gp" in done.stdout


def test_without_hypothesis_the_error_says_what_to_install():
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "from autograd.exercises import exercises\nexercises()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode != 0 and "pip install hypothesis" in done.stderr


class TanhReturnsAnArray(solution("tanh").Tanh):
    def backward(self, gy):  # the right numbers, as a NumPy array
        y = self.saved_output().array
        return gy.array * (1 - y * y)


def test_a_backward_returning_an_array_fails_with_its_own_hint():
    outcome = grade("tanh", Tanh=TanhReturnsAnArray)
    assert_fails_with_error(outcome, "not a Tensor", "input 0")
    assert "return Tensors" in outcome.hint


# ----------------------------------------------------------------------------
# The forwards the skeletons give agree with the library's ops
# ----------------------------------------------------------------------------
LIBRARY_FORWARD = {
    "add_mul": lambda c, a, b: (a + b, a * b),
    "exp_log": lambda c, x: (x.exp(), x.log()),
    "sigmoid": lambda c, x: x.sigmoid(),
    "tanh": lambda c, x: x.tanh(),
    "matmul": lambda c, a, b: a @ b,
    "sum_mean": lambda c, x: (x.sum(c["dim"], c["keepdim"]), x.mean(c["dim"], c["keepdim"])),
    "softmax": lambda c, x: F.softmax(x, c["dim"]),
    "logsumexp": lambda c, x: x.logsumexp(c["dim"], c["keepdim"]),
    "cross_entropy": lambda c, z, t: F.cross_entropy(z, t),
    "max_pool2d": lambda c, x: F.max_pool2d(x, c["k"], c["stride"]),
    "conv2d": lambda c, x, w: F.conv2d(x, w, stride=c["stride"], padding=c["padding"]),
    "conv_transpose2d": lambda c, x, w: F.conv_transpose2d(x, w, stride=c["stride"],
                                                           padding=c["padding"]),
    "batch_norm": lambda c, x, g, b: F.batch_norm(x, None, None, g, b, training=True),
    "layer_norm": lambda c, x, g, b: F.layer_norm(x, (c["d"],), g, b),
}


@pytest.mark.parametrize("name", sorted(LIBRARY_FORWARD))
def test_skeleton_forward_matches_the_librarys_op(name):
    exercise = get(name)

    @settings(max_examples=10, deadline=None, derandomize=True, database=None)
    @given(exercise.configs())
    def agree(config):
        case = exercise.build(solution(name), config)
        ours = case.fn(*case.inputs)
        theirs = LIBRARY_FORWARD[name](config, *case.inputs)
        for y, expected in zip(ours if isinstance(ours, tuple) else (ours,),
                               theirs if isinstance(theirs, tuple) else (theirs,)):
            assert y.shape == expected.shape
            numpy.testing.assert_allclose(y.array, expected.array, rtol=1e-10, atol=1e-12)

    agree()


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(get("conv2d").configs())
def test_im2col_and_col2im_are_adjoint_and_differentiable_twice(c):
    rng = numpy.random.default_rng(0)
    x = Tensor(rng.standard_normal((c["n"], c["c"], c["h"], c["w"])), requires_grad=True)
    im2col = Im2col(c["k"], c["stride"], c["padding"])
    cols = Tensor(rng.standard_normal(im2col(x).shape), requires_grad=True)
    col2im = Col2im(x.shape, c["k"], c["stride"], c["padding"])
    # <im2col(x), cols> = <x, col2im(cols)>: each is the other's transpose
    assert float((im2col(x) * cols).sum()) == pytest.approx(float((x * col2im(cols)).sum()))
    gradgradcheck(lambda t: Im2col(c["k"], c["stride"], c["padding"])(t), x)
    gradgradcheck(lambda t: Col2im(x.shape, c["k"], c["stride"], c["padding"])(t), cols)


@pytest.mark.parametrize("name", LOCAL)
def test_skeleton_asks_the_question_without_giving_the_backward(name):
    text = skeleton_path(name).read_text()
    module = types.ModuleType(name)
    exec(text, module.__dict__)
    for part in ("Forward", "The question", "Your task"):
        assert part in module.__doc__, part
    for class_name in get(name).classes:
        assert f"write {class_name}.backward" in text
    assert "Backward" not in module.__doc__ and "Hint:" not in module.__doc__
    formula = get(name).steps[2]
    assert formula not in text and formula.split(";")[0] not in text


@pytest.mark.parametrize("name", LOCAL)
def test_three_steps_of_help_from_the_idea_to_the_formula(name):
    steps = get(name).steps
    assert len(steps) == 3 and len(set(steps)) == 3 and all(steps)
