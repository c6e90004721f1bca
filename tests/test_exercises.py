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

from autograd import Tensor, get_array_module, gradgradcheck
from autograd.nn import functional as F
from autograd.exercises import exercises, get, skeleton_path, solution
from autograd.exercises import __main__ as cli
from autograd.exercises.checker import check
from autograd.exercises.im2col import Col2im, Im2col
from autograd.ops import activation, elementwise, linalg, reduce
from autograd.ops.shape import sum_to

NAMES = [e.name for e in exercises()]


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
    return {outcome.names[m.input_index] for m in outcome.result.mismatches}


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
def test_there_are_at_least_15_exercises_graded_by_difficulty():
    levels = [e.difficulty for e in exercises()]
    assert len(levels) >= 15 and levels == sorted(levels)
    assert sum(e.second_order for e in exercises()) >= 4


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(name):
    outcome = check(get(name), solution(name))
    assert outcome.passed, outcome.report()
    assert outcome.tried > 1 and "PASS" in outcome.report()


@pytest.mark.parametrize("name", NAMES)
def test_untouched_skeleton_fails_and_says_backward_is_not_written(name):
    module = types.ModuleType(name)
    exec(skeleton_path(name).read_text(), module.__dict__)
    outcome = check(get(name), module, max_examples=3)
    assert_fails_with_error(outcome, "NotImplementedError")
    assert "not written yet" in outcome.hint


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
# Typical mistakes, two or more per exercise
# ----------------------------------------------------------------------------
class AddNoSum(solution("add_mul").Add):
    def backward(self, gc):  # forgets to sum b's gradient over its broadcast dims
        a, b = self.inputs
        return sum_to(gc, a.shape), gc


class MulOwnOperand(solution("add_mul").Mul):
    def backward(self, gc):  # multiplies by its own operand instead of the other one
        a, b = self.inputs
        return sum_to(gc * a, a.shape), sum_to(gc * b, b.shape)


def test_add_mul_mistakes():
    assert_fails_with_error(grade("add_mul", Add=AddNoSum), ".backward returned a gradient of shape",
                            "for input 1")
    outcome = grade("add_mul", Mul=MulOwnOperand)
    assert_fails_on(outcome, "a", "b")
    assert {m.output_index for m in outcome.result.mismatches} == {1}  # Mul, not Add
    assert "Mul(a, b)" in outcome.hint


class ExpForgetsFactor(solution("exp_log").Exp):
    def backward(self, gy):
        return gy


class LogMultiplies(solution("exp_log").Log):
    def backward(self, gy):
        return gy * self.inputs[0]


def test_exp_log_mistakes():
    outcome = grade("exp_log", Exp=ExpForgetsFactor)
    assert_fails_on(outcome, "x")
    assert {m.output_index for m in outcome.result.mismatches} == {0}
    outcome = grade("exp_log", Log=LogMultiplies)
    assert_fails_on(outcome, "x")
    assert "Log(x)" in outcome.hint and "divide" in outcome.hint


class SigmoidOfInput(solution("sigmoid").Sigmoid):
    def backward(self, gy):  # uses x where the formula has y
        x = self.inputs[0]
        return gy * x * (1 - x)


class SigmoidRawArrays(solution("sigmoid").Sigmoid):
    def backward(self, gy):  # right value, but a constant to the second backward pass
        y = self.saved_output().array
        return gy * Tensor(y * (1 - y))


def test_sigmoid_mistakes():
    assert_fails_on(grade("sigmoid", Sigmoid=SigmoidOfInput), "x")
    outcome = grade("sigmoid", Sigmoid=SigmoidRawArrays)
    assert outcome.result.order == 2 and "second derivatives are wrong" in outcome.hint


class TanhNoSquare(solution("tanh").Tanh):
    def backward(self, gy):
        return gy * (1 - self.saved_output())


class TanhWrongSign(solution("tanh").Tanh):
    def backward(self, gy):
        y = self.saved_output()
        return gy * (y * y - 1)


class TanhRawArrays(solution("tanh").Tanh):
    def backward(self, gy):
        return gy * Tensor(1 - self.saved_output().array ** 2)


def test_tanh_mistakes():
    assert_fails_on(grade("tanh", Tanh=TanhNoSquare), "x")
    outcome = grade("tanh", Tanh=TanhWrongSign)
    assert_fails_on(outcome, "x")
    assert "a sign is flipped" in outcome.hint
    assert grade("tanh", Tanh=TanhRawArrays).result.order == 2


class MatMulReshapeForTranspose(solution("matmul").MatMul):
    def backward(self, gc):  # B^T "by reshape": the right shape, the wrong numbers
        a, b = self.inputs
        return gc @ b.reshape(b.shape[1], b.shape[0]), a.T @ gc


class MatMulReshapeA(solution("matmul").MatMul):
    def backward(self, gc):
        a, b = self.inputs
        return gc @ b.T, a.reshape(a.shape[1], a.shape[0]) @ gc


class MatMulRawArrays(solution("matmul").MatMul):
    def backward(self, gc):
        a, b = self.inputs
        return Tensor(gc.array @ b.array.T), Tensor(a.array.T @ gc.array)


def test_matmul_mistakes():
    outcome = grade("matmul", MatMul=MatMulReshapeForTranspose)
    assert_fails_on(outcome, "A")
    assert "transpose" in outcome.hint
    assert_fails_on(grade("matmul", MatMul=MatMulReshapeA), "B")
    assert grade("matmul", MatMul=MatMulRawArrays).result.order == 2


class MeanWithoutOneOverN(solution("sum_mean").Mean):
    def backward(self, gy):
        x, = self.inputs
        kept = tuple(1 if self.dim is None or i == self.dim else s for i, s in enumerate(x.shape))
        return gy.reshape(kept).broadcast_to(x.shape)


class SumIgnoresKeepdim(solution("sum_mean").Sum):
    def backward(self, gy):  # broadcasts gy without putting the reduced dim back
        x, = self.inputs
        return gy.broadcast_to(x.shape)


def test_sum_mean_mistakes():
    outcome = grade("sum_mean", Mean=MeanWithoutOneOverN)
    assert_fails_on(outcome, "x")
    n = outcome.result.mismatches[0].analytic / outcome.result.mismatches[0].numeric
    assert "a constant factor is missing" in outcome.hint and f"{n:.4g} x numeric" in outcome.hint
    outcome = grade("sum_mean", Sum=SumIgnoresKeepdim)
    assert not outcome.passed and not outcome.config["keepdim"]  # with keepdim it is right


class SoftmaxDiagonalOnly(solution("softmax").Softmax):
    def backward(self, gy):
        return gy * self.saved_output()


class SoftmaxSumsEverything(solution("softmax").Softmax):
    def backward(self, gy):  # one sum over the whole tensor instead of one per row
        y = self.saved_output()
        return y * (gy - (gy * y).sum())


class SoftmaxRawArrays(solution("softmax").Softmax):
    def backward(self, gy):
        y = Tensor(self.saved_output().array)
        return y * (gy - (gy * y).sum(self.dim, keepdim=True))


def test_softmax_mistakes():
    assert_fails_on(grade("softmax", Softmax=SoftmaxDiagonalOnly), "x")
    outcome = grade("softmax", Softmax=SoftmaxSumsEverything)
    assert_fails_on(outcome, "x")
    assert numpy.prod(outcome.config["shape"]) > outcome.config["shape"][outcome.config["dim"]]
    assert grade("softmax", Softmax=SoftmaxRawArrays).result.order == 2


class LogSumExpUnshifted(solution("logsumexp").LogSumExp):
    def backward(self, gy):  # exp(x) instead of exp(x - y)
        x = self.inputs[0]
        kept = tuple(1 if i == self.dim else s for i, s in enumerate(x.shape))
        return gy.reshape(kept) * x.exp()


class LogSumExpNoReshape(solution("logsumexp").LogSumExp):
    def backward(self, gy):
        x, y = self.inputs[0], self.saved_output()
        return gy * (x - y).exp()


def test_logsumexp_mistakes():
    assert_fails_on(grade("logsumexp", LogSumExp=LogSumExpUnshifted), "x")
    outcome = grade("logsumexp", LogSumExp=LogSumExpNoReshape)
    assert not outcome.passed and not outcome.config["keepdim"]


class CrossEntropyNoMean(solution("cross_entropy").CrossEntropy):
    def backward(self, g_loss):
        return g_loss * Tensor(self.probs - self.one_hot), None


class CrossEntropyWrongSign(solution("cross_entropy").CrossEntropy):
    def backward(self, g_loss):
        return g_loss * Tensor(self.one_hot - self.probs) / self.probs.shape[0], None


def test_cross_entropy_mistakes():
    outcome = grade("cross_entropy", CrossEntropy=CrossEntropyNoMean)
    assert_fails_on(outcome, "logits")
    assert f"analytic = {outcome.config['n']:.4g} x numeric" in outcome.hint
    assert "1/N" in outcome.hint
    outcome = grade("cross_entropy", CrossEntropy=CrossEntropyWrongSign)
    assert_fails_on(outcome, "logits")
    assert "a sign is flipped" in outcome.hint


class MaxPoolOverwrites(solution("max_pool2d").MaxPool2d):
    def backward(self, gy):  # gx[index] = gy: an element that is the max of two windows keeps one
        x, = self.inputs
        gx = get_array_module(gy.array).zeros(x.array.size)
        gx[self.argmax.ravel()] = gy.array.ravel()
        return Tensor(gx.reshape(x.shape))


class MaxPoolSpreads(solution("max_pool2d").MaxPool2d):
    def backward(self, gy):  # average pooling's gradient: gy / k^2 to every window element
        x, = self.inputs
        k, s = self.k, self.stride
        gx = get_array_module(gy.array).zeros(x.shape)
        oh, ow = gy.shape[2:]
        for i in range(k):
            for j in range(k):
                gx[:, :, i: i + s * oh: s, j: j + s * ow: s] += gy.array / k ** 2
        return Tensor(gx)


def test_max_pool2d_mistakes():
    outcome = grade("max_pool2d", MaxPool2d=MaxPoolOverwrites)
    assert_fails_on(outcome, "x")
    assert outcome.config["stride"] < outcome.config["k"]  # only overlapping windows show it
    # the report points exactly at the elements that are the max of several windows
    op = solution("max_pool2d").MaxPool2d(outcome.config["k"], outcome.config["stride"])
    case = get("max_pool2d").build(types.SimpleNamespace(MaxPool2d=MaxPoolOverwrites), outcome.config)
    op(case.inputs[0])
    counts = numpy.bincount(op.argmax.ravel(), minlength=case.inputs[0].array.size)
    shared = {tuple(int(v) for v in numpy.unravel_index(i, case.inputs[0].shape))
              for i in numpy.nonzero(counts > 1)[0]}
    assert {m.input_element for m in outcome.result.mismatches} <= shared
    assert_fails_on(grade("max_pool2d", MaxPool2d=MaxPoolSpreads), "x")


class Conv2dReshapeForTranspose(solution("conv2d").Conv2d):
    def backward(self, gy):
        x, w = self.inputs
        n, o, oh, ow = gy.shape
        k = w.shape[2]
        g = gy.reshape(n, o, oh * ow)
        cols = Im2col(k, self.stride, self.padding)(x)
        gw = (g @ cols.transpose(1, 2)).sum(0).reshape(w.shape)
        gcols = w.reshape(-1, o) @ g  # W^T by reshape
        return Col2im(x.shape, k, self.stride, self.padding)(gcols), gw


class Conv2dFirstSampleOnly(solution("conv2d").Conv2d):
    def backward(self, gy):
        gx, _ = super().backward(gy)
        x, w = self.inputs
        n, o, oh, ow = gy.shape
        cols = Im2col(w.shape[2], self.stride, self.padding)(x)
        gw = (gy.reshape(n, o, oh * ow) @ cols.transpose(1, 2))[0].reshape(w.shape)  # no sum over n
        return gx, gw


def test_conv2d_mistakes():
    assert_fails_on(grade("conv2d", Conv2d=Conv2dReshapeForTranspose), "x")
    outcome = grade("conv2d", Conv2d=Conv2dFirstSampleOnly)
    assert_fails_on(outcome, "weight")
    assert outcome.config["n"] == 2


class ConvTransposeFirstSampleOnly(solution("conv_transpose2d").ConvTranspose2d):
    def backward(self, gy):
        x, w = self.inputs
        n, c, h, width = x.shape
        gcols = Im2col(w.shape[2], self.stride, self.padding)(gy)
        gx = (w.reshape(c, -1) @ gcols).reshape(x.shape)
        gw = (x.reshape(n, c, h * width) @ gcols.transpose(1, 2))[0].reshape(w.shape)
        return gx, gw


class ConvTransposeReshapedWeight(solution("conv_transpose2d").ConvTranspose2d):
    def backward(self, gy):
        x, w = self.inputs
        _, gw = super().backward(gy)
        gcols = Im2col(w.shape[2], self.stride, self.padding)(gy)
        gx = (w.reshape(-1, x.shape[1]).T @ gcols).reshape(x.shape)  # reshape, then transpose
        return gx, gw


def test_conv_transpose2d_mistakes():
    assert_fails_on(grade("conv_transpose2d", ConvTranspose2d=ConvTransposeFirstSampleOnly), "weight")
    assert_fails_on(grade("conv_transpose2d", ConvTranspose2d=ConvTransposeReshapedWeight), "x")


class BatchNormConstantStatistics(solution("batch_norm").BatchNorm):
    def backward(self, gy):  # mu and var treated as constants: only the direct path
        gx, ggamma, gbeta = super().backward(gy)
        return gy * self.inputs[1] * Tensor(self.inv_std), ggamma, gbeta


class BatchNormWithoutOneOverN(solution("batch_norm").BatchNorm):
    def backward(self, gy):
        gx, ggamma, gbeta = super().backward(gy)
        return gx * self.inputs[0].shape[0], ggamma, gbeta


class BatchNormGammaNotSummed(solution("batch_norm").BatchNorm):
    def backward(self, gy):
        gx, _, gbeta = super().backward(gy)
        return gx, gy * Tensor(self.xhat), gbeta


def test_batch_norm_mistakes():
    assert_fails_on(grade("batch_norm", BatchNorm=BatchNormConstantStatistics), "x")
    outcome = grade("batch_norm", BatchNorm=BatchNormWithoutOneOverN)
    assert_fails_on(outcome, "x")
    assert "1/N in front of gx is missing" in outcome.hint
    assert_fails_with_error(grade("batch_norm", BatchNorm=BatchNormGammaNotSummed), "for input 1")


class LayerNormBatchStatistics(solution("layer_norm").LayerNorm):
    def backward(self, gy):  # batch_norm's sums (over dim 0) in layer_norm
        x, gamma, _ = self.inputs
        _, ggamma, gbeta = super().backward(gy)
        d = x.shape[1]
        xhat, gxhat = Tensor(self.xhat), gy * gamma
        gx = Tensor(self.inv_std) / d * (d * gxhat - gxhat.sum(0) - xhat * (gxhat * xhat).sum(0))
        return gx, ggamma, gbeta


class LayerNormBetaPerSample(solution("layer_norm").LayerNorm):
    def backward(self, gy):  # sums beta's gradient over the features instead of the batch
        gx, ggamma, _ = super().backward(gy)
        return gx, ggamma, gy.sum(1)


def test_layer_norm_mistakes():
    outcome = grade("layer_norm", LayerNorm=LayerNormBatchStatistics)
    assert_fails_on(outcome, "x")
    outcome = grade("layer_norm", LayerNorm=LayerNormBetaPerSample)
    assert not outcome.passed and ("beta" in outcome.hint or "input 2" in outcome.error)


class ReparameterizeNoHalf(solution("vae").Reparameterize):
    def backward(self, gz):
        mu, logvar, eps = self.inputs
        return gz, gz * eps * (logvar / 2).exp(), None


class KLWrongSign(solution("vae").GaussianKL):
    def backward(self, gkl):
        gmu, glogvar = super().backward(gkl)
        return -gmu, glogvar


class KLNotReshaped(solution("vae").GaussianKL):
    def backward(self, gkl):
        mu, logvar = self.inputs
        return gkl * mu, gkl * (logvar.exp() - 1) / 2


def test_vae_mistakes():
    outcome = grade("vae", Reparameterize=ReparameterizeNoHalf)
    assert_fails_on(outcome, "logvar")
    assert "analytic = 2 x numeric" in outcome.hint and "output 0 = z" in outcome.hint
    outcome = grade("vae", GaussianKL=KLWrongSign)
    assert_fails_on(outcome, "mu")
    assert "a sign is flipped" in outcome.hint and "output 1 = KL" in outcome.hint
    assert not grade("vae", GaussianKL=KLNotReshaped).passed


class CouplingNoTanhDerivative(solution("coupling").CouplingLogDet):
    def backward(self, gld):
        x1, w, b = self.inputs
        ga = gld.reshape(-1, 1) * (1 + 0 * Tensor(self.s))
        return ga @ w.T, x1.T @ ga, ga.sum(0)


class CouplingTransposedWeightGrad(solution("coupling").CouplingLogDet):
    def backward(self, gld):
        gx1, gw, gb = super().backward(gld)
        return gx1, gw.T, gb


class CouplingBiasNotSummed(solution("coupling").CouplingLogDet):
    def backward(self, gld):
        x1, w, b = self.inputs
        ga = gld.reshape(-1, 1) * (1 - Tensor(self.s) ** 2)
        return ga @ w.T, x1.T @ ga, ga


def test_coupling_mistakes():
    assert_fails_on(grade("coupling", CouplingLogDet=CouplingNoTanhDerivative), "x1", "W", "b")
    assert_fails_on(grade("coupling", CouplingLogDet=CouplingTransposedWeightGrad), "W")
    assert_fails_with_error(grade("coupling", CouplingLogDet=CouplingBiasNotSummed), "for input 2")


class CriticWithSavedArray(solution("wgan_gp").Critic):
    def backward(self, gd):  # h from forward's array: right gradient, constant to the penalty
        x, w1, w2 = self.inputs
        h = Tensor(self.h)
        ga = gd.reshape(-1, 1) * w2 * (1 - h * h)
        return ga @ w1.T, x.T @ ga, h.T @ gd


class CriticWrongSign(solution("wgan_gp").Critic):
    def backward(self, gd):
        x, w1, w2 = self.inputs
        h = (x @ w1).tanh()
        ga = gd.reshape(-1, 1) * w2 * (h * h - 1)
        return ga @ w1.T, x.T @ ga, h.T @ gd


def test_wgan_gp_mistakes():
    outcome = grade("wgan_gp", Critic=CriticWithSavedArray)
    assert outcome.result.order == 2 and "recompute h" in outcome.hint
    outcome = grade("wgan_gp", Critic=CriticWrongSign)
    assert_fails_on(outcome, "x", "W1")
    assert "a sign is flipped" in outcome.hint


def test_every_exercise_has_mistake_tests():
    tested = {name for name in NAMES if f"test_{name}_mistakes" in globals()}
    assert tested == set(NAMES)


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
    assert "NotImplementedError" in text and "Hint:" in text and "1 - y^2" in text
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


@pytest.mark.parametrize("name", NAMES)
def test_skeleton_has_the_math_the_task_and_a_hint(name):
    module = types.ModuleType(name)
    exec(skeleton_path(name).read_text(), module.__dict__)
    for part in ("Math", "Your task", "Hint:"):
        assert part in module.__doc__
    for class_name in get(name).classes:
        assert f"write {class_name}.backward" in skeleton_path(name).read_text()
