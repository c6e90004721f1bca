"""The exercises, from first contact to hard: for each, the configurations
hypothesis draws and how one configuration becomes a function to check.

``build(ops, config)`` receives the student's module as ``ops`` (or the
reference solution's) and returns a Case: the function, its inputs and their
names.  Inputs are float64 draws from a generator seeded by the configuration,
so a failing case can be reproduced exactly.  The seed is not drawn by
hypothesis: it comes from the configuration itself, so that shrinking a failing
case only has shapes and settings to shrink, and stays quick.
"""
import zlib

import numpy
from hypothesis import strategies as st

from ..autograd import grad
from .exercise import Case, Exercise, constant, distinct, normal, positive

def _rng(config):
    """A generator seeded by the configuration: the same configuration, the same inputs."""
    return numpy.random.default_rng(zlib.crc32(repr(sorted(config.items())).encode()))


def _shape(max_dims=3, max_side=3, min_dims=1):
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


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
            "h": draw(st.integers(smallest, smallest + 2)),
            "w": draw(st.integers(smallest, smallest + 2))}


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


def _features(min_n=1, min_d=1):
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
    return st.fixed_dictionaries({"n": st.integers(1, 3), "i": st.integers(1, 3),
                                  "h": st.integers(1, 3)})


# ----------------------------------------------------------------------------
# The list, in the order to do them
# ----------------------------------------------------------------------------
EXERCISES = [
    Exercise("add_mul", "broadcasting add and mul: sum the gradient back to each input's shape",
             1, ("Add", "Mul"), _broadcast_pair, _build_add_mul, {
                 "Mul(a, b)": "Mul: the gradient of a is gc * b and of b is gc * a (the other operand).",
                 "b": "b was broadcast: did you sum_to(..., b.shape) rather than pick one slice?",
                 "factor": "a factor equal to the broadcast size means a mean instead of a sum."}),
    Exercise("exp_log", "exp and log, elementwise", 1, ("Exp", "Log"),
             lambda: _one_shape(max_dims=2), _build_exp_log, {
                 "Exp(x)": "Exp: dy/dx = exp(x), the output itself (self.saved_output()).",
                 "Log(x)": "Log: dy/dx = 1 / x: divide gy by x, do not multiply."}),
    Exercise("sigmoid", "the logistic sigmoid, to second order", 1, ("Sigmoid",),
             lambda: _one_shape(max_dims=2), _build_unary("Sigmoid"), {
                 "x": "sigmoid' = y (1 - y) with y the output, not the input."}, second_order=True),
    Exercise("tanh", "tanh, to second order", 1, ("Tanh",),
             lambda: _one_shape(max_dims=2), _build_unary("Tanh"), {
                 "x": "tanh' = 1 - y^2 with y = tanh(x)."}, second_order=True),
    Exercise("matmul", "the matrix product A @ B, to second order", 2, ("MatMul",),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 4), "k": st.integers(1, 4),
                                            "m": st.integers(1, 4)}),
             _build_matmul, {
                 "A": "gA = gC @ B^T: check the transpose and the order of the factors.",
                 "B": "gB = A^T @ gC: check the transpose and the order of the factors."},
             second_order=True),
    Exercise("sum_mean", "sum and mean over a dim, with keepdim", 2, ("Sum", "Mean"),
             _shape_and_dim, _build_sum_mean, {
                 "Mean(x)": "Mean: divide by the size of the reduced dim (all elements for dim=None).",
                 "factor": "a constant factor in Mean is the 1/N: N is the reduced dim's size."}),
    Exercise("softmax", "softmax along a dim, to second order", 3, ("Softmax",),
             lambda: _shape_and_dim(none_allowed=False, keepdim=False), _build_softmax, {
                 "x": "gx = y * (gy - sum(gy * y, dim, keepdim=True)): the sum runs along the "
                      "softmax dim; without it only the diagonal of the Jacobian is right."},
             second_order=True),
    Exercise("logsumexp", "log-sum-exp along a dim, with keepdim", 3, ("LogSumExp",),
             lambda: _shape_and_dim(none_allowed=False), _build_logsumexp, {
                 "x": "gx = gy * exp(x - y), with gy and y reshaped to the kept shape "
                      "(the reduced dim back as size 1)."}),
    Exercise("cross_entropy", "softmax cross-entropy of logits with labels (a mean over the batch)",
             3, ("CrossEntropy",),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 4), "classes": st.integers(2, 5)}),
             _build_cross_entropy, {
                 "logits": "dL/dz = (softmax(z) - one_hot) / N, times the incoming gradient.",
                 "factor": "a factor of N (the batch size) means the 1/N of the mean is missing.",
                 "sign": "it is p - one_hot: minimising L raises the true class's logit."}),
    Exercise("max_pool2d", "max pooling: route each gradient to its window's maximum", 3,
             ("MaxPool2d",), _pool_config, _build_max_pool2d, {
                 "x": "each output's gradient goes to one element, its window's max; where "
                      "windows overlap (stride < kernel), add, do not overwrite (scatter_add)."}),
    Exercise("conv2d", "2-D convolution through im2col", 4, ("Conv2d",),
             _conv_config, _build_conv2d, {
                 "x": "gcols = W^T @ gY with W = w.reshape(O, -1), a transpose (.T), not a "
                      "reshape; then col2im (Col2im) back to x's shape.",
                 "weight": "gW = sum over the batch of gY[n] @ cols[n]^T, reshaped to w's shape."}),
    Exercise("conv_transpose2d", "2-D transposed convolution through col2im", 4, ("ConvTranspose2d",),
             lambda: _conv_config(transposed=True), _build_conv_transpose2d, {
                 "x": "gX = W @ im2col(gy) with W = w.reshape(C, -1): the transposed "
                      "convolution's input gradient is a convolution.",
                 "weight": "gW = sum over the batch of X[n] @ gcols[n]^T, reshaped to w's shape."}),
    Exercise("batch_norm", "batch normalisation of (N, D) features, training mode", 4, ("BatchNorm",),
             lambda: _features(min_n=2), _build_norm("BatchNorm"), {
                 "x": "x reaches the loss through xhat, mu and var: gx = inv_std / N * "
                      "(N gxhat - sum(gxhat) - xhat sum(gxhat xhat)), sums over the batch (dim 0).",
                 "gamma": "ggamma = sum over the batch of gy * xhat.",
                 "beta": "gbeta = sum over the batch of gy.",
                 "factor": "a constant factor of N: the 1/N in front of gx is missing."}),
    Exercise("layer_norm", "layer normalisation over the last dim", 4, ("LayerNorm",),
             lambda: _features(min_d=2), _build_norm("LayerNorm"), {
                 "x": "the statistics are per sample: the sums in gx run over dim 1 (keepdim=True), "
                      "with D, not N, in front.",
                 "gamma": "gamma is shared by every sample: ggamma = sum over dim 0 of gy * xhat.",
                 "beta": "beta is shared by every sample: gbeta = sum over dim 0 of gy."}),
    Exercise("vae", "the VAE's reparameterised sample and its KL to N(0, I)", 4,
             ("Reparameterize", "GaussianKL"),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 3), "d": st.integers(1, 3)}),
             _build_vae, {
                 "z": "z = mu + exp(logvar / 2) eps: dz/dlogvar = eps exp(logvar / 2) / 2.",
                 "KL": "dKL/dmu = mu and dKL/dlogvar = (exp(logvar) - 1) / 2, times gkl "
                       "reshaped to (N, 1)."}),
    Exercise("coupling", "the log-determinant of an affine coupling layer (RealNVP)", 4,
             ("CouplingLogDet",),
             lambda: st.fixed_dictionaries({"n": st.integers(1, 3), "d": st.integers(1, 3)}),
             _build_coupling, {
                 "x1": "gx1 = ga @ W^T with ga = gld (N, 1) * (1 - s^2).",
                 "W": "gW = x1^T @ ga (D, D): x1 transposed on the left.",
                 "b": "gb = ga summed over the batch."}),
    Exercise("wgan_gp", "a critic's backward that is itself differentiable (WGAN-GP's penalty)", 5,
             ("Critic",), _critic_config, _build_wgan_gp, {
                 "x": "gx = ga @ W1^T with ga = gd (N, 1) * w2 * (1 - h^2).",
                 "W1": "gW1 = x^T @ ga.",
                 "w2": "gw2 = h^T @ gd.",
                 "second": "D's gradient is right but the penalty's is not: the penalty "
                           "differentiates your backward, so every value in it must be a Tensor "
                           "computed from the inputs with Tensor ops: recompute h = (x @ w1).tanh() "
                           "instead of Tensor(self.h)."},
             second_order=True),
]

BY_NAME = {e.name: e for e in EXERCISES}
