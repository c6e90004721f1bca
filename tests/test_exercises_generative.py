"""The generative track (autograd/exercises/generative_track.py): every reference solution
passes, typical mistakes fail blaming the right input (or forward output, or mask) with
only the advice that is true of them, answers written differently pass, and the
references compute what the models in scratchgen/ compute.

One exercise's tests: ``pytest tests/test_exercises_generative.py -k iwae``.
"""
import inspect
import math
import types

import numpy
import pytest

import autograd
from autograd import Function, Tensor, get_array_module
from autograd.exercises import get, skeleton_path, solution
from autograd.exercises.checker import check
from autograd.exercises.generative_track import GENERATIVE_EXERCISES, _reach
from autograd.exercises.im2col import Col2im, Im2col
from autograd.nn import functional as F

TRACK = [e.name for e in GENERATIVE_EXERCISES]


def ref(name, cls):
    return getattr(solution(name), cls)


def student(name, *edits, **replaced):
    """A student's file: the reference solution's source with the (old, new) ``edits``
    applied (each old text must occur once), then the classes in ``replaced`` swapped in."""
    source = inspect.getsource(solution(name))
    for old, new in edits:
        assert source.count(old) == 1, f"{old!r} must occur once in solutions/{name}.py"
        source = source.replace(old, new)
    module = types.ModuleType(f"student_{name}")
    exec(compile(source, f"student_{name}.py", "exec"), module.__dict__)
    for class_name, cls in replaced.items():
        setattr(module, class_name, cls)
    return module


def skeleton(name):
    module = types.ModuleType(name)
    exec(skeleton_path(name).read_text(), module.__dict__)
    return module


def wrong_inputs(outcome):
    assert not outcome.passed and outcome.result is not None, outcome.report()
    return {outcome.names[m.input_index] for m in outcome.result.mismatches}


# ----------------------------------------------------------------------------
# The references pass, the skeletons say what is left to write
# ----------------------------------------------------------------------------
def test_the_track_has_at_least_six_new_exercises_each_in_the_generative_track():
    assert len(TRACK) >= 6
    for exercise in GENERATIVE_EXERCISES:
        assert exercise.track == "generative" and 1 <= exercise.difficulty <= 5
        assert len(exercise.steps) == 3 and exercise.examples == 15 and exercise.advice


@pytest.mark.parametrize("name", TRACK)
def test_reference_solution_passes(name):
    outcome = check(get(name), solution(name))
    assert outcome.passed and not outcome.partial, outcome.report()
    assert "PASS" in outcome.report()


@pytest.mark.parametrize("name", TRACK)
def test_untouched_skeleton_fails_and_says_it_is_not_written(name):
    outcome = check(get(name), skeleton(name), max_examples=3)
    assert not outcome.passed and outcome.result is None, outcome.report()
    assert outcome.error.startswith("NotImplementedError") and "not written yet" in outcome.hint


@pytest.mark.parametrize("name", TRACK)
def test_skeleton_gives_the_math_and_the_question_but_not_the_backward(name):
    text = skeleton_path(name).read_text()
    doc = skeleton(name).__doc__
    for part in ("Math", "The question", "Your task", "Hint:"):
        assert part in doc, part
    for class_name in get(name).classes:
        assert f"write {class_name}.backward" in text
        assert 'NotImplementedError("write ' + class_name + '.backward")' in text
    reveal = inspect.getsource(solution(name))
    backward = reveal[reveal.index("def backward"):].splitlines()[-1].strip()
    assert backward not in text, f"the skeleton gives the backward's last line: {backward}"


# ----------------------------------------------------------------------------
# Typical mistakes: what the report must blame, and exactly which advice it prints
# ----------------------------------------------------------------------------
class Mistake:
    """A wrong answer and what its report must say: the inputs whose gradients are wrong
    (``blamed``), or the forward output (``forward``: 'x_t', 'mask A'...), or a fragment of
    the error; and ``hints``: fragments naming exactly the advice printed (all other
    advice of the exercise must be withheld)."""

    def __init__(self, exercise, module, label, blamed=None, forward=None, error=None, hints=()):
        self.exercise, self.module, self.label = exercise, module, label
        self.blamed = set(blamed) if blamed is not None else None
        self.forward, self.error, self.hints = forward, error, hints

    def __repr__(self):
        return f"{self.exercise}:{self.label}"


UPSTREAM_TEXT = "not always 1"
SIGN_TEXT = "check the sign"


# -- q_sample -----------------------------------------------------------------
class QSampleIgnoresGradient(ref("q_sample", "QSample")):
    def backward(self, gx_t):  # the derivatives, broadcast to the images: gx_t is never used
        abar = Tensor(self.abar_t.reshape(-1, 1, 1, 1))
        return abar.sqrt().expand(gx_t.shape), (1 - abar).sqrt().expand(gx_t.shape)


class QSampleSwapped(ref("q_sample", "QSample")):
    def backward(self, gx_t):
        abar = Tensor(self.abar_t.reshape(-1, 1, 1, 1))
        return gx_t * (1 - abar).sqrt(), gx_t * abar.sqrt()


class QSampleFirstImagesT(ref("q_sample", "QSample")):
    def backward(self, gx_t):  # one abar for the whole batch: the first image's
        abar = Tensor(numpy.full((1, 1, 1, 1), self.abar_t[0]))
        return gx_t * abar.sqrt(), gx_t * (1 - abar).sqrt()


Q_ABAR = "abar_t is the product"
Q_XT = "x_t mixes x_0 and eps"
Q_LINEAR = "x_t is linear in x_0"
Q_SAMPLE = [
    Mistake("q_sample", student("q_sample", ("xp.cumprod(1 - betas)", "(1 - betas)")),
            "alpha_t for abar_t", forward="abar_t", hints=[Q_ABAR]),
    Mistake("q_sample", student("q_sample", ("xp.cumprod(1 - betas)", "xp.cumprod(betas)")),
            "a product of the betas", forward="abar_t", hints=[Q_ABAR]),
    Mistake("q_sample", student("q_sample", ("xp.sqrt(abar) * x0 + xp.sqrt(1 - abar) * eps",
                                             "abar * x0 + (1 - abar) * eps")),
            "no square roots", forward="x_t", hints=[Q_XT]),
    Mistake("q_sample", student("q_sample", QSample=QSampleSwapped), "coefficients swapped",
            blamed=["x_0", "eps"], hints=[Q_LINEAR]),
    Mistake("q_sample", student("q_sample", QSample=QSampleFirstImagesT), "one t for the batch",
            blamed=["x_0", "eps"], hints=[Q_LINEAR]),
    Mistake("q_sample", student("q_sample", QSample=QSampleIgnoresGradient), "ignores gx_t",
            blamed=["x_0", "eps"], hints=[UPSTREAM_TEXT]),
]


# -- l_simple -----------------------------------------------------------------
class LSimpleNoTwo(ref("l_simple", "LSimple")):
    def backward(self, g_loss):
        eps_theta, eps = self.inputs
        return g_loss * (eps_theta - eps) / eps_theta.numel(), None


class LSimpleNoMean(ref("l_simple", "LSimple")):
    def backward(self, g_loss):
        eps_theta, eps = self.inputs
        return g_loss * 2 * (eps_theta - eps), None


class LSimpleBackwards(ref("l_simple", "LSimple")):
    def backward(self, g_loss):
        eps_theta, eps = self.inputs
        return g_loss * 2 * (eps - eps_theta) / eps_theta.numel(), None


class LSimpleIgnoresGradient(ref("l_simple", "LSimple")):
    def backward(self, g_loss):
        eps_theta, eps = self.inputs
        return 2 * (eps_theta - eps) / eps_theta.numel(), None


L_MEAN = "mean over every value"
L_TWO = "factor 2"
L_COUNT = "number of values averaged"
L_SIGN = "which way the difference runs"
L_SIMPLE = [
    Mistake("l_simple", student("l_simple", ("** 2).mean()", "** 2).sum()")),
            "a sum", forward="loss", hints=[L_MEAN]),
    Mistake("l_simple", student("l_simple", ("** 2).mean()", "** 2).reshape(len(eps), -1).sum(axis=1).mean()")),
            "the paper's squared norm per image", forward="loss", hints=[L_MEAN]),
    Mistake("l_simple", student("l_simple", LSimple=LSimpleNoTwo), "no 2", blamed=["eps_theta"],
            hints=[L_TWO]),
    Mistake("l_simple", student("l_simple", LSimple=LSimpleNoMean), "no 1/(N C H W)",
            blamed=["eps_theta"], hints=[L_COUNT]),
    Mistake("l_simple", student("l_simple", LSimple=LSimpleBackwards), "eps - eps_theta",
            blamed=["eps_theta"], hints=[L_SIGN]),
    Mistake("l_simple", student("l_simple", LSimple=LSimpleIgnoresGradient), "ignores g_loss",
            blamed=["eps_theta"], hints=[UPSTREAM_TEXT]),
]


# -- ddpm_posterior -----------------------------------------------------------
class PosteriorSwapped(ref("ddpm_posterior", "PosteriorMean")):
    def backward(self, gmean):
        return gmean * Tensor(self.xt_coef), gmean * Tensor(self.x0_coef)


class PosteriorIgnoresGradient(ref("ddpm_posterior", "PosteriorMean")):
    def backward(self, gmean):
        return Tensor(self.x0_coef).expand(gmean.shape), Tensor(self.xt_coef).expand(gmean.shape)


P_MEAN = "two coefficients use abar_{t-1}"
P_VARIANCE = "beta~_t is the posterior's variance"
P_T1 = "an image at t = 1"
P_LINEAR = "the mean is linear"
DDPM_POSTERIOR = [
    Mistake("ddpm_posterior", student("ddpm_posterior", ("xp.sqrt(abar_prev) * beta", "xp.sqrt(abar) * beta")),
            "abar_t for abar_{t-1}", forward="mean", hints=[P_MEAN, P_T1]),
    Mistake("ddpm_posterior", student("ddpm_posterior", ("return (1 - abar_prev) / (1 - abar) * beta",
                                                         "return beta")),
            "beta_t for beta~_t", forward="variance", hints=[P_VARIANCE, P_T1]),
    Mistake("ddpm_posterior", student("ddpm_posterior", ("abar[t - 1], abar_prev[t - 1]",
                                                         "abar[t - 1], abar[t - 2]")),
            "abar_{t-1} wraps around at t = 1", forward="mean", hints=[P_MEAN, P_T1]),
    Mistake("ddpm_posterior", student("ddpm_posterior", ("xp.sqrt(1 - beta) * (1 - abar_prev)",
                                                         "(1 - beta) * (1 - abar_prev)")),
            "alpha_t for sqrt(alpha_t)", forward="mean", hints=[P_MEAN]),
    Mistake("ddpm_posterior", student("ddpm_posterior", PosteriorMean=PosteriorSwapped),
            "coefficients swapped", blamed=["x_0", "x_t"], hints=[P_LINEAR]),
    Mistake("ddpm_posterior", student("ddpm_posterior", PosteriorMean=PosteriorIgnoresGradient),
            "ignores gmean", blamed=["x_0"], hints=[UPSTREAM_TEXT]),   # t = 1: x_t's weight is 0
]


# -- iwae ---------------------------------------------------------------------
class IWAEForgetsOneOverK(ref("iwae", "IWAEBound")):
    def backward(self, g_bound):
        log_w, = self.inputs
        return g_bound * (log_w - self.saved_output()).exp()


class IWAESoftmaxOverTheBatch(ref("iwae", "IWAEBound")):
    def backward(self, g_bound):
        log_w, = self.inputs
        return g_bound * log_w.softmax(dim=1)


class IWAEUnshiftedGradient(ref("iwae", "IWAEBound")):
    def backward(self, g_bound):  # exp(log_w) / sum exp(log_w): 0 / 0 near -1000
        log_w, = self.inputs
        weights = log_w.exp()
        return g_bound * weights / weights.sum(0)


class IWAEIgnoresGradient(ref("iwae", "IWAEBound")):
    def backward(self, g_bound):
        log_w, = self.inputs
        return (log_w - self.saved_output()).exp() / log_w.shape[0]


I_UNDERFLOW = "subtract each sample's largest"
I_LOG_K = "log k above the bound"
I_JENSEN = "yours is below the bound"
I_K = "the factor follows k"
I_COLUMN = "column n of log_w"
I_SHIFT = "need the same shift"
IWAE = [
    Mistake("iwae", student("iwae", ("return largest + xp.log(total) - math.log(log_w.shape[0])",
                                     "return log_w.mean(axis=0)")),
            "the mean of the logs", forward="bound", hints=[I_JENSEN]),
    Mistake("iwae", student("iwae", (" - math.log(log_w.shape[0])", "")),
            "no log k", forward="bound", hints=[I_LOG_K]),
    Mistake("iwae", student("iwae", ("return largest + xp.log(total) - math.log(log_w.shape[0])",
                                     "return xp.log(xp.exp(log_w).mean(axis=0))")),
            "exp without the max", forward="bound", hints=[I_UNDERFLOW]),
    Mistake("iwae", student("iwae", IWAEBound=IWAEForgetsOneOverK), "exp(log_w - bound) without 1/k",
            blamed=["log_w"], hints=[I_K]),
    Mistake("iwae", student("iwae", IWAEBound=IWAESoftmaxOverTheBatch), "softmax over the batch",
            blamed=["log_w"], hints=[I_COLUMN]),
    Mistake("iwae", student("iwae", IWAEBound=IWAEUnshiftedGradient), "unshifted gradient",
            blamed=["log_w"], hints=[I_SHIFT]),
    Mistake("iwae", student("iwae", IWAEBound=IWAEIgnoresGradient), "ignores g_bound",
            blamed=["log_w"], hints=[UPSTREAM_TEXT]),
]


# -- gan_losses ---------------------------------------------------------------
class NaiveSaturating(ref("gan_losses", "SaturatingLoss")):
    def forward(self, logits):  # log(1 - D), D = sigmoid(a): -inf once D rounds to 1
        d = 1 / (1 + numpy.exp(-logits))
        return numpy.log(1 - d).mean()


class SaturatingNegated(ref("gan_losses", "SaturatingLoss")):
    def forward(self, logits):  # -log(1 - D): the discriminator's loss on fakes, not G's
        return ref("gan_losses", "NonSaturatingLoss").forward(self, -logits)


class SaturatingWithoutMean(ref("gan_losses", "SaturatingLoss")):
    def backward(self, g_loss):
        a, = self.inputs
        return -g_loss * a.sigmoid()


class SaturatingAtMinusA(ref("gan_losses", "SaturatingLoss")):
    def backward(self, g_loss):  # the non-saturating loss's sigmoid(-a), where sigmoid(a) belongs
        a, = self.inputs
        return -g_loss * (-a).sigmoid() / a.shape[0]


class NonSaturatingAtA(ref("gan_losses", "NonSaturatingLoss")):
    def backward(self, g_loss):  # softplus' taken at a, not at -a
        a, = self.inputs
        return -g_loss * a.sigmoid() / a.shape[0]


class NonSaturatingIgnoresGradient(ref("gan_losses", "NonSaturatingLoss")):
    def backward(self, g_loss):
        a, = self.inputs
        return -(-a).sigmoid() / a.shape[0]


G_STABLE = "write both losses with softplus"
G_WHICH = "the game's own"
G_N = "batch size N"
G_NS = "softplus(-a)"
G_SAT = "taken at a itself"
GAN_LOSSES = [
    Mistake("gan_losses", student("gan_losses", SaturatingLoss=ref("gan_losses", "NonSaturatingLoss"),
                                  NonSaturatingLoss=ref("gan_losses", "SaturatingLoss")),
            "the two swapped", forward="saturating", hints=[G_WHICH]),
    Mistake("gan_losses", student("gan_losses", SaturatingLoss=NaiveSaturating), "log(1 - sigmoid)",
            forward="saturating", hints=[G_STABLE]),
    Mistake("gan_losses", student("gan_losses", SaturatingLoss=SaturatingNegated), "a sign",
            forward="saturating", hints=[SIGN_TEXT]),
    Mistake("gan_losses", student("gan_losses", SaturatingLoss=SaturatingWithoutMean), "no 1/N",
            blamed=["logits"], hints=[G_N]),
    Mistake("gan_losses", student("gan_losses", SaturatingLoss=SaturatingAtMinusA),
            "sigmoid(-a) for sigmoid(a)", blamed=["logits"], hints=[G_SAT]),
    Mistake("gan_losses", student("gan_losses", NonSaturatingLoss=NonSaturatingAtA),
            "sigmoid(a) for sigmoid(-a)", blamed=["logits"], hints=[G_NS]),
    Mistake("gan_losses", student("gan_losses", NonSaturatingLoss=NonSaturatingIgnoresGradient),
            "ignores g_loss", blamed=["logits"], hints=[UPSTREAM_TEXT]),
]


# -- bits_per_dim -------------------------------------------------------------
class BitsDequantisationChainForgotten(ref("bits_per_dim", "BitsPerDim")):
    def backward(self, g_bpd):  # d/du as if u were x: the 1/256 of x = (k + u) / 256 is missing
        none, gu, gz, gld = super().backward(g_bpd)
        return none, gu * 256, gz, gld


class BitsLogitDerivativeFlipped(ref("bits_per_dim", "BitsPerDim")):
    def backward(self, g_bpd):
        pixels, u, z, flow_log_det = self.inputs
        d = z.shape[1]
        per_nat = g_bpd / (d * math.log(2))
        p = self.alpha + (1 - 2 * self.alpha) * (pixels + u) / 256
        dlogdet_du = (1 / p - 1 / (1 - p)) * (1 - 2 * self.alpha) / 256   # the sign of each term
        per_value = per_nat.reshape(-1, 1)
        return None, -per_value * dlogdet_du, per_value * z, -per_nat


class BitsInnerDerivativeForgotten(ref("bits_per_dim", "BitsPerDim")):
    def backward(self, g_bpd):
        pixels, u, z, flow_log_det = self.inputs
        d = z.shape[1]
        per_nat = g_bpd / (d * math.log(2))
        p = self.alpha + (1 - 2 * self.alpha) * (pixels + u) / 256
        # d/dp of -log p - log(1 - p) taken as -1/p - 1/(1 - p): log(1 - p)'s inner -1 forgotten
        dlogdet_du = -1 / (p * (1 - p)) * (1 - 2 * self.alpha) / 256
        per_value = per_nat.reshape(-1, 1)
        return None, -per_value * dlogdet_du, per_value * z, -per_nat


class BitsGradientInNats(ref("bits_per_dim", "BitsPerDim")):
    def backward(self, g_bpd):
        none, gu, gz, gld = super().backward(g_bpd)
        return none, gu * math.log(2), gz * math.log(2), gld * math.log(2)


class BitsPerImageNotPerDimension(ref("bits_per_dim", "BitsPerDim")):
    def backward(self, g_bpd):  # bits per image: the 1/D left out of every gradient
        none, gu, gz, gld = super().backward(g_bpd)
        d = self.inputs[2].shape[1]
        return none, gu * d, gz * d, gld * d


class BitsIgnoresGradient(ref("bits_per_dim", "BitsPerDim")):
    def backward(self, g_bpd):
        return super().backward(g_bpd * 0 + 1)


B_BITS = "bits, not nats"
B_256 = "8 bits/dim below"
B_LOGDETS = "adds every log-determinant"
B_CHAIN_256 = "brings a 1/256"
B_U = "only through the logit's log-determinant"
B_LN2 = "the gradients are in nats"
B_D = "the factor follows D"
BITS_PER_DIM = [
    Mistake("bits_per_dim", student("bits_per_dim", ("/ (d * math.log(2))\n\n", "/ d\n\n")),
            "nats per dimension", forward="bpd", hints=[B_BITS]),
    Mistake("bits_per_dim", student("bits_per_dim", ("(-log_px + d * math.log(256))", "-log_px")),
            "the 256^-D forgotten", forward="bpd", hints=[B_256]),
    Mistake("bits_per_dim", student("bits_per_dim", ("flow_log_det + logit_log_det", "flow_log_det - logit_log_det")),
            "the logit's log-det subtracted", forward="bpd", hints=[B_LOGDETS]),
    Mistake("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsDequantisationChainForgotten),
            "no 1/256 in gu", blamed=["u"], hints=[B_CHAIN_256]),
    Mistake("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsLogitDerivativeFlipped),
            "logit derivative's sign", blamed=["u"], hints=[SIGN_TEXT]),
    Mistake("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsInnerDerivativeForgotten),
            "log(1 - p)'s inner derivative", blamed=["u"], hints=[B_U]),
    Mistake("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsGradientInNats),
            "gradients in nats", blamed=["u", "z", "flow_log_det"], hints=[B_LN2]),
    Mistake("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsPerImageNotPerDimension),
            "no 1/D", blamed=["u", "z", "flow_log_det"], hints=[B_D]),
    Mistake("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsIgnoresGradient),
            "ignores g_bpd", blamed=["u", "z", "flow_log_det"], hints=[UPSTREAM_TEXT]),
]


# -- pixelcnn_masks -----------------------------------------------------------
MASK_ROW = 'taps[centre, :centre + (mask_type == "B")] = 1'


class MaskedConvUnmaskedWeightGradient(ref("pixelcnn_masks", "MaskedConv2d")):
    def backward(self, gy):
        x, w = self.inputs
        n, o, h, width = gy.shape
        k = w.shape[2]
        g = gy.reshape(n, o, h * width)
        cols = Im2col(k, 1, k // 2)(x)
        gw = (g @ cols.transpose(1, 2)).sum(0).reshape(w.shape)     # every tap gets a gradient
        gcols = (w * Tensor(self.mask)).reshape(o, -1).T @ g
        return Col2im(x.shape, k, 1, k // 2)(gcols), gw


class MaskedConvUnmaskedInputGradient(ref("pixelcnn_masks", "MaskedConv2d")):
    def backward(self, gy):
        x, w = self.inputs
        n, o, h, width = gy.shape
        k = w.shape[2]
        g = gy.reshape(n, o, h * width)
        cols = Im2col(k, 1, k // 2)(x)
        gw = (g @ cols.transpose(1, 2)).sum(0).reshape(w.shape) * Tensor(self.mask)
        gcols = w.reshape(o, -1).T @ g                              # the weight before masking
        return Col2im(x.shape, k, 1, k // 2)(gcols), gw


class MaskedConvIgnoresGradient(ref("pixelcnn_masks", "MaskedConv2d")):
    def backward(self, gy):
        return super().backward(gy * 0 + 1)


X_A = "mask A keeps the centre"
X_B = "mask B drops the centre"
X_FUTURE = "raster order runs row by row"
X_BLIND = "drops taps that look at earlier pixels"
X_WEIGHT = "masked taps never reach the output"
X_INPUT = "the weight that forward used"
PIXELCNN_MASKS = [
    Mistake("pixelcnn_masks", student("pixelcnn_masks", (MASK_ROW, "taps[centre, :centre + 1] = 1")),
            "A keeps the centre", forward="mask A", error="causality", hints=[X_A]),
    Mistake("pixelcnn_masks", student("pixelcnn_masks", (MASK_ROW, "taps[centre, :centre] = 1")),
            "B drops the centre", forward="mask B", error="receptive field", hints=[X_B]),
    Mistake("pixelcnn_masks", student("pixelcnn_masks", ("taps[:centre, :] = 1", "taps[centre + 1:, :] = 1")),
            "the rows below the centre", forward="mask A", error="causality", hints=[X_FUTURE]),
    Mistake("pixelcnn_masks", student("pixelcnn_masks", (MASK_ROW, 'taps[centre, centre:centre + (mask_type == "B")] = 1')),
            "the centre row left out", forward="mask A", error="receptive field", hints=[X_BLIND]),
    Mistake("pixelcnn_masks", student("pixelcnn_masks", MaskedConv2d=MaskedConvUnmaskedWeightGradient),
            "weight gradient not masked", blamed=["weight"], hints=[X_WEIGHT]),
    Mistake("pixelcnn_masks", student("pixelcnn_masks", MaskedConv2d=MaskedConvUnmaskedInputGradient),
            "x's gradient through the unmasked weight", blamed=["x"], hints=[X_INPUT]),
    Mistake("pixelcnn_masks", student("pixelcnn_masks", MaskedConv2d=MaskedConvIgnoresGradient),
            "ignores gy", blamed=["x", "weight"], hints=[UPSTREAM_TEXT]),
]

MISTAKES = Q_SAMPLE + L_SIMPLE + DDPM_POSTERIOR + IWAE + GAN_LOSSES + BITS_PER_DIM + PIXELCNN_MASKS


def grade_mistake(mistake):
    return check(get(mistake.exercise), mistake.module)


@pytest.mark.parametrize("mistake", MISTAKES, ids=repr)
def test_a_typical_mistake_fails_blaming_the_right_part_with_only_true_advice(mistake):
    outcome = grade_mistake(mistake)
    report = outcome.report()
    assert not outcome.passed and "FAIL" in report and "Hint:" in report, report
    if mistake.forward is not None:
        assert outcome.result is None, report
        if mistake.forward.startswith("mask"):
            assert outcome.hint.startswith(f"{mistake.forward} is wrong"), report
        else:
            assert outcome.error.startswith(f"forward: {mistake.forward} is wrong"), report
    if mistake.error is not None:
        assert outcome.error.startswith(mistake.error), report
    if mistake.blamed is not None:
        assert wrong_inputs(outcome) == mistake.blamed, report
        assert "wrong: the gradient of " in outcome.hint
    advice = get(mistake.exercise).advice
    expected = {h.text for h in advice if any(key in h.text for key in mistake.hints)}
    printed = {h.text for h in advice if h.text in outcome.hint}
    assert printed == expected, report


def test_each_exercise_has_three_typical_mistakes_one_of_them_ignoring_the_incoming_gradient():
    for name in TRACK:
        rows = [m for m in MISTAKES if m.exercise == name]
        assert len(rows) >= 3, name
        assert any(UPSTREAM_TEXT in m.hints for m in rows), name


def test_every_piece_of_advice_is_seen_printed_and_seen_withheld():
    for name in TRACK:
        rows = [m for m in MISTAKES if m.exercise == name]
        for hint in get(name).advice:
            shown = [m for m in rows if any(key in hint.text for key in m.hints)]
            assert shown, f"{name}: no mistake shows {hint.text!r}"
            assert len(shown) < len(rows), f"{name}: {hint.text!r} is never withheld"


def test_a_factor_is_blamed_on_the_count_only_when_it_follows_the_count():
    halved = grade_mistake(next(m for m in L_SIMPLE if m.label == "no 2"))
    assert "0.5 x numeric" in halved.hint and L_COUNT not in halved.hint
    unaveraged = grade_mistake(next(m for m in L_SIMPLE if m.label == "no 1/(N C H W)"))
    c = unaveraged.config
    assert f"{c['n'] * c['c'] * c['h'] * c['w']:.4g} x numeric" in unaveraged.hint


def test_the_stability_mistakes_fail_only_where_exp_overflows_or_underflows():
    naive = grade_mistake(next(m for m in IWAE if m.label == "exp without the max"))
    assert naive.config["loc"] == -1000.0 and naive.tried > 1
    naive = grade_mistake(next(m for m in GAN_LOSSES if m.label == "log(1 - sigmoid)"))
    assert naive.config["loc"] > 0 and naive.tried > 1


def test_a_mask_failure_names_the_pixels_of_the_causality_violation():
    outcome = grade_mistake(PIXELCNN_MASKS[0])        # mask A keeps the centre
    assert "output pixel (row 0, column 0) depends on input pixel (row 0, column 0), itself" \
        in outcome.error, outcome.report()
    assert outcome.names == ("image",) and outcome.config is not None


def test_a_mask_equal_in_causality_but_unlike_the_reference_is_refused():
    """Twos in place of ones keep the same causal structure; the mask must still be 0/1."""
    doubled = student("pixelcnn_masks", ("return numpy.broadcast_to(taps,", "return 2 * numpy.broadcast_to(taps,"))
    outcome = check(get("pixelcnn_masks"), doubled)
    assert outcome.error.startswith("mask A: causal_mask('A'") and "yours 2, expected 1" in outcome.error
    assert not any(h.text in outcome.hint for h in get("pixelcnn_masks").advice)


# ----------------------------------------------------------------------------
# Right answers written differently from the references
# ----------------------------------------------------------------------------
def alpha_bar_by_logs(betas, t):
    """abar_t as exp(sum of log alpha_s for s <= t), with a 0/1 matrix picking the steps."""
    xp = get_array_module(betas)
    steps = xp.arange(1, len(betas) + 1)
    upto = (steps[None, :] <= xp.asarray(t)[:, None]).astype(betas.dtype)    # (N, T)
    return xp.exp(upto @ xp.log1p(-betas))


class QSampleByProducts(Function):
    def __init__(self, betas, t):
        self.abar_t = alpha_bar_by_logs(betas, t)

    def forward(self, x0, eps):
        xp = get_array_module(x0)
        n = x0.shape[0]
        self.signal = xp.sqrt(self.abar_t).reshape(n, 1, 1, 1)
        self.noise = xp.sqrt(1 - self.abar_t).reshape(n, 1, 1, 1)
        return self.signal * x0 + self.noise * eps

    def backward(self, gx_t):
        return Tensor(self.signal) * gx_t, Tensor(self.noise) * gx_t


def posterior_variance_by_ratio(betas, t):
    alphas = 1 - betas
    abar = numpy.cumprod(alphas)
    abar_prev = numpy.where(t > 1, abar[numpy.maximum(t - 2, 0)], 1.0)
    return betas[t - 1] * (1 - abar_prev) / (1 - abar[t - 1])


class PosteriorMeanThroughX0Guess(Function):
    """mu~_t written as Ho et al.'s mu_theta: (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t)
    with the eps that x_0 and x_t imply; the same linear map of x_0 and x_t."""

    def __init__(self, betas, t):
        self.betas, self.t = betas, t

    def forward(self, x0, x_t):
        beta = self.betas[self.t - 1].reshape(-1, 1, 1, 1)
        abar = numpy.cumprod(1 - self.betas)[self.t - 1].reshape(-1, 1, 1, 1)
        implied_eps = (x_t - numpy.sqrt(abar) * x0) / numpy.sqrt(1 - abar)
        self.scale = (beta / numpy.sqrt(1 - abar), numpy.sqrt(1 - beta), abar)
        return (x_t - beta / numpy.sqrt(1 - abar) * implied_eps) / numpy.sqrt(1 - beta)

    def backward(self, gmean):
        beta, root_alpha, abar = (Tensor(a) for a in self.scale)
        g_eps = -gmean * beta / root_alpha
        g_xt = gmean / root_alpha + g_eps / (1 - abar).sqrt()
        g_x0 = -g_eps * abar.sqrt() / (1 - abar).sqrt()
        return g_x0, g_xt


class LSimpleBySum(Function):
    def forward(self, eps_theta, eps):
        self.count = eps.size
        difference = eps - eps_theta
        return (difference * difference).sum() / self.count

    def backward(self, g_loss):
        eps_theta, eps = self.inputs
        scale = 2 * g_loss / self.count
        return (eps_theta - eps) * scale, None


class IWAEByLogsumexp(Function):
    def forward(self, log_w):
        xp = get_array_module(log_w)
        shifted = log_w - log_w.max(axis=0, keepdims=True)
        self.shares = xp.exp(shifted) / xp.exp(shifted).sum(axis=0, keepdims=True)
        return log_w.max(axis=0) + xp.log(xp.exp(shifted).mean(axis=0))

    def backward(self, g_bound):
        log_w, = self.inputs
        return log_w.softmax(dim=0) * g_bound.reshape(1, -1)


class SaturatingByLogSigmoid(Function):
    def forward(self, logits):
        xp = get_array_module(logits)
        # log(1 - sigmoid(a)) = log sigmoid(-a) = -(log(1 + e^-|a|) + max(a, 0))
        return -(xp.logaddexp(0, logits)).mean()

    def backward(self, g_loss):
        a, = self.inputs
        return g_loss * ((-a).sigmoid() - 1) / a.shape[0]   # -sigmoid(a), as sigmoid(-a) - 1


class NonSaturatingByLogaddexp(Function):
    def forward(self, logits):
        return get_array_module(logits).logaddexp(0, -logits).mean()

    def backward(self, g_loss):
        a, = self.inputs
        return g_loss * (a.sigmoid() - 1) / len(a)


class BitsPerDimInSteps(Function):
    """The same bits/dim, built up in bits from the start."""

    def __init__(self, alpha=0.05):
        self.alpha = alpha

    def forward(self, pixels, u, z, flow_log_det):
        xp = get_array_module(z)
        d = z.shape[1]
        p = self.alpha + (1 - 2 * self.alpha) * (pixels + u) / 256
        stretch = xp.log((1 - 2 * self.alpha) / (p * (1 - p))).sum(axis=1)
        gaussian = -(z ** 2).sum(axis=1) / 2 - d * math.log(math.sqrt(2 * math.pi))
        return 8 - (gaussian + flow_log_det + stretch) / d / math.log(2)

    def backward(self, g_bpd):
        pixels, u, z, flow_log_det = self.inputs
        scale = (g_bpd / (z.shape[1] * math.log(2))).reshape(-1, 1)
        p = self.alpha + (1 - 2 * self.alpha) * (pixels + u) / 256
        dp_du = (1 - 2 * self.alpha) / 256
        gu = scale * (1 - 2 * p) / (p * (1 - p)) * dp_du    # -d log(p (1 - p)) / dp, times -1
        return None, gu, scale * z, -scale.reshape(-1)


def filled(name, **code):
    """The skeleton with each ``raise NotImplementedError("write WHAT")`` replaced by the
    student's code for WHAT (keyword: WHAT with the dot as an underscore), loaded as their file."""
    text = skeleton_path(name).read_text()
    for what, body in code.items():
        target = what.replace("_backward", ".backward")
        line = f'raise NotImplementedError("write {target}")'
        assert text.count(line) == 1, line
        indent = text[:text.index(line)].rsplit("\n", 1)[1]
        text = text.replace(line, inspect.cleandoc(body).replace("\n", "\n" + indent))
    module = types.ModuleType(f"student_{name}")
    exec(compile(text, f"student_{name}.py", "exec"), module.__dict__)
    return module


PIXELCNN_BY_RASTER_OFFSETS = filled(
    "pixelcnn_masks",
    causal_mask="""
        # keep a tap when its raster offset from the centre is negative (or zero, for B)
        offset = numpy.arange(kernel_size ** 2) - kernel_size ** 2 // 2
        keep = offset < 0 if mask_type == "A" else offset <= 0
        taps = keep.astype(float).reshape(kernel_size, kernel_size)
        return numpy.tile(taps, (out_channels, in_channels, 1, 1))""",
    MaskedConv2d_backward="""
        import autograd
        n, o, h, width = gy.shape
        k = w.shape[2]
        masked = w * Tensor(self.mask)
        cols = Im2col(k, 1, k // 2)(x)                            # (N, C*k*k, H*W)
        g = gy.reshape(n, o, h * width)
        gw = autograd.einsum("nol,nkl->ok", g, cols).reshape(w.shape) * Tensor(self.mask)
        gcols = autograd.einsum("ok,nol->nkl", masked.reshape(o, -1), g)
        return Col2im(x.shape, k, 1, k // 2)(gcols), gw""")


RIGHT_ANSWERS = [
    ("q_sample", student("q_sample", alpha_bar=alpha_bar_by_logs, QSample=QSampleByProducts)),
    ("l_simple", student("l_simple", LSimple=LSimpleBySum)),
    ("ddpm_posterior", student("ddpm_posterior", posterior_variance=posterior_variance_by_ratio,
                               PosteriorMean=PosteriorMeanThroughX0Guess)),
    ("iwae", student("iwae", IWAEBound=IWAEByLogsumexp)),
    ("gan_losses", student("gan_losses", SaturatingLoss=SaturatingByLogSigmoid,
                           NonSaturatingLoss=NonSaturatingByLogaddexp)),
    ("bits_per_dim", student("bits_per_dim", BitsPerDim=BitsPerDimInSteps)),
    ("pixelcnn_masks", PIXELCNN_BY_RASTER_OFFSETS),
]


@pytest.mark.parametrize("name,module", RIGHT_ANSWERS, ids=[n for n, _ in RIGHT_ANSWERS])
def test_a_right_answer_written_differently_passes(name, module):
    outcome = check(get(name), module)
    assert outcome.passed and not outcome.partial, outcome.report()


def test_every_exercise_has_a_right_answer_written_differently():
    assert {name for name, _ in RIGHT_ANSWERS} == set(TRACK)


# ----------------------------------------------------------------------------
# The references compute what the models in scratchgen/ compute
# ----------------------------------------------------------------------------
def _diffusion(betas):
    from scratchgen.models.ddpm import DDPM, NoiseSchedule
    return DDPM(model=None, schedule=NoiseSchedule(betas), image_shape=(2, 3, 3))


def _draws(seed=0, n=4):
    rng = numpy.random.default_rng(seed)
    betas = numpy.linspace(1e-4, 0.02, 50)
    t = numpy.array([1, 2, 25, 50][:n])
    return rng, betas, t, Tensor(rng.standard_normal((n, 2, 3, 3))), Tensor(rng.standard_normal((n, 2, 3, 3)))


def test_q_sample_is_ddpms_q_sample():
    _, betas, t, x0, eps = _draws()
    ours = solution("q_sample").QSample(betas, t)(x0, eps)
    theirs = _diffusion(betas).q_sample(x0, Tensor(t), eps)
    numpy.testing.assert_allclose(ours.array, theirs.array, rtol=1e-12)
    numpy.testing.assert_allclose(solution("q_sample").alpha_bar(betas, t),
                                  _diffusion(betas).schedule.host["abar"][t], rtol=1e-12)


def test_ddpm_posterior_is_ddpms_q_posterior():
    _, betas, t, x0, x_t = _draws(1)
    reference = solution("ddpm_posterior")
    mean, variance = _diffusion(betas).q_posterior(x0, x_t, Tensor(t))
    numpy.testing.assert_allclose(reference.PosteriorMean(betas, t)(x0, x_t).array, mean.array,
                                  rtol=1e-12, atol=1e-15)
    numpy.testing.assert_allclose(reference.posterior_variance(betas, t), variance.array.reshape(-1),
                                  rtol=1e-12, atol=1e-15)


def test_l_simple_is_ddpms_loss():
    """DDPM.loss draws t and eps itself: a network that records x_t lets us recover eps."""
    rng, betas, _, x0, _ = _draws(2)
    guess = Tensor(rng.standard_normal(x0.shape))
    seen = {}

    def network(x_t, t):
        seen.update(x_t=x_t, t=t)
        return guess
    diffusion = _diffusion(betas)
    diffusion.model = network
    loss = diffusion.loss(x0)
    abar = diffusion.schedule.host["abar"][seen["t"].array].reshape(-1, 1, 1, 1)
    eps = (seen["x_t"].array - numpy.sqrt(abar) * x0.array) / numpy.sqrt(1 - abar)
    ours = solution("l_simple").LSimple()(guess, Tensor(eps))
    assert float(ours) == pytest.approx(float(loss), rel=1e-10)


def test_iwae_is_the_metrics_bound_near_0_and_near_minus_1000():
    from scratchgen.metrics import iwae_bound
    rng = numpy.random.default_rng(3)
    for loc in (0.0, -1000.0):
        log_w = loc + 3 * rng.standard_normal((5, 4))
        ours = solution("iwae").IWAEBound()(Tensor(log_w)).array
        numpy.testing.assert_allclose(ours, iwae_bound(log_w), rtol=1e-12)
    one = rng.standard_normal((1, 4))         # k = 1: the ELBO, the single log-weight
    numpy.testing.assert_allclose(solution("iwae").IWAEBound()(Tensor(one)).array, one[0])


def test_gan_losses_are_binary_cross_entropies_of_the_logits():
    logits = Tensor(numpy.array([-800.0, -50.0, -3.0, 0.0, 2.0, 50.0, 800.0]))
    reference = solution("gan_losses")
    # non-saturating: BCE against the label 1 (what scratchgen/train/gan.py gives G)
    non_saturating = F.binary_cross_entropy_with_logits(logits, autograd.ones(7, dtype=autograd.float64))
    assert float(reference.NonSaturatingLoss()(logits)) == pytest.approx(float(non_saturating), rel=1e-12)
    # saturating: log(1 - D) is minus the BCE against the label 0
    zeros = autograd.zeros(7, dtype=autograd.float64)
    saturating = -F.binary_cross_entropy_with_logits(logits, zeros)
    assert float(reference.SaturatingLoss()(logits)) == pytest.approx(float(saturating), rel=1e-12)


def test_the_non_saturating_loss_is_the_dcgan_trainers_generator_loss():
    """scratchgen/train/gan.py: G's loss is nn.BCELoss on D's sigmoid output against the label 1
    (logits of at most 12 in size: beyond, sigmoid rounds 1 - D, and BCELoss clamps its log)."""
    from scratchgen.train.gan import DCGAN
    logits = Tensor(numpy.linspace(-12.0, 12.0, 9))
    criterion = autograd.nn.BCELoss()
    ones, zeros = autograd.ones(9, dtype=autograd.float64), autograd.zeros(9, dtype=autograd.float64)
    reference = solution("gan_losses")
    assert float(reference.NonSaturatingLoss()(logits)) == pytest.approx(
        float(criterion(logits.sigmoid(), ones)), rel=1e-9)
    assert float(reference.SaturatingLoss()(logits)) == pytest.approx(
        -float(criterion(logits.sigmoid(), zeros)), rel=1e-9)
    # the trainer's own lines: the criterion, and G's loss on fresh fakes against the label 1
    assert "self.criterion = nn.BCELoss()" in inspect.getsource(DCGAN.build)
    assert "self.criterion(self.D(fake), ones)" in inspect.getsource(DCGAN.train_step)


def test_bits_per_dim_is_the_flows_bits_per_dim():
    from scratchgen.models.flow import RealNVP
    autograd.manual_seed(0)
    flow = RealNVP(image_shape=(1, 4, 4), levels=1, couplings=2, final_couplings=2, hidden=4).double()
    flow.eval()
    rng = numpy.random.default_rng(4)
    pixels = rng.integers(0, 256, (3, 1, 4, 4)).astype(numpy.float64)
    u = rng.uniform(0, 1, pixels.shape)
    x = Tensor((pixels + u) / 256)
    with autograd.no_grad():
        y, _ = flow.to_logit(x)
        z, flow_log_det = flow(y)
        theirs = flow.bits_per_dim(x)
    ours = solution("bits_per_dim").BitsPerDim(flow.alpha)(
        Tensor(pixels.reshape(3, -1)), Tensor(u.reshape(3, -1)), z.flatten(1), flow_log_det)
    numpy.testing.assert_allclose(ours.array, theirs.array, rtol=1e-12)   # the flow in float64


def test_bits_per_dim_of_the_uniform_density_is_8():
    """z and log-dets chosen so that log p(x) = 0: the uniform density on [0, 1)^D is 8 bits/dim."""
    from scratchgen.metrics import bits_per_dim_8bit, logit_log_det
    rng = numpy.random.default_rng(5)
    pixels, u = rng.integers(0, 256, (2, 6)).astype(float), rng.uniform(0, 1, (2, 6))
    z = numpy.zeros((2, 6))
    flow_log_det = 3 * math.log(2 * math.pi) - logit_log_det((pixels + u) / 256, 0.05)
    bpd = solution("bits_per_dim").BitsPerDim(0.05)(Tensor(pixels), Tensor(u), Tensor(z), Tensor(flow_log_det))
    numpy.testing.assert_allclose(bpd.array, 8.0, rtol=1e-12)
    numpy.testing.assert_allclose(bits_per_dim_8bit(0.0, 6), 8.0)


def test_pixelcnn_masks_are_the_models_masks_and_reach_as_far():
    from scratchgen.models import pixelcnn
    for kind in "AB":
        for k in (1, 3, 5, 7):
            ours = solution("pixelcnn_masks").causal_mask(kind, 2, 3, k)
            numpy.testing.assert_array_equal(ours, numpy.broadcast_to(pixelcnn.causal_mask(kind, k), ours.shape))
    # the model's own layers, stacked as the check stacks the student's, reach the same pixels
    config = {"k": 3, "c": 2, "h": 4, "w": 5, "layers": 2}
    model = types.SimpleNamespace(MaskedConv2d=lambda kind: _model_layer(pixelcnn, kind))
    numpy.testing.assert_array_equal(_reach(model, config), _reach(solution("pixelcnn_masks"), config))
    assert not numpy.triu(_reach(model, config)).any()    # causal: nothing at or after pixel i


def _model_layer(pixelcnn, kind):
    """scratchgen's MaskedConv2d given a weight, called as the exercise's Function is."""
    def apply(x, w):
        layer = pixelcnn.MaskedConv2d(w.shape[1], w.shape[0], w.shape[2], kind, bias=False).double()
        layer.weight.data = w.double()
        return layer(x.double())
    return apply
