"""The exercises, from first contact to hard: for each, the configurations
hypothesis draws and how one configuration becomes a function to check.

``build(ops, config)`` receives the student's module as ``ops`` (or the
reference solution's) and returns a Case: the function, its inputs and their
names.  Inputs are float64 draws from a generator seeded by the configuration,
so a failing case can be reproduced exactly.  The seed is not drawn by
hypothesis: it comes from the configuration itself, so that shrinking a failing
case only has shapes and settings to shrink, and stays quick.
"""
import numpy
from hypothesis import strategies as st

from ..autograd import grad
from .engine_track import ENGINE_EXERCISES
from .exercise import (SIGN, UPSTREAM, Case, Exercise, Hint, constant, distinct, normal, pattern,
                       positive, seeded_rng, through, wrong)
from .generative_track import GENERATIVE_EXERCISES

_rng = seeded_rng


def _shape(max_dims=3, max_side=3, min_dims=1, min_side=2):
    """Sides of at least 2 by default: a Jacobian of one element shows no pattern."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


# ----------------------------------------------------------------------------
# 1. Elementwise, matmul, reductions
# ----------------------------------------------------------------------------
@st.composite
def _broadcast_pair(draw):
    """Shapes a and b that broadcast, often with a size-1 or missing dim."""
    result = draw(_shape(max_dims=3, max_side=3))
    a = tuple(draw(st.sampled_from([s, 1])) for s in result)
    b = tuple(draw(st.sampled_from([s, 1])) for s in result[draw(st.integers(0, len(result))):])
    return {"a_shape": a, "b_shape": b}


def _build_add_mul(ops, c):
    rng = _rng(c)
    a, b = normal(rng, c["a_shape"]), normal(rng, c["b_shape"])
    return Case(lambda a, b: (ops.Add()(a, b), ops.Mul()(a, b)), (a, b), ("a", "b"),
                outputs=("Add(a, b)", "Mul(a, b)"))


def _one_shape(**shape_args):
    return st.fixed_dictionaries({"shape": _shape(**shape_args)})


def _build_exp_log(ops, c):
    x = positive(_rng(c), c["shape"])
    return Case(lambda x: (ops.Exp()(x), ops.Log()(x)), (x,), ("x",), outputs=("Exp(x)", "Log(x)"))


def _build_unary(class_name):
    def build(ops, c):
        return Case(lambda x: getattr(ops, class_name)()(x), (normal(_rng(c), c["shape"], 2.0),), ("x",))
    return build


def _build_matmul(ops, c):
    rng = _rng(c)
    a, b = normal(rng, (c["n"], c["k"])), normal(rng, (c["k"], c["m"]))
    return Case(lambda a, b: ops.MatMul()(a, b), (a, b), ("A", "B"))


@st.composite
def _shape_and_dim(draw, none_allowed=True, keepdim=True):
    shape = draw(_shape())
    dims = list(range(len(shape))) + ([None] if none_allowed else [])
    config = {"shape": shape, "dim": draw(st.sampled_from(dims))}
    if keepdim:
        config["keepdim"] = draw(st.booleans())
    return config


def _build_sum_mean(ops, c):
    x = normal(_rng(c), c["shape"])
    d, k = c["dim"], c["keepdim"]
    return Case(lambda x: (ops.Sum(d, k)(x), ops.Mean(d, k)(x)), (x,), ("x",),
                outputs=("Sum(x)", "Mean(x)"))


def _build_softmax(ops, c):
    return Case(lambda x: ops.Softmax(c["dim"])(x), (normal(_rng(c), c["shape"]),), ("x",))


def _build_logsumexp(ops, c):
    op = ops.LogSumExp
    return Case(lambda x: op(c["dim"], c["keepdim"])(x), (normal(_rng(c), c["shape"]),), ("x",))


def _build_cross_entropy(ops, c):
    rng = _rng(c)
    z = normal(rng, (c["n"], c["classes"]))
    labels = constant(rng.integers(0, c["classes"], c["n"]))
    return Case(lambda z, t: ops.CrossEntropy()(z, t), (z, labels), ("logits", "labels"))


# ----------------------------------------------------------------------------
# 2. Layers on images and features
# ----------------------------------------------------------------------------
@st.composite
def _pool_config(draw):
    k = draw(st.integers(2, 3))
    return {"n": draw(st.integers(1, 2)), "c": draw(st.integers(1, 2)), "k": k,
            "stride": draw(st.integers(1, k)), "h": draw(st.integers(k, k + 2)),
            "w": draw(st.integers(k, k + 2))}


def _build_max_pool2d(ops, c):
    x = distinct(_rng(c), (c["n"], c["c"], c["h"], c["w"]))
    return Case(lambda x: ops.MaxPool2d(c["k"], c["stride"])(x), (x,), ("x",))


@st.composite
def _conv_config(draw, transposed=False):
    k = draw(st.integers(1, 3))
    padding = draw(st.integers(0, (k - 1) // 2 if transposed else k - 1))
    smallest = 1 if transposed else max(1, k - 2 * padding)  # at least one window
    return {"n": draw(st.integers(1, 2)), "c": draw(st.integers(1, 2)), "o": draw(st.integers(1, 2)),
            "k": k, "stride": draw(st.integers(1, 2)), "padding": padding,
            "h": draw(st.integers(smallest + 1, smallest + 2)),   # + 1: blocks of 2 x 2 or more
            "w": draw(st.integers(smallest + 1, smallest + 2))}


def _build_conv2d(ops, c):
    rng = _rng(c)
    x = normal(rng, (c["n"], c["c"], c["h"], c["w"]))
    w = normal(rng, (c["o"], c["c"], c["k"], c["k"]))
    return Case(lambda x, w: ops.Conv2d(c["stride"], c["padding"])(x, w), (x, w), ("x", "weight"))


def _build_conv_transpose2d(ops, c):
    rng = _rng(c)
    x = normal(rng, (c["n"], c["c"], c["h"], c["w"]))
    w = normal(rng, (c["c"], c["o"], c["k"], c["k"]))
    return Case(lambda x, w: ops.ConvTranspose2d(c["stride"], c["padding"])(x, w), (x, w),
                ("x", "weight"))


def _features(min_n=1, min_d=2):
    return st.fixed_dictionaries({"n": st.integers(min_n, 4), "d": st.integers(min_d, 4)})


def _build_norm(class_name):
    def build(ops, c):
        rng = _rng(c)
        x = normal(rng, (c["n"], c["d"]))
        gamma, beta = normal(rng, (c["d"],)), normal(rng, (c["d"],))
        return Case(lambda x, g, b: getattr(ops, class_name)()(x, g, b), (x, gamma, beta),
                    ("x", "gamma", "beta"))
    return build


# ----------------------------------------------------------------------------
# 3. Pieces of the generative models
# ----------------------------------------------------------------------------
def _build_vae(ops, c):
    rng = _rng(c)
    mu, logvar = normal(rng, (c["n"], c["d"])), normal(rng, (c["n"], c["d"]))
    eps = constant(rng.standard_normal((c["n"], c["d"])))
    return Case(lambda mu, lv: (ops.Reparameterize()(mu, lv, eps), ops.GaussianKL()(mu, lv)),
                (mu, logvar), ("mu", "logvar"), outputs=("z", "KL"))


def _build_coupling(ops, c):
    rng = _rng(c)
    x1, w, b = normal(rng, (c["n"], c["d"])), normal(rng, (c["d"], c["d"]), 0.5), normal(rng, (c["d"],))
    return Case(lambda x1, w, b: ops.CouplingLogDet()(x1, w, b), (x1, w, b), ("x1", "W", "b"))


def gradient_penalty(critic, x, w1, w2):
    """mean((||dD/dx|| - 1)^2), differentiable in x, w1 and w2 through critic's backward."""
    scores = critic()(x, w1, w2)
    gx, = grad(scores.sum(), [x], create_graph=True)
    norms = ((gx * gx).sum(1) + 1e-12).sqrt()
    return ((norms - 1) ** 2).mean()


def _build_wgan_gp(ops, c):
    rng = _rng(c)
    x, w1, w2 = normal(rng, (c["n"], c["i"])), normal(rng, (c["i"], c["h"])), normal(rng, (c["h"],))
    return Case(lambda x, w1, w2: ops.Critic()(x, w1, w2), (x, w1, w2), ("x", "W1", "w2"),
                second_order=lambda x, w1, w2: gradient_penalty(ops.Critic, x, w1, w2))


def _critic_config():
    return st.fixed_dictionaries({"n": st.integers(1, 3), "i": st.integers(2, 3),
                                  "h": st.integers(1, 3)})


# ----------------------------------------------------------------------------
# When a piece of advice is true of a failure (see exercise.Hint)
# ----------------------------------------------------------------------------
def _broadcast_input(name):
    """The input was really broadcast in this configuration (so summing back matters)."""
    def was_broadcast(e):
        a, b = e.config["a_shape"], e.config["b_shape"]
        result = numpy.broadcast_shapes(a, b)
        return (name in e.wrong or "returned a gradient of shape" in e.error) and \
            tuple({"a": a, "b": b}[name]) != tuple(result)
    return was_broadcast


def _lost_dim_without_keepdim(e):
    """keepdim=False, and the failure is what a missing reshape does: a shape error, or a
    gradient that broadcast against the wrong dims and so reaches elements it should not."""
    if e.config.get("keepdim", True):
        return False
    shape_error = "returned a gradient of shape" in e.error or "cannot broadcast" in e.error
    return shape_error or e.spurious


def _windows_overlap(c):
    """stride < kernel and more than one window along some dim: windows share elements."""
    more_than_one = (c["h"] - c["k"]) // c["stride"] > 0 or (c["w"] - c["k"]) // c["stride"] > 0
    return c["stride"] < c["k"] and more_than_one


def _transpose_matters(e):
    """W (O, C*K*K) reshaped to (C*K*K, O) equals its transpose when O = 1 or C*K*K = 1:
    only otherwise can a reshape-for-transpose be the mistake."""
    c = e.config
    return "x" in e.wrong and c["o"] > 1 and c["c"] * c["k"] * c["k"] > 1


def _factor_follows_n(e):
    return e.pattern == "factor" and e.factor_scales


def _grow(key):
    """rescale for a batch-size-like setting: the same configuration with one more."""
    def rescale(config):
        return dict(config, **{key: config[key] + 1}), config[key], config[key] + 1
    return rescale


def _grow_reduced_dim(config):
    """rescale for sum/mean: one more element in the reduced dim (the first, for dim=None)."""
    shape = list(config["shape"])
    dims = range(len(shape)) if config["dim"] is None else [config["dim"]]
    size = int(numpy.prod([shape[d] for d in dims]))
    shape[config["dim"] if config["dim"] is not None else 0] += 1
    other = int(numpy.prod([shape[d] for d in dims]))
    return dict(config, shape=tuple(shape)), size, other


# ----------------------------------------------------------------------------
# 3. Through time: an LSTM cell, two steps
# ----------------------------------------------------------------------------
def _build_lstm_cell(ops, c):
    """Two steps of the student's cell with shared weights: h2 and c2 depend on the
    first step only through what the second step's backward passes back."""
    rng = _rng(c)
    n, size, hidden = c["n"], c["inputs"], c["hidden"]
    x1, x2 = normal(rng, (n, size)), normal(rng, (n, size))
    h0, c0 = normal(rng, (n, hidden), 0.5), normal(rng, (n, hidden), 0.5)
    w_ih, w_hh = normal(rng, (4 * hidden, size), 0.5), normal(rng, (4 * hidden, hidden), 0.5)
    b = normal(rng, (4 * hidden,), 0.5)

    def two_steps(x1, x2, h0, c0, w_ih, w_hh, b):
        h1, c1 = ops.LSTMCell()(x1, h0, c0, w_ih, w_hh, b)
        return ops.LSTMCell()(x2, h1, c1, w_ih, w_hh, b)
    return Case(two_steps, (x1, x2, h0, c0, w_ih, w_hh, b),
                ("x1", "x2", "h0", "c0", "W_ih", "W_hh", "b"), outputs=("h2", "c2"))


def _later_step_right_earlier_wrong(e):
    """x2's gradient (from the second step alone) is right, the first step's inputs' are not."""
    return "x2" not in e.wrong and bool({"h0", "c0", "x1"} & e.wrong)


# ----------------------------------------------------------------------------
# The list, in the order to do them
# ----------------------------------------------------------------------------
OPS_EXERCISES = [
    Exercise("add_mul", "broadcasting add and mul: sum the gradient back to each input's shape",
             1, ("Add", "Mul"), _broadcast_pair, _build_add_mul, (
                 Hint("Mul: each operand's gradient involves the *other* operand.", through("Mul(a, b)")),
                 Hint("a was broadcast in this configuration: its gradient must be summed back to "
                      "a's shape (sum_to).", _broadcast_input("a")),
                 Hint("b was broadcast in this configuration: its gradient must be summed back to "
                      "b's shape (sum_to).", _broadcast_input("b")),
                 UPSTREAM, SIGN),
             ("Each output element depends on one element of a and one of b (after broadcasting); "
              "where an input was broadcast, one of its elements was used many times.",
              "ga = sum_to(gc * (d c / d a), a.shape), and the same for b.",
              "Add: ga = sum_to(gc, a.shape), gb = sum_to(gc, b.shape); "
              "Mul: ga = sum_to(gc * b, a.shape), gb = sum_to(gc * a, b.shape).")),
    Exercise("exp_log", "exp and log, elementwise", 1, ("Exp", "Log"),
             lambda: _one_shape(max_dims=2), _build_exp_log, (
                 Hint("Exp: its derivative is a value you already have.", through("Exp(x)")),
                 Hint("Log: is the derivative of log x a product with x or a quotient?", through("Log(x)")),
                 UPSTREAM, SIGN),
             ("Elementwise: each output depends on its own input only, so gx = gy * f'(x).",
              "Exp: f'(x) is the output; Log: f'(x) = 1 / x.",
              "Exp: gx = gy * self.saved_output(); Log: gx = gy / self.inputs[0].")),
    Exercise("sigmoid", "the logistic sigmoid, to second order", 1, ("Sigmoid",),
             lambda: _one_shape(max_dims=2), _build_unary("Sigmoid"), (
                 Hint("sigmoid' can be written with the output y alone: differentiate "
                      "1 / (1 + e^-x), then replace e^-x using y.", wrong("x")),
                 UPSTREAM, SIGN),
             ("sigma(x) = 1 / (1 + e^-x); differentiate and write the result with sigma itself.",
              "sigma' = y times something in y.",
              "gx = gy * y * (1 - y), y = self.saved_output()."), second_order=True),
    Exercise("tanh", "tanh, to second order", 1, ("Tanh",),
             lambda: _one_shape(max_dims=2), _build_unary("Tanh"), (
                 Hint("tanh' can be written with the output y = tanh(x) alone: differentiate, "
                      "then compare with 1 and y.", wrong("x")),
                 UPSTREAM, SIGN),
             ("tanh' can be written with tanh itself.",
              "tanh' = 1 - (something in y).",
              "gx = gy * (1 - y * y), y = self.saved_output()."), second_order=True),
    Exercise("matmul", "the matrix product A @ B, to second order", 2, ("MatMul",),
             lambda: st.fixed_dictionaries({"n": st.integers(2, 4), "k": st.integers(2, 4),
                                            "m": st.integers(2, 4)}),
             _build_matmul, (
                 Hint("gA: check the transposes and the order of the two factors; a reshape is "
                      "not a transpose.", wrong("A")),
                 Hint("gB: check the transposes and the order of the two factors; a reshape is "
                      "not a transpose.", wrong("B")),
                 UPSTREAM, SIGN),
             ("C[i, j] = sum_k A[i, k] B[k, j]: A[i, k] reaches every C[i, j] of row i.",
              "gA has A's shape (n, k): a product of gC (n, m) with B (k, m) arranged to give (n, k).",
              "gA = gC @ B^T, gB = A^T @ gC (transpose with .T or .transpose(0, 1))."), second_order=True),
    Exercise("sum_mean", "sum and mean over a dim, with keepdim", 2, ("Sum", "Mean"),
             _shape_and_dim, _build_sum_mean, (
                 Hint("with keepdim=False the reduced dim is gone from gy: put it back as size 1 "
                      "(reshape) before broadcasting.", _lost_dim_without_keepdim),
                 Hint("Mean: the factor follows the number of reduced elements: the 1/N is "
                      "missing or doubled.", _factor_follows_n, patterns=("factor",)),
                 UPSTREAM, SIGN),
             ("Every reduced element contributes once to the sum; the mean divides by how many "
              "there are.",
              "gx = gy with the reduced dims put back as size 1, broadcast to x's shape "
              "(and divided by N for the mean).",
              "kept = x.shape with the reduced dims set to 1; Sum: gx = gy.reshape(kept)."
              "broadcast_to(x.shape); Mean: the same divided by N, the number of reduced elements."), rescale=_grow_reduced_dim),
    Exercise("softmax", "softmax along a dim, to second order", 3, ("Softmax",),
             lambda: _shape_and_dim(none_allowed=False, keepdim=False), _build_softmax, (
                 Hint("every x_k changes every output of its row through the denominator: there "
                      "is a term for that.", lambda e: "x" in e.wrong and not e.spurious,
                      patterns=("",)),   # without that term the error is never all zero
                 Hint("the sum runs along the softmax dim only (one per row), kept as size 1.",
                      lambda e: "x" in e.wrong and e.spurious),
                 UPSTREAM, SIGN),
             ("dy_i / dx_k = y_i (delta_ik - y_k) along the softmax dim.",
              "gx = y * (gy - (a sum over the softmax dim of something, kept as size 1)).",
              "gx = y * (gy - (gy * y).sum(dim, keepdim=True))."), second_order=True),
    Exercise("logsumexp", "log-sum-exp along a dim, with keepdim", 3, ("LogSumExp",),
             lambda: _shape_and_dim(none_allowed=False), _build_logsumexp, (
                 Hint("with keepdim=False, gy and y lack the reduced dim: put it back as size 1 "
                      "before they meet x.", _lost_dim_without_keepdim),
                 Hint("the derivative of logsumexp is a softmax of x.",
                      lambda e: "x" in e.wrong and not e.spurious, patterns=("", "zero", "factor")),
                 UPSTREAM, SIGN),
             ("d logsumexp(x) / dx_k = exp(x_k) / sum_j exp(x_j).",
              "gx = gy * exp(x - y), with gy and y shaped to broadcast against x.",
              "kept = x.shape with the dim set to 1; gx = gy.reshape(kept) * (x - y.reshape(kept)).exp().")),
    Exercise("cross_entropy", "softmax cross-entropy of logits with labels (a mean over the batch)",
             3, ("CrossEntropy",),
             lambda: st.fixed_dictionaries({"n": st.integers(2, 4), "classes": st.integers(2, 5)}),
             _build_cross_entropy, (
                 Hint("the factor follows the batch size N: the 1/N of the mean is missing (or "
                      "doubled).", _factor_follows_n, patterns=("factor",)),
                 Hint("minimising the loss must raise the true class's logit: check the order "
                      "of the difference.", patterns=("sign",)),
                 Hint("the loss is a scalar, but its incoming gradient is not always 1: multiply "
                      "it in.", patterns=("upstream",))),
             ("L = -mean_n log softmax(z_n)[t_n]; softmax's Jacobian and the log combine into "
              "something simple.",
              "dL/dz = (p - one_hot(t)) / N, times the incoming gradient.",
              "return g_loss * Tensor(self.probs - self.one_hot) / N, None"), rescale=_grow("n")),
    Exercise("max_pool2d", "max pooling: route each gradient to its window's maximum", 3,
             ("MaxPool2d",), _pool_config, _build_max_pool2d, (
                 Hint("windows overlap in this configuration (stride < kernel): one element can "
                      "be the maximum of several windows and must receive the sum of their "
                      "gradients, not the last one written.",
                      lambda e: "x" in e.wrong and _windows_overlap(e.config) and not e.spurious),
                 Hint("each window's gradient goes to its maximum only, not spread over the window.",
                      lambda e: "x" in e.wrong and e.spurious),
                 UPSTREAM),
             ("Only the largest element of a window reaches the output.",
              "gx = zeros; for each output, add its gradient at the position of its window's max.",
              "gx.ravel() scatter-added (scatter_add) at self.argmax.ravel() with gy.ravel().")),
    Exercise("conv2d", "2-D convolution through im2col", 4, ("Conv2d",),
             _conv_config, _build_conv2d, (
                 Hint("x's gradient: the matrix that multiplies gY is W^T, a transpose; a reshape "
                      "to the transposed shape gives other numbers.", _transpose_matters),
                 Hint("the weight is shared by every sample: its gradient sums over the batch.",
                      lambda e: "weight" in e.wrong and e.config["n"] > 1),
                 UPSTREAM, SIGN),
             ("Y[n] = W @ cols[n] with W = w.reshape(O, -1) and cols = im2col(x).",
              "gcols[n] = W^T @ gY[n], then col2im back to x; gW = sum over n of gY[n] @ cols[n]^T.",
              "see reveal conv2d for the whole backward.")),
    Exercise("conv_transpose2d", "2-D transposed convolution through col2im", 4, ("ConvTranspose2d",),
             lambda: _conv_config(transposed=True), _build_conv_transpose2d, (
                 Hint("the weight is shared by every sample: its gradient sums over the batch.",
                      lambda e: "weight" in e.wrong and e.config["n"] > 1),
                 Hint("x's gradient is a convolution of gy: im2col(gy), then a product with W "
                      "(reshaped, not transposed, here).", wrong("x")),
                 UPSTREAM, SIGN),
             ("y = col2im(W^T @ x): the transposed convolution is the gradient of a convolution.",
              "gx = W @ im2col(gy); gW = sum over n of x[n] @ im2col(gy)[n]^T.",
              "see reveal conv_transpose2d.")),
    Exercise("batch_norm", "batch normalisation of (N, D) features, training mode", 4, ("BatchNorm",),
             lambda: _features(min_n=2), _build_norm("BatchNorm"), (
                 Hint("x reaches the loss also through the batch mean and variance: those paths "
                      "add two terms.", wrong("x")),
                 Hint("the factor follows the batch size N: a 1/N is missing (or doubled).",
                      _factor_follows_n, patterns=("factor",)),
                 Hint("gamma and beta are shared by the whole batch: their gradients sum over it.",
                      lambda e: bool({"gamma", "beta"} & e.wrong) or "for input 1" in e.error
                      or "for input 2" in e.error),
                 UPSTREAM, SIGN),
             ("xhat = (x - mu) / sqrt(var + eps), y = gamma xhat + beta, mu and var over the batch.",
              "gx = inv_std / N * (N gxhat - sum(gxhat) - xhat sum(gxhat xhat)), sums over dim 0.",
              "see reveal batch_norm."), rescale=_grow("n")),
    Exercise("layer_norm", "layer normalisation over the last dim", 4, ("LayerNorm",),
             lambda: _features(min_d=2), _build_norm("LayerNorm"), (
                 Hint("the statistics are per sample here: the sums in x's gradient run over the "
                      "features (dim 1).", wrong("x")),
                 Hint("gamma and beta are shared by every sample: their gradients sum over the batch "
                      "(dim 0).", lambda e: bool({"gamma", "beta"} & e.wrong) or "for input 1" in e.error
                      or "for input 2" in e.error),
                 UPSTREAM, SIGN),
             ("batch_norm's formula with the roles of the dims swapped.",
              "gx = inv_std / D * (D gxhat - sum(gxhat, 1) - xhat sum(gxhat xhat, 1)), keepdim.",
              "see reveal layer_norm.")),
    Exercise("lstm_cell", "an LSTM cell's step, through two time steps, to second order", 5,
             ("LSTMCell",),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 2), "inputs": st.integers(2, 3),
                                            "hidden": st.integers(2, 3)}),
             _build_lstm_cell, (
                 Hint("the second step's gradients are right (x2's is) but the first step's are "
                      "not: what a step passes back for h and c, or how it adds the two roads "
                      "into c' when both gh' and gc' arrive, is wrong.", _later_step_right_earlier_wrong),
                 Hint("b is used by every sample: its gradient sums over the batch.",
                      lambda e: e.wrong == {"b"} or "for input 5" in e.error),
                 Hint("W_ih's gradient has W_ih's shape (4H, I): the gates' gradient (N, 4H) and x "
                      "(N, I), with the batch summed by the product.", lambda e: e.wrong == {"W_ih"}
                      or "for input 3" in e.error),
                 Hint("W_hh's gradient: as W_ih's, with the previous output h where x was.",
                      lambda e: e.wrong == {"W_hh"} or "for input 4" in e.error),
                 Hint("first derivatives agree but second do not: compute every value in backward "
                      "from self.inputs with Tensor ops (recompute the gates) instead of wrapping "
                      "arrays saved by forward.", lambda e: e.order == 2),
                 UPSTREAM),   # no SIGN advice: a flipped sign cancels through two steps
             ("c' reaches the loss directly and through h' = o tanh(c'); each gate is a function "
              "of one block of a = x W_ih^T + h W_hh^T + b.",
              "gc'_total = gc' + gh' * o * tanh'(c'); the gradient at a is four blocks (one per "
              "gate: the gradient at the gate times the gate's derivative); then x, h, W_ih, W_hh "
              "and b as for a linear layer, and c gets gc'_total * f.",
              "ga = cat([gct * g * i(1 - i), gct * c * f(1 - f), gct * i * (1 - g^2), "
              "gh * tanh(c') * o(1 - o)], dim=1) with gct = gc + gh * o * (1 - tanh(c')^2); "
              "return ga @ W_ih, ga @ W_hh, gct * f, ga^T @ x, ga^T @ h, ga.sum(0)."),
             second_order=True, examples=10),
    Exercise("vae", "the VAE's reparameterised sample and its KL to N(0, I)", 4,
             ("Reparameterize", "GaussianKL"),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 3), "d": st.integers(2, 3)}),
             _build_vae, (
                 Hint("z = mu + exp(logvar / 2) eps: the chain rule through exp(logvar / 2).",
                      lambda e: "z" in e.outputs and "logvar" in e.wrong),
                 Hint("the chain rule through exp(logvar / 2) brings a constant factor of its own: "
                      "check it.", lambda e: "z" in e.outputs and e.wrong == {"logvar"},
                      patterns=("factor",)),
                 Hint("the KL is one number per sample: its gradient broadcasts over the latent "
                      "dims (reshape it to (N, 1)).",
                      lambda e: "KL" in e.outputs or "cannot broadcast" in e.error),
                 UPSTREAM, SIGN),
             ("z is differentiable in mu and logvar with eps held fixed; KL = 0.5 sum (exp(logvar) "
              "+ mu^2 - 1 - logvar).",
              "dz/dlogvar = eps exp(logvar / 2) / 2; dKL/dmu = mu, dKL/dlogvar = (exp(logvar) - 1) / 2.",
              "see reveal vae.")),
    Exercise("coupling", "the log-determinant of an affine coupling layer (RealNVP)", 4,
             ("CouplingLogDet",),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 3), "d": st.integers(2, 3)}),
             _build_coupling, (
                 Hint("the log-det is one number per sample: broadcast its gradient over the "
                      "features before the tanh's derivative.",
                      lambda e: {"x1", "W", "b"} <= e.wrong or "broadcast" in e.error),
                 Hint("W's gradient: x1 transposed on the left.", lambda e: e.wrong == {"W"}),
                 Hint("b is shared by every sample: its gradient sums over the batch.",
                      lambda e: e.wrong == {"b"} or "for input 2" in e.error),
                 UPSTREAM, SIGN),
             ("s = tanh(x1 @ W + b), log det = sum_j s_j.",
              "ga = gld (N, 1) * (1 - s^2); then gx1, gW, gb as for a linear layer.",
              "see reveal coupling.")),
    Exercise("wgan_gp", "a critic's backward that is itself differentiable (WGAN-GP's penalty)", 5,
             ("Critic",), _critic_config, _build_wgan_gp, (
                 Hint("W1's gradient: x^T times the gradient at the tanh's input (after the "
                      "tanh's derivative).", lambda e: e.wrong == {"W1"}),
                 Hint("w2's gradient: h, the tanh's output, transposed on the left.",
                      lambda e: e.wrong == {"w2"}),
                 Hint("D's gradient is right but the penalty's is not: the penalty differentiates "
                      "your backward, so every value in it must be computed from the inputs with "
                      "Tensor ops (recompute h instead of wrapping the array saved by forward).",
                      lambda e: e.order == 2),
                 UPSTREAM, SIGN),
             ("D(x) = tanh(x @ W1) @ w2; the penalty differentiates D's gradient again.",
              "ga = gd (N, 1) * w2 * (1 - h^2); gx = ga @ W1^T, gW1 = x^T @ ga, gw2 = h^T @ gd.",
              "see reveal wgan_gp."), second_order=True),
]

for _exercise in OPS_EXERCISES[-3:]:   # vae, coupling, wgan_gp: pieces of the models
    _exercise.track = "generative"

# The engine first (a student who finishes it has written the engine), then the ops'
# backwards, then the models' own mathematics; by difficulty within each track.
EXERCISES = (ENGINE_EXERCISES + OPS_EXERCISES[:-3]
             + sorted(OPS_EXERCISES[-3:] + GENERATIVE_EXERCISES, key=lambda e: e.difficulty))
BY_NAME = {e.name: e for e in EXERCISES}
