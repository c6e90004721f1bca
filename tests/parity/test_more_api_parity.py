"""Parity with PyTorch for the APIs added together: special and logic functions,
joining and scatter ops, more reductions, layers (adaptive pooling, padding modes,
pixel shuffle, 1-d convolution and pooling, distances, KL divergence, soft-target
cross-entropy), weight_norm and spectral_norm, NAdam / RAdam and more schedulers,
and Laplace / LogNormal / Gamma / Beta distributions.

Values and gradients in float64 with ``check_parity`` (rtol 1e-6), unless a test
says otherwise.
"""
import math

import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402

from .helpers import check_parity, random_inputs  # noqa: E402


def case(name, fn, shapes, domain="real"):
    return pytest.param(fn, shapes, domain, id=name)


def _index(m, values):
    return m.tensor(numpy.asarray(values, dtype=numpy.int64))


def _mask(m, values):
    return m.tensor(numpy.asarray(values, dtype=bool))


SCATTER_INDEX = [[0, 2, 1], [2, 0, 0]]          # (2, 3) into dim 0 of a (3, 4) tensor
MASK = [[True, False, True, False], [False, False, True, True], [True, True, False, False]]

OPS = [
    # -- elementwise ---------------------------------------------------------
    case("tan", lambda m, x: m.tan(x * 0.5), [(3, 4)]),
    case("sinh", lambda m, x: m.sinh(x), [(3, 4)]),
    case("cosh_method", lambda m, x: x.cosh(), [(3, 4)]),
    case("asin", lambda m, x: m.asin(x * 0.4), [(3, 4)]),
    case("acos_method", lambda m, x: (x * 0.4).acos(), [(3, 4)]),
    case("atan", lambda m, x: m.atan(x), [(3, 4)]),
    case("atanh", lambda m, x: m.atanh(x * 0.4), [(3, 4)]),
    case("arcsin_alias", lambda m, x: m.arcsin(x * 0.4) + x.arctan(), [(5,)]),
    case("logit", lambda m, x: m.logit(x / 2.5), [(3, 4)], "positive"),
    case("logit_eps", lambda m, x: m.logit(x / 2.5, eps=0.3), [(3, 4)], "positive"),
    case("lgamma", lambda m, x: m.lgamma(x), [(3, 4)], "positive"),
    case("lgamma_wide", lambda m, x: m.lgamma(x * 7), [(4, 5)], "nonzero"),
    case("digamma", lambda m, x: m.digamma(x * 3), [(3, 4)], "positive"),
    case("polygamma_1", lambda m, x: m.polygamma(1, x * 4), [(3, 4)], "positive"),
    case("polygamma_2_method", lambda m, x: (x * 4).polygamma(2), [(3, 4)], "positive"),
    case("erfinv", lambda m, x: m.erfinv(m.tanh(x)), [(3, 4)]),
    # -- joining and selecting ----------------------------------------------
    case("hstack", lambda m, x, y: m.hstack([x, y]), [(2, 3), (2, 1)]),
    case("hstack_1d", lambda m, x, y: m.hstack([x, y]), [(2,), (3,)]),
    case("vstack", lambda m, x, y: m.vstack([x, y]), [(3,), (2, 3)]),
    case("dstack", lambda m, x, y: m.dstack([x, y]), [(2, 3), (2, 3, 2)]),
    case("meshgrid_ij", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), [(3,), (4,)]),
    case("meshgrid_xy", lambda m, x, y, z: m.meshgrid([x, y, z], indexing="xy"), [(3,), (4,), (2,)]),
    case("masked_select", lambda m, x: m.masked_select(x, _mask(m, MASK)), [(3, 4)]),
    case("masked_select_broadcast", lambda m, x: x.masked_select(_mask(m, [True, False, True])),
         [(2, 3)]),
    case("diff", lambda m, x: m.diff(x), [(3, 5)]),
    case("diff_n2_dim0", lambda m, x, p: m.diff(x, n=2, dim=0, prepend=p), [(4, 3), (1, 3)]),
    case("trace", lambda m, x: m.trace(x), [(3, 4)]),
    case("cdist", lambda m, x, y: m.cdist(x, y), [(4, 3), (5, 3)], "distinct"),
    case("cdist_p1_batched", lambda m, x, y: m.cdist(x, y, p=1), [(2, 4, 3), (2, 5, 3)], "distinct"),
    case("cdist_p3", lambda m, x, y: m.cdist(x, y, p=3.0), [(3, 2), (2, 2)], "distinct"),
    case("cdist_inf", lambda m, x, y: m.cdist(x, y, p=math.inf), [(3, 2), (2, 2)], "distinct"),
    case("addmm", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), [(2, 4), (2, 3), (3, 4)]),
    case("addmm_broadcast", lambda m, c, a, b: c.addmm(a, b), [(4,), (2, 3), (3, 4)]),
    case("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, alpha=0.5), [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    case("addbmm", lambda m, c, a, b: m.addbmm(c, a, b, beta=2), [(2, 4), (3, 2, 5), (3, 5, 4)]),
    case("tensordot", lambda m, a, b: m.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 5)]),
    case("tensordot_lists", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [1, 0])),
         [(2, 3, 4), (4, 2, 5)]),
    # -- the scatter family ---------------------------------------------------
    case("scatter", lambda m, x, s: m.scatter(x, 0, _index(m, [[0, 2, 1], [1, 0, 2]]), s),
         [(3, 4), (2, 3)]),
    case("scatter_value", lambda m, x: x.scatter(1, _index(m, [[3], [0], [1]]), 2.5), [(3, 4)]),
    case("scatter_add", lambda m, x, s: m.scatter_add(x, 0, _index(m, SCATTER_INDEX), s),
         [(3, 4), (2, 3)]),
    case("scatter_add_method_dim1", lambda m, x, s: x.scatter_add(1, _index(m, [[1, 1], [3, 0]]), s),
         [(2, 4), (2, 2)]),
    case("index_add", lambda m, x, s: m.index_add(x, 1, _index(m, [3, 0, 3]), s, alpha=2.0),
         [(2, 4), (2, 3)]),
    case("index_fill", lambda m, x: x.index_fill(0, _index(m, [2, 0]), -1.5), [(3, 4)]),
    case("masked_scatter", lambda m, x, s: x.masked_scatter(_mask(m, MASK), s), [(3, 4), (8,)]),
    case("scatter_inplace", lambda m, x, s: (x * 1).scatter_(0, _index(m, SCATTER_INDEX), s * 2),
         [(3, 4), (2, 3)]),
    case("scatter_add_inplace", lambda m, x, s: (x + 0).scatter_add_(0, _index(m, SCATTER_INDEX), s),
         [(3, 4), (2, 3)]),
    case("index_add_inplace", lambda m, x, s: (x * 2).index_add_(0, _index(m, [1, 1]), s),
         [(3, 4), (2, 4)]),
    case("index_fill_inplace", lambda m, x: (x * 2).index_fill_(1, _index(m, [0]), 3.0), [(3, 4)]),
    case("masked_scatter_inplace", lambda m, x, s: (x * 2).masked_scatter_(_mask(m, MASK), s),
         [(3, 4), (6,)]),
    # -- reductions ------------------------------------------------------------
    case("median_all", lambda m, x: m.median(x), [(3, 4)], "distinct"),
    case("median_dim", lambda m, x: m.median(x, 1), [(3, 5)], "distinct"),
    case("median_dim_even_keepdim", lambda m, x: x.median(dim=0, keepdim=True), [(4, 3)], "distinct"),
    case("var_correction", lambda m, x: m.var(x, 1, correction=2), [(3, 5)]),
    case("std_correction_method", lambda m, x: x.std(dim=0, correction=0, keepdim=True), [(3, 5)]),
    case("var_unbiased_positional", lambda m, x: m.var(x, False), [(3, 5)]),
    case("var_mean", lambda m, x: m.var_mean(x, 1), [(3, 5)]),
    case("std_mean_all", lambda m, x: m.std_mean(x, correction=0), [(3, 5)]),
    case("aminmax", lambda m, x: m.aminmax(x, dim=1), [(3, 5)], "distinct"),
    case("aminmax_all", lambda m, x: tuple(x.aminmax()), [(3, 5)], "distinct"),
]


@pytest.mark.parametrize("fn, shapes, domain", OPS)
def test_op_matches_pytorch(fn, shapes, domain):
    check_parity(fn, random_inputs(shapes, domain))


def _both(fn):
    return fn(autograd), fn(torch)


def _same(ours, theirs):
    numpy.testing.assert_array_equal(numpy.asarray(ours.tolist()), numpy.asarray(theirs.tolist()))
    assert str(ours.dtype).removeprefix("torch.") == str(theirs.dtype).removeprefix("torch.")


def test_bool_results_match_pytorch():
    values = [1.0, -math.inf, math.inf, math.nan, 0.0, -2.0]
    for name in ("isinf", "isposinf", "isneginf", "isnan", "isfinite", "logical_not"):
        _same(*_both(lambda m: getattr(m, name)(m.tensor(values, dtype=m.float64))))
    a, b = [0, 1, 2, 0], [0.0, 0.0, 1.5, -1.0]
    for name in ("logical_and", "logical_or", "logical_xor"):
        _same(*_both(lambda m: getattr(m, name)(m.tensor(a), m.tensor(b))))
        _same(*_both(lambda m: getattr(m.tensor(a), name)(m.tensor(b))))


def test_unique_and_count_nonzero_match_pytorch():
    data = [[3, 1, 2, 3], [1, 1, 5, 0]]
    for kwargs in ({}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}, {"dim": 1}):
        ours, theirs = _both(lambda m: m.unique(m.tensor(data), **kwargs))
        ours, theirs = (list(r) if isinstance(r, tuple) else [r] for r in (ours, theirs))
        for o, t in zip(ours, theirs, strict=True):
            _same(o, t)
    _same(*_both(lambda m: m.count_nonzero(m.tensor(data), dim=0)))
    _same(*_both(lambda m: m.tensor(data).count_nonzero()))


def test_special_functions_at_the_edges_match_pytorch():
    values = [0.0, -1.0, -2.5, 1.0, 2.0, 1e-8, 1e5, 171.5, math.inf]
    for name in ("lgamma", "digamma"):
        ours, theirs = _both(lambda m: getattr(m, name)(m.tensor(values, dtype=m.float64)))
        numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    tails = [-1.0, 1.0, 1 - 1e-12, -1 + 1e-15, 0.0, 1e-300, 0.5, 1.5]
    ours, theirs = _both(lambda m: m.erfinv(m.tensor(tails, dtype=m.float64)))
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-13)
    grid = numpy.linspace(-0.999, 0.999, 101, dtype=numpy.float32)
    ours, theirs = _both(lambda m: m.erfinv(m.tensor(grid)))
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# ----------------------------------------------------------------------------
# Functional layers: the same lambdas under both libraries
# ----------------------------------------------------------------------------
def F(m):
    return m.nn.functional


def _classes(m, values):
    return m.tensor(numpy.asarray(values, dtype=numpy.int64))


FUNCTIONAL = [
    case("adaptive_avg_pool2d_1", lambda m, x: F(m).adaptive_avg_pool2d(x, 1), [(2, 3, 5, 4)]),
    case("adaptive_avg_pool2d_divides", lambda m, x: F(m).adaptive_avg_pool2d(x, (2, 3)), [(2, 3, 4, 6)]),
    case("adaptive_avg_pool2d_general", lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 4)), [(2, 2, 5, 7)]),
    case("adaptive_avg_pool2d_none_3d", lambda m, x: F(m).adaptive_avg_pool2d(x, (None, 2)), [(2, 5, 7)]),
    case("adaptive_max_pool2d", lambda m, x: F(m).adaptive_max_pool2d(x, (3, 4)), [(2, 2, 5, 7)],
         "distinct"),
    case("adaptive_max_pool2d_indices", lambda m, x: F(m).adaptive_max_pool2d(x, 2, return_indices=True),
         [(1, 2, 5, 5)], "distinct"),
    case("adaptive_avg_pool1d", lambda m, x: F(m).adaptive_avg_pool1d(x, 3), [(2, 3, 7)]),
    case("adaptive_max_pool1d", lambda m, x: F(m).adaptive_max_pool1d(x, 3), [(2, 3, 7)], "distinct"),
    case("pad_reflect", lambda m, x: F(m).pad(x, (2, 1, 1, 3), mode="reflect"), [(2, 3, 4, 5)]),
    case("pad_reflect_1d", lambda m, x: F(m).pad(x, (3, 2), mode="reflect"), [(2, 3, 4)]),
    case("pad_replicate", lambda m, x: F(m).pad(x, (2, 3, 0, 1), mode="replicate"), [(2, 3, 4, 2)]),
    case("pad_replicate_3d", lambda m, x: F(m).pad(x, (1, 1, 2, 0, 0, 1), mode="replicate"),
         [(1, 2, 2, 3, 2)]),
    case("pad_circular", lambda m, x: F(m).pad(x, (2, 1, 3, 0), mode="circular"), [(2, 1, 3, 4)]),
    case("pad_constant_value", lambda m, x: F(m).pad(x, (1, 2), value=-1.5), [(2, 3)]),
    case("pixel_shuffle", lambda m, x: F(m).pixel_shuffle(x, 2), [(2, 8, 3, 2)]),
    case("pixel_unshuffle", lambda m, x: F(m).pixel_unshuffle(x, 3), [(1, 2, 6, 3)]),
    case("conv1d", lambda m, x, w, b: F(m).conv1d(x, w, b, stride=2, padding=1, dilation=2),
         [(2, 4, 9), (6, 4, 3), (6,)]),
    case("conv1d_groups_unbatched", lambda m, x, w: F(m).conv1d(x, w, groups=2, padding="same"),
         [(4, 7), (6, 2, 3)]),
    case("conv_transpose1d", lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, stride=2, padding=1,
                                                                      output_padding=1),
         [(2, 4, 5), (4, 3, 3), (3,)]),
    case("max_pool1d", lambda m, x: F(m).max_pool1d(x, 3, stride=2, padding=1), [(2, 3, 8)], "distinct"),
    case("max_pool1d_indices", lambda m, x: F(m).max_pool1d(x, 2, return_indices=True), [(3, 8)],
         "distinct"),
    case("avg_pool1d", lambda m, x: F(m).avg_pool1d(x, 3, stride=2, padding=1, count_include_pad=False),
         [(2, 3, 8)]),
    case("pairwise_distance", lambda m, x, y: F(m).pairwise_distance(x, y), [(4, 3), (4, 3)]),
    case("pairwise_distance_p1_keepdim", lambda m, x, y: F(m).pairwise_distance(x, y, p=1, keepdim=True),
         [(4, 3), (4, 3)], "nonzero"),
    case("cosine_similarity_dim0", lambda m, x, y: F(m).cosine_similarity(x, y, dim=0), [(4, 3), (4, 3)]),
    pytest.param(lambda m, x, t: F(m).kl_div(F(m).log_softmax(x, 1), t), [(3, 4), (3, 4)], "positive",
                 id="kl_div_mean", marks=pytest.mark.filterwarnings("ignore:.*batchmean")),
    case("kl_div_batchmean", lambda m, x, t: F(m).kl_div(x, t.softmax(1), reduction="batchmean"),
         [(3, 4), (3, 4)]),
    case("kl_div_log_target_sum", lambda m, x, t: F(m).kl_div(x, t, reduction="sum", log_target=True),
         [(3, 4), (3, 4)]),
    case("kl_div_none", lambda m, x, t: F(m).kl_div(x, t * (t > 0.5), reduction="none"), [(3, 4), (3, 4)],
         "positive"),
    case("cross_entropy_probabilities", lambda m, x, t: F(m).cross_entropy(x, t.softmax(1)),
         [(3, 4), (3, 4)]),
    case("cross_entropy_probabilities_weighted_smoothed",
         lambda m, x, t, w: F(m).cross_entropy(x, t.softmax(1), weight=w.detach(), label_smoothing=0.2,
                                               reduction="sum"),
         [(2, 4, 3), (2, 4, 3), (4,)], "positive"),
    case("cross_entropy_probabilities_1d_none",
         lambda m, x, t: F(m).cross_entropy(x, t.softmax(0), reduction="none"), [(5,), (5,)]),
]


@pytest.mark.parametrize("fn, shapes, domain", FUNCTIONAL)
def test_functional_matches_pytorch(fn, shapes, domain):
    check_parity(fn, random_inputs(shapes, domain))


# ----------------------------------------------------------------------------
# Layers: built with the same arguments, torch's parameters copied into ours
# ----------------------------------------------------------------------------
LAYERS = [
    ("AdaptiveAvgPool2d", ((3, 2),), (2, 3, 7, 5)),
    ("AdaptiveMaxPool2d", (3,), (2, 3, 7, 5)),
    ("AdaptiveAvgPool1d", (4,), (2, 3, 9)),
    ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 4)),
    ("ConstantPad1d", (2, 0.5), (2, 3, 4)),
    ("ReflectionPad2d", (2,), (2, 3, 4, 4)),
    ("ReflectionPad1d", ((1, 3),), (3, 5)),
    ("ReplicationPad2d", ((1, 0, 2, 3),), (2, 3, 4, 4)),
    ("ReplicationPad1d", (2,), (2, 3, 4)),
    ("CircularPad2d", (1,), (2, 3, 4, 4)),
    ("PixelShuffle", (2,), (2, 12, 3, 3)),
    ("PixelUnshuffle", (2,), (2, 3, 4, 6)),
    ("Conv1d", (4, 6, 3, 2, 1), (2, 4, 9)),
    ("Conv1d", (4, 6, 3), (4, 9)),
    ("ConvTranspose1d", (4, 6, 3, 2, 1, 1), (2, 4, 5)),
    ("MaxPool1d", (3, 2, 1), (2, 3, 9)),
    ("AvgPool1d", (2,), (2, 3, 8)),
]


def _run_layer(layer, m, arrays, upstream):
    inputs = [m.tensor(a, requires_grad=True) for a in arrays]
    out = layer(*inputs)
    out.backward(m.tensor(upstream))
    grads = {n: p.grad for n, p in layer.named_parameters()}
    return out, [t.grad for t in inputs], grads


def check_layers_agree(name, args, shapes, domain="distinct"):
    theirs = getattr(torch.nn, name)(*args).double()
    ours = getattr(autograd.nn, name)(*args).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    arrays = random_inputs(shapes, domain)
    with torch.no_grad():
        shape = theirs(*[torch.tensor(a) for a in arrays]).shape
    upstream = numpy.random.default_rng(2).standard_normal(tuple(shape))
    out_o, in_o, par_o = _run_layer(ours, autograd, arrays, upstream)
    out_t, in_t, par_t = _run_layer(theirs, torch, arrays, upstream)
    numpy.testing.assert_allclose(out_o.detach().numpy(), out_t.detach().numpy(), rtol=1e-6, atol=1e-12)
    for g_o, g_t in zip(in_o, in_t):
        numpy.testing.assert_allclose(g_o.numpy(), g_t.numpy(), rtol=1e-6, atol=1e-12)
    assert sorted(par_o) == sorted(par_t)
    for key in par_t:
        numpy.testing.assert_allclose(par_o[key].numpy(), par_t[key].numpy(), rtol=1e-6, atol=1e-12,
                                      err_msg=key)


@pytest.mark.parametrize("name, args, shape", LAYERS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LAYERS)])
def test_layer_matches_pytorch(name, args, shape):
    check_layers_agree(name, args, [shape])


@pytest.mark.parametrize("name, args", [("CosineSimilarity", (0,)), ("PairwiseDistance", (3.0,)),
                                        ("KLDivLoss", ("batchmean",))])
def test_two_input_layer_matches_pytorch(name, args):
    if name == "KLDivLoss":
        args = (None, None, "batchmean")
    check_layers_agree(name, args, [(3, 4), (3, 4)], "positive")


def test_layer_defaults_match_pytorch():
    """Conv1d's default init draws from the same bounds; the state_dict keys and shapes agree."""
    for name, args in (("Conv1d", (4, 6, 3)), ("ConvTranspose1d", (4, 6, 3, 2))):
        ours, theirs = getattr(autograd.nn, name)(*args), getattr(torch.nn, name)(*args)
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
            {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        bound = float(theirs.weight.detach().abs().max()) * 1.2
        assert float(ours.weight.abs().max()) <= bound and float(ours.bias.abs().max()) <= bound
        assert repr(ours) == repr(theirs)


# ----------------------------------------------------------------------------
# Optimizers and schedulers: the same trajectory (weights, lr and momentum)
# ----------------------------------------------------------------------------
def _trajectory(m, make_optimizer, make_scheduler=None, steps=14):
    w = m.tensor([1.5, -2.0, 0.5], dtype=m.float64, requires_grad=True)
    optimizer = make_optimizer(m, [w])
    scheduler = make_scheduler(m, optimizer) if make_scheduler else None
    values = []
    for _ in range(steps):
        optimizer.zero_grad()
        ((w - 0.3) ** 2 * m.tensor([1.0, 2.0, 3.0], dtype=m.float64)).sum().backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        group = optimizer.param_groups[0]
        momentum = group["betas"][0] if "betas" in group else group.get("momentum", 0.0)
        values += [w.detach().numpy().copy(), numpy.array([group["lr"], momentum])]
        if scheduler is not None:
            values.append(numpy.array(scheduler.get_last_lr()))
    return numpy.concatenate(values)


OPTIMIZERS = {
    "nadam": lambda m, p: m.optim.NAdam(p, lr=0.1),
    "nadam_weight_decay": lambda m, p: m.optim.NAdam(p, lr=0.05, betas=(0.8, 0.9), weight_decay=0.1,
                                                     momentum_decay=0.01),
    "nadam_decoupled_maximize": lambda m, p: m.optim.NAdam(p, lr=0.05, weight_decay=0.1,
                                                           decoupled_weight_decay=True, maximize=True),
    "radam": lambda m, p: m.optim.RAdam(p, lr=0.1),
    "radam_fast_beta2": lambda m, p: m.optim.RAdam(p, lr=0.05, betas=(0.9, 0.6), weight_decay=0.1),
    "radam_decoupled": lambda m, p: m.optim.RAdam(p, lr=0.05, betas=(0.9, 0.7), weight_decay=0.1,
                                                  decoupled_weight_decay=True),
}


def _sgd(m, p):
    return m.optim.SGD(p, lr=0.1, momentum=0.9)


def _adam(m, p):
    return m.optim.Adam(p, lr=0.1)


SCHEDULERS = {
    "linear": (_sgd, lambda m, o: m.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=6)),
    "linear_down": (_sgd, lambda m, o: m.optim.lr_scheduler.LinearLR(o, 1.0, 0.1, total_iters=4)),
    "constant": (_sgd, lambda m, o: m.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3)),
    "warm_restarts": (_sgd, lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01)),
    "warm_restarts_mult1": (_sgd, lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 4)),
    "sequential": (_sgd, lambda m, o: m.optim.lr_scheduler.SequentialLR(
        o, [m.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3),
            m.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
            m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4)], milestones=[4, 8])),
    "cyclic_triangular": (_sgd, lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=2)),
    "cyclic_triangular2_adam": (_adam, lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, step_size_up=2, mode="triangular2", base_momentum=0.7, max_momentum=0.95)),
    "cyclic_exp_range": (_sgd, lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, step_size_up=2, mode="exp_range", gamma=0.9, cycle_momentum=False)),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_matches_pytorch(name):
    ours = _trajectory(autograd, OPTIMIZERS[name])
    # PyTorch keeps NAdam's mu_product (and the step) as tensors of the default dtype:
    # float64 here, so that its float32 rounding does not hide differences of ours
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        theirs = _trajectory(torch, OPTIMIZERS[name])
    finally:
        torch.set_default_dtype(default)
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_matches_pytorch(name):
    make_optimizer, make_scheduler = SCHEDULERS[name]
    ours, theirs = (_trajectory(m, make_optimizer, make_scheduler) for m in (autograd, torch))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_warm_restarts_with_fractional_epochs_matches_pytorch():
    lrs = {}
    for m in (autograd, torch):
        optimizer = m.optim.SGD([m.zeros(1, requires_grad=True)], lr=0.5)
        scheduler = m.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=3)
        lrs[m.__name__] = []
        for epoch in range(9):
            for batch in range(4):
                scheduler.step(epoch + batch / 4)
                lrs[m.__name__].append(optimizer.param_groups[0]["lr"])
    numpy.testing.assert_allclose(lrs["autograd"], lrs["torch"], rtol=1e-10)


# ----------------------------------------------------------------------------
# Distributions: densities, moments, cdf / icdf, with gradients to the parameters
# ----------------------------------------------------------------------------
def D(m):
    return m.distributions


DISTRIBUTIONS = [
    case("normal_cdf", lambda m, loc, s, x: D(m).Normal(loc, s.exp()).cdf(x), [(3,), (3,), (2, 3)]),
    case("normal_icdf", lambda m, loc, s, p: D(m).Normal(loc, s.exp()).icdf(p.sigmoid()),
         [(3,), (3,), (2, 3)]),
    case("laplace_log_prob", lambda m, loc, s, x: D(m).Laplace(loc, s.exp()).log_prob(x),
         [(3,), (3,), (2, 3)]),
    case("laplace_cdf_icdf", lambda m, loc, s, x, p: (D(m).Laplace(loc, s.exp()).cdf(x),
                                                      D(m).Laplace(loc, s.exp()).icdf(p.sigmoid())),
         [(3,), (3,), (2, 3), (2, 3)]),
    case("laplace_moments", lambda m, loc, s: (lambda d: (d.mean, d.variance, d.stddev, d.entropy()))(
        D(m).Laplace(loc, s.exp())), [(3,), (3,)]),
    case("log_normal_log_prob", lambda m, loc, s, x: D(m).LogNormal(loc, s.exp()).log_prob(x.exp()),
         [(3,), (3,), (2, 3)]),
    case("log_normal_moments", lambda m, loc, s: (lambda d: (d.mean, d.mode, d.variance, d.entropy()))(
        D(m).LogNormal(loc, s.exp() * 0.5)), [(3,), (3,)]),
    case("gamma_log_prob", lambda m, a, b, x: D(m).Gamma(a, b).log_prob(x), [(3,), (3,), (2, 3)],
         "positive"),
    case("gamma_moments", lambda m, a, b: (lambda d: (d.mean, d.mode, d.variance, d.entropy()))(
        D(m).Gamma(a * 2, b)), [(3,), (3,)], "positive"),
    case("beta_log_prob", lambda m, a, b, x: D(m).Beta(a, b).log_prob(x / 2.5), [(3,), (3,), (2, 3)],
         "positive"),
    case("beta_moments", lambda m, a, b: (lambda d: (d.mean, d.mode, d.variance, d.entropy()))(
        D(m).Beta(a + 1, b + 1)), [(3,), (3,)], "positive"),
]


@pytest.mark.parametrize("fn, shapes, domain", DISTRIBUTIONS)
def test_distribution_matches_pytorch(fn, shapes, domain):
    check_parity(fn, random_inputs(shapes, domain))


def test_categorical_enumerate_support_matches_pytorch():
    for expand in (True, False):
        _same(*_both(lambda m: D(m).Categorical(logits=m.zeros(2, 3, 4)).enumerate_support(expand)))


def test_samples_follow_the_distribution():
    """Draws (seeded, so the test is deterministic) have the right mean and spread,
    and rsample's gradient reaches the parameters it can."""
    autograd.manual_seed(0)
    loc, scale = autograd.tensor(1.0, requires_grad=True), autograd.tensor(2.0, requires_grad=True)
    draws = D(autograd).Laplace(loc, scale).rsample((20000,))
    assert abs(float(draws.mean()) - 1.0) < 0.1 and abs(float(draws.var()) - 8.0) < 0.5
    draws.mean().backward()
    assert abs(float(loc.grad) - 1.0) < 1e-6
    rate = autograd.tensor(2.0, requires_grad=True)
    gamma = D(autograd).Gamma(autograd.tensor(3.0), rate).rsample((20000,))
    assert abs(float(gamma.mean()) - 1.5) < 0.05
    gamma.mean().backward()
    assert abs(float(rate.grad) + float(gamma.mean()) / 2.0) < 1e-5   # d(z / b)/db = -z / b^2
    beta = D(autograd).Beta(autograd.tensor(2.0), autograd.tensor(6.0)).sample((20000,))
    assert abs(float(beta.mean()) - 0.25) < 0.01
    log_normal = D(autograd).LogNormal(autograd.tensor(0.0), autograd.tensor(0.5)).sample((20000,))
    assert abs(float(log_normal.mean()) - math.exp(0.125)) < 0.02


# ----------------------------------------------------------------------------
# weight_norm and spectral_norm: same weights (and, for spectral_norm, the same
# initial u and v) give the same outputs, gradients and buffer updates
# ----------------------------------------------------------------------------
def _copy_state(theirs, ours):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def _forward_backward(m, layer, x, seed=1):
    """Output, input gradient and parameter gradients for input x and a random upstream
    gradient (drawn after the forward, which spectral_norm's power iteration changes)."""
    inputs = m.tensor(x, requires_grad=True)
    out = layer(inputs)
    out.backward(m.tensor(numpy.random.default_rng(seed).standard_normal(tuple(out.shape))))
    return out.detach().numpy(), inputs.grad.numpy(), {n: p.grad.numpy() for n, p in layer.named_parameters()}


def _check_same_results(got, want):
    numpy.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-12, err_msg="output")
    numpy.testing.assert_allclose(got[1], want[1], rtol=1e-6, atol=1e-12, err_msg="input gradient")
    assert sorted(got[2]) == sorted(want[2])
    for key in want[2]:
        numpy.testing.assert_allclose(got[2][key], want[2][key], rtol=1e-6, atol=1e-12, err_msg=key)


@pytest.mark.filterwarnings("ignore:.*weight_norm. is deprecated")
@pytest.mark.parametrize("layer, dim", [("Linear", 0), ("Linear", None), ("Conv2d", 1)])
def test_weight_norm_matches_pytorch(layer, dim):
    args = (3, 4) if layer == "Linear" else (2, 3, 3)
    shape = (5, 3) if layer == "Linear" else (2, 2, 5, 5)
    torch.manual_seed(0)
    theirs = torch.nn.utils.weight_norm(getattr(torch.nn, layer)(*args).double(), dim=dim)
    ours = autograd.nn.utils.weight_norm(getattr(autograd.nn, layer)(*args).double(), dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy_state(theirs, ours)
    x, = random_inputs([shape])
    _check_same_results(_forward_backward(autograd, ours, x), _forward_backward(torch, theirs, x))
    autograd.nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    numpy.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("layer, args, shape", [
    ("Linear", (4, 5), (3, 4)),
    ("Conv2d", (2, 3, 3), (2, 2, 5, 5)),
    ("ConvTranspose2d", (3, 2, 3), (2, 3, 4, 4)),
])
def test_spectral_norm_matches_pytorch(layer, args, shape):
    torch.manual_seed(0)
    theirs = torch.nn.utils.spectral_norm(getattr(torch.nn, layer)(*args).double(), n_power_iterations=2)
    ours = autograd.nn.utils.spectral_norm(getattr(autograd.nn, layer)(*args).double(), n_power_iterations=2)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy_state(theirs, ours)
    for step, training in enumerate((True, True, False)):   # two power-iteration updates, then eval
        for layer_ in (ours, theirs):
            layer_.train(training)
            layer_.zero_grad()
        x, = random_inputs([shape], seed=step)
        _check_same_results(_forward_backward(autograd, ours, x), _forward_backward(torch, theirs, x))
        for key, value in theirs.state_dict().items():   # weight_orig, the updated u and v
            numpy.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-6,
                                          atol=1e-12, err_msg=key)


# ----------------------------------------------------------------------------
# register_hook and autograd.functional
# ----------------------------------------------------------------------------
def test_register_hook_matches_pytorch():
    def run(m, x):
        y = m.tanh(x) * 2
        early = (y * y).sum()
        y.register_hook(lambda g: g * m.arange(1, 5, dtype=m.float64).reshape(2, 2))
        seen = []
        z = y.exp()
        z.register_hook(lambda g: seen.append(g))
        return early + z.sum() + (y[0] * 3).sum()

    check_parity(run, random_inputs([(2, 2)]))


@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_and_hessian_match_pytorch(create_graph):
    def run(m, x, y):
        functional = m.autograd.functional
        jac = functional.jacobian(lambda a, b: (a.sin() * b.sum(), (a * a).sum()), (x, y),
                                  create_graph=create_graph)
        hess = functional.hessian(lambda a, b: (a.exp() * b).sum(), (x, y), create_graph=create_graph)
        values = [t for pair in jac for t in pair] + [t for pair in hess for t in pair]
        return [(v * 1 if create_graph else v) for v in values]

    check_parity(run, random_inputs([(3,), (3,)]))
