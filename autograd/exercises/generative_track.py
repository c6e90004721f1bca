"""The generative track: the generative models' own mathematics, forward and backward.

Each exercise is one idea of a model in ``scratchgen/``, written as a Function (or
two) whose forward the student writes as well as its backward.  The check compares
the forward's values with the reference solution's first (``Case.expected``: a
wrong value is blamed on the output, before any gradient is looked at), then the
backward with finite differences, with incoming gradients that are not all 1.

    q_sample        DDPM's jump to step t: abar_t, a cumulative product
    l_simple        DDPM's training loss: a mean of squares
    ddpm_posterior  the mean and variance of q(x_{t-1} | x_t, x_0)
    iwae            the importance-weighted bound (a log-mean-exp), stable at -1000
    gan_losses      the generator's saturating and non-saturating losses, from logits
    bits_per_dim    a flow's NLL of 8-bit images: dequantisation, logit, 256^-D, bits
    pixelcnn_masks  masks A and B, graded by causality, then the masked convolution

(vae, coupling and wgan_gp, in catalog.py, belong to this track too.)  The
references are ``solutions/NAME.py``; tests/test_exercises_generative.py checks
them against the models in scratchgen/, so that the exercises teach what the
models do.
"""
import dataclasses
import importlib
import math
import re

import numpy
from hypothesis import strategies as st

from .. import backend
from ..grad_mode import no_grad
from ..tensor import Tensor
from .exercise import SIGN, UPSTREAM, Case, Evidence, Exercise, Hint, constant, normal, seeded_rng

LN2 = math.log(2.0)


def _reference(name):
    """The reference solution's module (importing the package would import the catalog)."""
    return importlib.import_module(f"{__package__}.solutions.{name}")


def _forward_checked(name, build):
    """``build``, with the reference solution's forward values as the Case's expected ones."""
    def build_with_expected(ops, config):
        case = build(ops, config)
        reference = build(_reference(name), config).fn
        case.expected = lambda *inputs: _values(reference, inputs)
        return case
    return build_with_expected


def _values(fn, inputs):
    with no_grad():
        outputs = fn(*inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return tuple(backend.to_numpy(y.array) for y in outputs)


def _as_output(values):
    """A value the student's plain function returns (abar_t, a variance), as an output of
    the checked function: a constant Tensor, so gradcheck sees a zero Jacobian."""
    return Tensor(numpy.asarray(values, dtype=numpy.float64))


# ----------------------------------------------------------------------------
# What a wrong forward value shows (see exercise.Evidence: forward, pattern, error)
# ----------------------------------------------------------------------------
def _forward(*outputs):
    return lambda e: e.forward in outputs


def _worst(e):
    """(yours, expected) at the worst element of a wrong forward value, read from the
    checker's line "... yours Y, expected E"; (None, None) when there is none."""
    found = re.search(r"yours (\S+), expected (\S+)$", e.error) if e.forward else None
    return (float(found[1]), float(found[2])) if found else (None, None)


def _worst_index(e):
    """The index of the worst element of a wrong forward value, read from the checker's
    line "... at index (i, j): ..."; None when there is none."""
    found = re.search(r"at index \(([^)]*)\)", e.error) if e.forward else None
    return tuple(int(i) for i in found[1].split(",") if i.strip()) if found else None


def _inputs_checked(name, build, e):
    """The inputs that the failing configuration was checked on (seeded by it), as arrays."""
    case = build(_reference(name), e.config)
    return [backend.to_numpy(x.array) for x in case.inputs]


def _not_finite(e):
    yours, _ = _worst(e)
    return yours is not None and not math.isfinite(yours)


def _gap(e):
    """yours - expected at the worst element, when both are finite."""
    yours, expected = _worst(e)
    if yours is None or not math.isfinite(yours):
        return None
    return yours - expected


def _gap_near(target, tolerance=1e-3):
    def near(e):
        gap = _gap(e)
        return gap is not None and abs(gap - target(e)) <= tolerance * max(1.0, abs(target(e)))
    return near


def _factor_near(value, tolerance=1e-3):
    return lambda e: e.factor is not None and abs(e.factor - value) <= tolerance * abs(value)


def _both(*conditions):
    return lambda e: all(condition(e) for condition in conditions)


def _factor_follows_size(e):
    return e.factor_scales


# ----------------------------------------------------------------------------
# DDPM: q_sample, ddpm_posterior, l_simple
# ----------------------------------------------------------------------------
@st.composite
def _timesteps(draw):
    """T steps, a batch of 2 or 3 images each at its own t in 1..T, and the image size."""
    steps = draw(st.integers(2, 8))
    t = draw(st.lists(st.integers(1, steps), min_size=2, max_size=3))
    return {"T": steps, "t": tuple(t), "c": draw(st.integers(1, 2)), "h": draw(st.integers(1, 2)),
            "w": draw(st.integers(1, 2))}


def _schedule(c):
    """A linear schedule of c["T"] betas, larger than a real one's so that T = 8 steps go
    a long way, and the images; seeded by the configuration."""
    rng = seeded_rng(c)
    betas = numpy.linspace(rng.uniform(0.02, 0.1), rng.uniform(0.2, 0.4), c["T"])
    shape = (len(c["t"]), c["c"], c["h"], c["w"])
    return rng, betas, numpy.array(c["t"]), shape


def _build_q_sample(ops, c):
    rng, betas, t, shape = _schedule(c)

    def q_sample(x0, eps):
        return _as_output(ops.alpha_bar(betas, t)), ops.QSample(betas, t)(x0, eps)
    return Case(q_sample, (normal(rng, shape), normal(rng, shape)), ("x_0", "eps"),
                outputs=("abar_t", "x_t"))


def _build_ddpm_posterior(ops, c):
    rng, betas, t, shape = _schedule(c)

    def posterior(x0, x_t):
        return ops.PosteriorMean(betas, t)(x0, x_t), _as_output(ops.posterior_variance(betas, t))
    return Case(posterior, (normal(rng, shape), normal(rng, shape)), ("x_0", "x_t"),
                outputs=("mean", "variance"))


def _worst_at_t_equal_1(e):
    """The worst wrong value belongs to an image at t = 1 (the first index is the image's)."""
    index = _worst_index(e)
    return bool(index) and e.config["t"][index[0]] == 1


def _images_config():
    return st.fixed_dictionaries({"n": st.integers(1, 3), "c": st.integers(1, 2),
                                  "h": st.integers(1, 3), "w": st.integers(2, 3)})


def _values_in(c):
    return c["n"] * c["c"] * c["h"] * c["w"]


def _one_more_image(c):
    """rescale for l_simple: one more image, so the mean's count grows by C H W."""
    bigger = dict(c, n=c["n"] + 1)
    return bigger, _values_in(c), _values_in(bigger)


def _a_sum_not_a_mean(e):
    """The forward's factor is a count of values: a sum (N C H W) or a sum per image (C H W)."""
    c = e.config
    counts = (_values_in(c), c["c"] * c["h"] * c["w"])
    return e.factor is not None and any(abs(e.factor - n) <= 1e-6 * n for n in counts)


def _build_l_simple(ops, c):
    rng = seeded_rng(c)
    shape = (c["n"], c["c"], c["h"], c["w"])
    eps_theta, eps = normal(rng, shape), constant(rng.standard_normal(shape))
    return Case(lambda guess, target: ops.LSimple()(guess, target), (eps_theta, eps),
                ("eps_theta", "eps"), outputs=("loss",))


# ----------------------------------------------------------------------------
# The importance-weighted bound
# ----------------------------------------------------------------------------
def _iwae_config():
    """k draws for each of n samples, log-weights near 0 or near -1000 (where exp is 0)."""
    return st.fixed_dictionaries({"k": st.integers(1, 4), "n": st.integers(2, 3),
                                  "loc": st.sampled_from([0.0, -1000.0])})


def _build_iwae(ops, c):
    rng = seeded_rng(c)
    log_w = Tensor(c["loc"] + 2 * rng.standard_normal((c["k"], c["n"])), requires_grad=True)
    return Case(lambda lw: ops.IWAEBound()(lw), (log_w,), ("log_w",), outputs=("bound",))


def _one_more_draw(c):
    return dict(c, k=c["k"] + 1), c["k"], c["k"] + 1


def _log_k(e):
    return math.log(e.config["k"])


def _mean_of_the_logs(e):
    """At the worst sample, yours is the mean of its k log-weights (the ELBO averaged over
    the draws) rather than the log of their mean weight."""
    index, (yours, _) = _worst_index(e), _worst(e)
    if not index or yours is None or not math.isfinite(yours):
        return False
    log_w, = _inputs_checked("iwae", _build_iwae, e)
    mean = log_w[:, index[0]].mean()
    return abs(yours - mean) <= 1e-5 * max(1.0, abs(mean))   # yours is printed to 6 digits


# ----------------------------------------------------------------------------
# The generator's losses
# ----------------------------------------------------------------------------
def _logits_config():
    """A batch of logits around 0, around +-50 (where sigmoid rounds to 0 or 1) and around
    +-800 (where exp overflows)."""
    return st.fixed_dictionaries({"n": st.integers(2, 5),
                                  "loc": st.sampled_from([0.0, 50.0, -50.0, 800.0, -800.0])})


def _build_gan_losses(ops, c):
    logits = Tensor(c["loc"] + 2 * seeded_rng(c).standard_normal(c["n"]), requires_grad=True)
    return Case(lambda a: (ops.SaturatingLoss()(a), ops.NonSaturatingLoss()(a)), (logits,),
                ("logits",), outputs=("saturating", "non_saturating"))


def _the_other_loss(e):
    """The wrong loss's value is, up to its sign, the other loss's: the two are mixed up."""
    yours, _ = _worst(e)
    if yours is None or not math.isfinite(yours) or e.pattern == "sign":
        return False
    logits, = _inputs_checked("gan_losses", _build_gan_losses, e)
    other = {"saturating": numpy.logaddexp(0, -logits).mean(),        # the non-saturating loss
             "non_saturating": -numpy.logaddexp(0, logits).mean()}[e.forward]
    return abs(abs(yours) - abs(other)) <= 1e-5 * max(1.0, abs(other))


# ----------------------------------------------------------------------------
# Bits per dimension
# ----------------------------------------------------------------------------
def _bits_config():
    """n images of d values, and the logit transform's margin alpha (RealNVP's default in
    scratchgen is 0.05)."""
    return st.fixed_dictionaries({"n": st.integers(2, 3), "d": st.integers(2, 6),
                                  "alpha": st.sampled_from([0.05, 0.1])})


def _build_bits_per_dim(ops, c):
    rng = seeded_rng(c)
    shape = (c["n"], c["d"])
    pixels = constant(rng.integers(0, 256, shape).astype(numpy.float64))
    u = Tensor(rng.uniform(0.05, 0.95, shape), requires_grad=True)   # away from the bin's edges
    z, flow_log_det = normal(rng, shape), normal(rng, (c["n"],), 3.0)
    return Case(lambda k, u, z, ld: ops.BitsPerDim(c["alpha"])(k, u, z, ld), (pixels, u, z, flow_log_det),
                ("pixels", "u", "z", "flow_log_det"), outputs=("bpd",))


def _a_log_det_missed(e):
    """At the worst image, yours - expected is (in nats) one or two times the logit's or the
    flow's log-determinant: one of them was left out, or subtracted instead of added."""
    index, gap = _worst_index(e), _gap(e)
    if not index or gap is None:
        return False
    pixels, u, z, flow_log_det = _inputs_checked("bits_per_dim", _build_bits_per_dim, e)
    alpha, n = e.config["alpha"], index[0]
    p = alpha + (1 - 2 * alpha) * (pixels[n] + u[n]) / 256
    logit_log_det = numpy.log((1 - 2 * alpha) / (p * (1 - p))).sum()
    nats = abs(gap) * z.shape[1] * LN2
    return any(abs(nats - times * abs(log_det)) <= 1e-3 * max(1.0, abs(log_det))
               for times in (1, 2) for log_det in (logit_log_det, flow_log_det[n]))


# ----------------------------------------------------------------------------
# PixelCNN's masks: graded by causality, then by gradcheck
# ----------------------------------------------------------------------------
def _pixelcnn_config():
    """One configuration serves both checks: (k, c as hidden channels, layers, h, w) build the
    causality stack; (n, c, o, k, type, h, w) the masked convolution that gradcheck checks."""
    return st.fixed_dictionaries({
        "k": st.sampled_from([3, 5]), "type": st.sampled_from(["A", "B"]), "n": st.integers(1, 2),
        "c": st.integers(1, 2), "o": st.integers(1, 2), "h": st.integers(2, 4),
        "w": st.integers(2, 4), "layers": st.integers(1, 2)})


def _build_pixelcnn_masks(ops, c):
    rng = seeded_rng(c)
    x, w = normal(rng, (c["n"], c["c"], c["h"], c["w"])), normal(rng, (c["o"], c["c"], c["k"], c["k"]))
    return Case(lambda x, w: ops.MaskedConv2d(c["type"])(x, w), (x, w), ("x", "weight"))


def _reach(ops, c):
    """reach[i, j]: in a stack of one mask-A layer and c["layers"] mask-B layers built from
    ``ops``, output pixel i depends on input pixel j (raster indices)."""
    rng = seeded_rng(c)
    h, w, hidden, k = c["h"], c["w"], c["c"], c["k"]
    pixels = h * w
    images = Tensor(numpy.eye(pixels).reshape(pixels, 1, h, w))    # image j: a one at pixel j
    # positive weights: paths through the stack add up and never cancel, so a dependence is
    # a non-zero (the stack is linear: its response to image j is column j of its Jacobian)
    y = ops.MaskedConv2d("A")(images, Tensor(rng.uniform(0.5, 1.5, (hidden, 1, k, k))))
    for _ in range(c["layers"]):
        y = ops.MaskedConv2d("B")(y, Tensor(rng.uniform(0.5, 1.5, (hidden, hidden, k, k))))
    return (numpy.abs(backend.to_numpy(y.array)).sum(axis=1).reshape(pixels, pixels) != 0).T


def _mask_fault(mask, mask_type):
    """How a mask differs from the causal one: None (it does not), 'future' (keeps a tap after
    the centre in raster order), 'centre' (mask A keeps the centre), 'no centre' (mask B drops
    it), 'blind' (drops a tap before the centre) or '' (values other than 0 and 1, channels
    masked unlike each other)."""
    k = mask.shape[-1]
    right = _reference("pixelcnn_masks").causal_mask(mask_type, mask.shape[0], mask.shape[1], k)
    if numpy.array_equal(mask, right):
        return None
    offset = numpy.arange(k * k).reshape(k, k) - (k * k) // 2     # < 0 before the centre, > 0 after
    kept = (mask != 0).any(axis=(0, 1))
    if (kept & (offset > 0)).any():
        return "future"
    if mask_type == "A" and kept[k // 2, k // 2]:
        return "centre"
    if mask_type == "B" and not kept[k // 2, k // 2]:
        return "no centre"
    if (~kept & (offset < 0)).any():
        return "blind"
    return ""


def _student_masks(ops, c):
    """The student's masks A (hidden, 1, k, k) and B (hidden, hidden, k, k), or a text saying
    why they cannot be used."""
    masks = {}
    for kind, channels in (("A", 1), ("B", c["c"])):
        wanted = (c["c"], channels, c["k"], c["k"])
        mask = numpy.asarray(ops.causal_mask(kind, *wanted[:3]), dtype=numpy.float64)
        if mask.shape != wanted:
            return f"causal_mask({kind!r}, {', '.join(map(str, wanted[:3]))}) has shape {mask.shape}; " \
                   f"expected {wanted}"
        masks[kind] = mask
    return masks


def _pixel(index, width):
    return f"(row {index // width}, column {index % width})"


def _causality_failure(ops, c):
    """None when the student's masks are right; else (what is wrong, Evidence)."""
    masks = _student_masks(ops, c)
    if isinstance(masks, str):
        return masks, Evidence(c, error=masks)
    reached, allowed = _reach(ops, c), _reach(_reference("pixelcnn_masks"), c)
    faults = {f"mask {kind}": _mask_fault(masks[kind], kind) for kind in "AB"}
    stack = (f"in a stack of one mask-A layer and {c['layers']} mask-B layer(s), {c['k']} x {c['k']}, "
             f"on a {c['h']} x {c['w']} image, ")
    seen_late = numpy.triu(reached)                  # output i, input j >= i
    missed = allowed & ~reached
    if seen_late.any():
        i, j = numpy.argwhere(seen_late)[0]
        text = (f"causality: {stack}output pixel {_pixel(i, c['w'])} depends on input pixel "
                f"{_pixel(j, c['w'])}, {'itself' if i == j else 'a later pixel'} in raster order: "
                "the gradient of output i with respect to input j must be 0")
        wanted = ("future", "centre")
    elif missed.any():
        i, j = numpy.argwhere(missed)[0]
        text = (f"receptive field: {stack}output pixel {_pixel(i, c['w'])} does not depend on input "
                f"pixel {_pixel(j, c['w'])}, an earlier pixel that the reference masks reach: your "
                "masks drop taps they may keep")
        wanted = ("blind", "no centre")
    else:
        wanted = ("future", "centre", "blind", "no centre", "")
        text = _mask_difference(masks, c)
        if text is None:
            return None
    blamed = next((name for name, fault in faults.items() if fault in wanted), "")
    return text, Evidence(c, forward=blamed or "masks", pattern=faults.get(blamed) or "", error=text)


def _mask_difference(masks, c):
    """The first element where a mask differs from the reference, said in words; or None."""
    for kind, mask in masks.items():
        right = _reference("pixelcnn_masks").causal_mask(kind, *mask.shape[:2], c["k"])
        if not numpy.array_equal(mask, right):
            where = tuple(int(i) for i in numpy.argwhere(mask != right)[0])
            return (f"mask {kind}: causal_mask({kind!r}, {mask.shape[0]}, {mask.shape[1]}, {c['k']}) "
                    f"differs from the reference at {where}: yours {mask[where]:g}, "
                    f"expected {right[where]:g}")
    return None


class _WrongMasks(Exception):
    """Raised inside the hypothesis test at the first configuration whose masks are wrong."""


def _first_mask_failure(exercise, module, max_examples):
    """(tried, config, text, Evidence) for the first configuration whose masks are wrong, or
    None.  Configurations are drawn as checker.check draws them (derandomised)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings

    tried, found = [0], []

    @settings(max_examples=max_examples or exercise.examples, deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck), print_blob=False,
              report_multiple_bugs=False, verbosity=Verbosity.quiet,
              phases=(Phase.explicit, Phase.generate))
    @given(exercise.configs())
    def trial(config):
        if found:
            raise _WrongMasks()
        try:
            failure = _causality_failure(module, config)
        except Exception as err:   # the student's causal_mask or forward raised
            text = f"{type(err).__name__}: {err}"
            failure = text, Evidence(config, error=text)
        if failure is not None:
            found.append((config,) + failure)
            raise _WrongMasks()
        tried[0] += 1

    try:
        trial()
    except _WrongMasks:
        config, text, evidence = found[0]
        return tried[0] + 1, config, text, evidence
    return None


NOT_WRITTEN = "the code is not written yet: replace the `raise NotImplementedError` the error names."


def _grade_pixelcnn_masks(exercise, module, max_examples, figure):
    """Causality first (the masks, on every configuration), then gradcheck of the masked
    convolution's backward (checker.check, as for any other exercise)."""
    from . import checker

    failure = _first_mask_failure(exercise, module, max_examples)
    if failure is None:
        return checker.check(dataclasses.replace(exercise, grade=None), module, max_examples, figure)
    tried, config, text, evidence = failure
    if text.startswith("NotImplementedError"):
        lines = [NOT_WRITTEN]
    elif evidence.forward:
        lines = [f"{evidence.forward} is wrong (the gradients were not checked yet)."]
        lines += [h.text for h in exercise.advice if h.applies(evidence)]
    else:
        lines = ["the check could not run: the error above says where it was raised."]
    return checker.Outcome(exercise.name, exercise.level, False, tried, False, config=config,
                           names=("image",), error=text, hint="\n  ".join(lines),
                           asked=exercise.examples)


# ----------------------------------------------------------------------------
# The list
# ----------------------------------------------------------------------------
GENERATIVE_EXERCISES = [
    Exercise(
        "q_sample", "DDPM's forward process in one jump: x_t from x_0 and the noise", 2,
        ("QSample",), _timesteps, _forward_checked("q_sample", _build_q_sample), (
            Hint("abar_t is the product alpha_1 alpha_2 ... alpha_t of every step up to t, with "
                 "alpha_s = 1 - beta_s: not one step's alpha or beta.  t counts from 1, and "
                 "betas[0] is beta_1.", _forward("abar_t")),
            Hint("x_t mixes x_0 and eps with the square roots of abar_t and of 1 - abar_t, each "
                 "image with its own t.", _forward("x_t")),
            Hint("x_t is linear in x_0 and in eps: each gradient is the incoming one times that "
                 "input's own coefficient, image by image.", lambda e: bool(e.wrong)),
            UPSTREAM),
        ("x_t is a weighted sum of x_0 and eps, with one pair of weights per image.",
         "gx_0 = gx_t * (x_0's weight), geps = gx_t * (eps's weight), the weights shaped "
         "(N, 1, 1, 1).",
         "a = Tensor(per_image(self.abar_t, gx_t.ndim)); return gx_t * a.sqrt(), "
         "gx_t * (1 - a).sqrt()")),
    Exercise(
        "l_simple", "DDPM's training loss: the mean squared error of the predicted noise", 2,
        ("LSimple",), _images_config, _forward_checked("l_simple", _build_l_simple), (
            Hint("L_simple here is a mean over every value of the batch (N C H W of them), as "
                 "DDPM.loss takes it: not a sum, nor a sum per image.",
                 _both(_forward("loss"), _a_sum_not_a_mean)),
            Hint("the derivative of a square carries a factor 2.",
                 _both(lambda e: not e.forward, _factor_near(0.5)), patterns=("factor",)),
            Hint("the factor follows the number of values averaged: the mean's 1/(N C H W) is "
                 "missing or doubled.", _factor_follows_size, patterns=("factor",)),
            Hint("eps_theta gives the loss the difference eps_theta - eps: lowering L moves "
                 "eps_theta towards eps, so check which way the difference runs.",
                 lambda e: not e.forward, patterns=("sign",)),
            UPSTREAM),
        ("L is a mean of squares: each value of eps_theta appears in one square, and the mean "
         "divides every square by the number of values.",
         "g_eps_theta = g_loss * (the derivative of one square) / (the number of values).",
         "return g_loss * 2 * (eps_theta - eps) / eps_theta.numel(), None"),
        rescale=_one_more_image),
    Exercise(
        "ddpm_posterior", "the mean and variance of DDPM's posterior q(x_{t-1} | x_t, x_0)", 3,
        ("PosteriorMean",), _timesteps, _forward_checked("ddpm_posterior", _build_ddpm_posterior), (
            Hint("mu~_t's two coefficients use abar_{t-1}, the step before, as well as abar_t and "
                 "the step's own beta_t and alpha_t: check which one each factor takes.",
                 _forward("mean")),
            Hint("beta~_t is the posterior's variance, not the forward step's: beta_t scaled by "
                 "(1 - abar_{t-1}) / (1 - abar_t), smaller than beta_t.", _forward("variance")),
            Hint("the worst value belongs to an image at t = 1, where abar_{t-1} is abar_0 = 1, the "
                 "empty product (an index t - 2 into the cumulative product would wrap around "
                 "to the last step).", _worst_at_t_equal_1),
            Hint("the mean is linear in x_0 and in x_t: each gradient is the incoming one times "
                 "that input's own coefficient, image by image.", lambda e: bool(e.wrong)),
            UPSTREAM),
        ("mu~_t is a weighted sum of x_0 and x_t, with one pair of weights per image; beta~_t "
         "does not depend on them.",
         "gx_0 = gmean * (x_0's coefficient), gx_t = gmean * (x_t's coefficient), each shaped "
         "(N, 1, 1, 1).",
         "save both coefficients in forward; return gmean * Tensor(self.x0_coef), "
         "gmean * Tensor(self.xt_coef)")),
    Exercise(
        "iwae", "the importance-weighted bound log-mean-exp of k log-weights (k = 1: the ELBO)", 3,
        ("IWAEBound",), _iwae_config, _forward_checked("iwae", _build_iwae), (
            Hint("exp of a log-weight near -1000 is 0 in float64 (and near +710 it is inf): "
                 "subtract each sample's largest log-weight before exp, and add it back after "
                 "the log.", _not_finite),
            Hint("yours is log k above the bound: the mean's 1/k is missing (the log of a sum "
                 "of the weights, not of their mean).",
                 _both(lambda e: e.config["k"] > 1, _gap_near(_log_k))),
            Hint("yours is below the bound: it is the mean of the log-weights (the ELBO averaged "
                 "over the k draws), and the bound is the log of the mean of the weights "
                 "exp(log w), higher by Jensen's inequality.", _mean_of_the_logs),
            Hint("the factor follows k, the number of draws: each log-weight's share of the "
                 "gradient is its normalised weight w_j / sum_i w_i, and one sample's k shares "
                 "sum to 1.", _factor_follows_size, patterns=("factor",)),
            Hint("bound n depends on column n of log_w only, its own k log-weights, whose shares "
                 "w_j / sum_i w_i sum to 1: normalise along dim 0, over each sample's k draws (at "
                 "k = 1 the one share is 1: the bound is the ELBO log w_1, its gradient g_bound).",
                 lambda e: "log_w" in e.wrong and e.config["loc"] == 0
                 and (e.spurious or e.config["k"] == 1)),
            Hint("the log-weights are near -1000 here, where exp is 0 in float64: the gradient's "
                 "weights need the same shift as the forward (by the largest log-weight, or by "
                 "the bound itself).", lambda e: bool(e.wrong) and e.config["loc"] != 0),
            UPSTREAM),
        ("L_k = logsumexp of the k log-weights - log k: the log k is a constant, and the "
         "derivative of a log-sum-exp is the one of the logsumexp exercise.",
         "glog_w = g_bound * (each draw's share w_j / sum_i w_i of its sample's weight: a softmax "
         "along dim 0, computed from the saved bound, not from exp(log_w)).",
         "return g_bound * (log_w - self.saved_output()).exp() / log_w.shape[0]"),
        rescale=_one_more_draw),
    Exercise(
        "gan_losses", "the generator's saturating and non-saturating losses, from the logits",
        3, ("SaturatingLoss", "NonSaturatingLoss"), _logits_config,
        _forward_checked("gan_losses", _build_gan_losses), (
            Hint("a logit of 50 makes sigmoid(a) exactly 1 in float64, and log(1 - 1) = -inf (of "
                 "-800, exp(800) = inf): write both losses with softplus, evaluated so that exp "
                 "never sees a large positive number.", _not_finite),
            Hint("the saturating loss is the game's own, mean log(1 - D(G(z))), at most 0 and "
                 "flat where D rejects the fakes; the non-saturating one is -mean log D(G(z)).",
                 _the_other_loss),
            Hint("the factor follows the batch size N: the 1/N of the mean is missing or "
                 "doubled.", _factor_follows_size, patterns=("factor",)),
            Hint("the saturating loss is -softplus(a), averaged: the derivative of softplus is a "
                 "sigmoid, here taken at a itself.", lambda e: "saturating" in e.outputs),
            Hint("the non-saturating loss is softplus(-a): the derivative of softplus is a "
                 "sigmoid, taken at -a, and the chain rule brings the -1.",
                 lambda e: "non_saturating" in e.outputs),
            SIGN, UPSTREAM),
        ("d softplus(x) / dx = sigmoid(x); log(1 - sigmoid(a)) = -softplus(a) and "
         "-log sigmoid(a) = softplus(-a).",
         "saturating: g = -g_loss * sigmoid(a) / N; non-saturating: g = -g_loss * sigmoid(-a) / N "
         "(with Tensor ops).",
         "a, = self.inputs; return -g_loss * a.sigmoid() / a.shape[0] (saturating), "
         "-g_loss * (-a).sigmoid() / a.shape[0] (non-saturating)"),
        rescale=lambda c: (dict(c, n=c["n"] + 1), c["n"], c["n"] + 1)),
    Exercise(
        "bits_per_dim", "a flow's NLL of 8-bit images in bits/dim: dequantisation, logit, 256^-D",
        4, ("BitsPerDim",),
        _bits_config, _forward_checked("bits_per_dim", _build_bits_per_dim), (
            Hint("bits, not nats: a nat is 1 / ln 2 bits, so the NLL is divided by D ln 2.",
                 _both(_forward("bpd"), _factor_near(LN2))),
            Hint("yours is 8 bits/dim below: p(x) is a density over x = (k + u) / 256, whose bins "
                 "are 1/256 wide; the 8-bit image's probability needs the 256^-D, D log 256 nats "
                 "(8 bits per dimension).", _gap_near(lambda e: -8.0)),
            Hint("log p(x) adds every log-determinant: the flow's and the logit's, "
                 "sum_d log((1 - 2 alpha) / (p_d (1 - p_d))) (the density of x gains what the map "
                 "x -> y stretches), to log N(z; 0, I).",
                 _both(_forward("bpd"), _a_log_det_missed)),
            Hint("u reaches the loss through x = (k + u) / 256: the chain rule brings a 1/256.",
                 _both(lambda e: e.wrong == {"u"}, _factor_near(256.0)), patterns=("factor",)),
            Hint("u reaches the loss only through the logit's log-determinant: differentiate it in "
                 "p, then chain through p = alpha + (1 - 2 alpha) x and x = (k + u) / 256.",
                 lambda e: "u" in e.wrong),
            Hint("the factor is ln 2: the gradients are in nats; bits per dimension divide every "
                 "nat by D ln 2.", _both(lambda e: not e.forward, _factor_near(LN2)),
                 patterns=("factor",)),
            Hint("the factor follows D, the number of values per image: the 1/D of \"per "
                 "dimension\" is missing or doubled.", _factor_follows_size, patterns=("factor",)),
            SIGN, UPSTREAM),
        ("bpd = (-log N(z) - flow_log_det - logit_log_det(x)) / (D ln 2) + 8, one per image; "
         "pixels are constants.",
         "per_nat = g_bpd / (D ln 2); gz = per_nat (N, 1) * z; g_flow_log_det = -per_nat; "
         "gu = -per_nat (N, 1) * d logit_log_det / dp * dp / du.",
         "p = alpha + (1 - 2 alpha) (pixels + u) / 256; gu = -per_nat.reshape(-1, 1) * "
         "(1 / (1 - p) - 1 / p) * (1 - 2 alpha) / 256"),
        rescale=lambda c: (dict(c, d=c["d"] + 1), c["d"], c["d"] + 1)),
    Exercise(
        "pixelcnn_masks", "PixelCNN's masks A and B (graded by causality) and the masked "
        "convolution's backward", 4, ("MaskedConv2d",), _pixelcnn_config, _build_pixelcnn_masks, (
            Hint("mask A keeps the centre tap: the first layer's input is the image, so output "
                 "pixel i would see x_i itself.  Only mask B, whose input at i already depends on "
                 "x_<i alone, keeps the centre.",
                 lambda e: e.forward == "mask A" and e.pattern == "centre"),
            Hint("mask B drops the centre tap: from the second layer on, the feature at pixel i "
                 "depends on x_<i only and may be seen; without it the network sees less than "
                 "it may.", lambda e: e.pattern == "no centre"),
            Hint("raster order runs row by row from the top, left to right in each row: a tap "
                 "below the centre row, or right of the centre on it, looks at a later pixel.",
                 lambda e: e.pattern == "future"),
            Hint("the mask drops taps that look at earlier pixels: every row above the centre, "
                 "and the taps left of the centre on its row, may be kept.",
                 lambda e: e.pattern == "blind"),
            Hint("the masked taps never reach the output (forward multiplies them by 0): their "
                 "gradient must be 0 as well.", lambda e: "weight" in e.wrong and e.spurious),
            Hint("x's gradient goes back through the weight that forward used: the masked one.",
                 lambda e: "x" in e.wrong and e.spurious),
            UPSTREAM),
        ("A tap may look at a pixel only if it comes before the output's pixel in raster order "
         "(mask B: or is that pixel).  The layer is conv2d with the weight w * mask.",
         "causal_mask: ones in the rows above the centre and left of the centre on its row "
         "(and the centre for B); backward: conv2d's backward with w * mask, and gw * mask.",
         "taps[:K // 2] = 1; taps[K // 2, :K // 2 + (mask_type == 'B')] = 1, for every (O, C); "
         "g = gy.reshape(N, O, H W), cols = Im2col(K, 1, K // 2)(x): gw = (g @ cols^T).sum(0) "
         "reshaped to w's shape, times mask; gx = Col2im(x.shape, K, 1, K // 2)"
         "((w * mask).reshape(O, -1)^T @ g)."),
        grade=_grade_pixelcnn_masks),
]

for _exercise in GENERATIVE_EXERCISES:
    _exercise.track = "generative"
