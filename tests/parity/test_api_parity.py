"""The PyTorch surface added for real programs (issue [1 of 7]), against torch 2.13.0.

Ops: values and gradients in float64 (rtol 1e-6), through ``check_parity``.
In-place changes: the same program under both libraries, gradients compared,
slice assignment over hypothesis-drawn shapes and index kinds.  Optimizers and
schedulers: the same trajectory.  The rest: names and types PyTorch programs use.
"""
import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import autograd  # noqa: E402

from .helpers import check_parity, random_inputs  # noqa: E402


def case(name, fn, shapes, domain="real"):
    return pytest.param(fn, shapes, domain, id=name)


OPS = [
    case("sin", lambda m, x: m.sin(x), [(3, 4)]),
    case("cos_method", lambda m, x: x.cos(), [(3, 4)]),
    case("erf", lambda m, x: m.erf(x), [(3, 4)]),
    case("expm1", lambda m, x: m.expm1(x), [(3, 4)]),
    case("reciprocal", lambda m, x: x.reciprocal(), [(3, 4)], "nonzero"),
    case("log2", lambda m, x: m.log2(x), [(3, 4)], "positive"),
    case("log10", lambda m, x: x.log10(), [(3, 4)], "positive"),
    case("floor", lambda m, x: m.floor(x * 3) + x, [(3, 4)]),
    case("round", lambda m, x: m.round(x * 3) * x, [(3, 4)]),
    case("remainder", lambda m, x, y: m.remainder(x, y), [(3, 4), (3, 4)], "positive"),
    case("fmod", lambda m, x: m.fmod(x * 3, 1.5), [(3, 4)], "nonzero"),
    case("cumsum", lambda m, x: m.cumsum(x, dim=1), [(3, 4)]),
    case("cumsum_method_neg_dim", lambda m, x: x.cumsum(-2), [(3, 4, 2)]),
    case("cumprod", lambda m, x: m.cumprod(x, 1), [(3, 4)], "nonzero"),
    case("cumprod_with_zero", lambda m, x: m.cumprod(m.where(x > 0.5, 0.0, x), 1), [(3, 5)]),
    case("prod_all", lambda m, x: m.prod(x), [(2, 3)], "nonzero"),
    case("prod_dim", lambda m, x: x.prod(1, keepdim=True), [(2, 3)], "nonzero"),
    case("flip", lambda m, x: m.flip(x, [0, 2]), [(2, 3, 4)]),
    case("flip_method", lambda m, x: x.flip(1), [(2, 3)]),
    case("roll", lambda m, x: m.roll(x, 2, 1), [(2, 5)]),
    case("roll_flat", lambda m, x: m.roll(x, -3), [(2, 5)]),
    case("diag_vector", lambda m, x: m.diag(x, 1), [(4,)]),
    case("diag_matrix", lambda m, x: m.diag(x, -1), [(4, 3)]),
    case("triu", lambda m, x: m.triu(x), [(4, 4)]),
    case("tril_offset_batch", lambda m, x: m.tril(x, -1), [(2, 3, 4)]),
    case("masked_fill", lambda m, x: x.masked_fill(x > 0.2, -1.5), [(3, 4)]),
    case("masked_fill_fn", lambda m, x: m.masked_fill(x, x < 0, 0.0), [(3, 4)], "nonzero"),
    case("gather", lambda m, x: m.gather(x, 1, m.tensor([[0, 0, 2], [1, 0, 1]])), [(2, 3)]),
    case("gather_cropped", lambda m, x: x.gather(0, m.tensor([[1, 0], [1, 1]])), [(3, 4)]),
    case("index_select", lambda m, x: m.index_select(x, 1, m.tensor([2, 0, 2])), [(3, 4)]),
    case("narrow", lambda m, x: x.narrow(1, 1, 2), [(3, 4)]),
    case("unbind", lambda m, x: m.unbind(x, 1), [(3, 2)]),
    case("movedim", lambda m, x: m.movedim(x, 0, 2), [(2, 3, 4)]),
    case("tile", lambda m, x: x.tile(2, 1), [(2, 3)]),
    case("repeat_interleave", lambda m, x: x.repeat_interleave(2, dim=0), [(2, 3)]),
    case("sort", lambda m, x: m.sort(x, dim=1, descending=True), [(3, 4)], "distinct"),
    case("topk", lambda m, x: m.topk(x, 2, dim=0), [(4, 3)], "distinct"),
    case("argsort", lambda m, x: (x * 1, m.argsort(x, dim=1)), [(3, 4)], "distinct"),
    case("einsum_bmm", lambda m, x, y: m.einsum("bij,bjk->bik", x, y), [(2, 3, 4), (2, 4, 5)]),
    case("einsum_attention", lambda m, q, k: m.einsum("b h d i, b h d j -> b h i j", q, k),
         [(2, 2, 3, 4), (2, 2, 3, 5)]),
    case("einsum_sum_out", lambda m, x, y: m.einsum("ij,jk", x, y).sum() + m.einsum("ij->j", x),
         [(3, 4), (4, 2)]),
    case("einsum_ellipsis", lambda m, x, y: m.einsum("...ij,...j->...i", x, y), [(2, 3, 4), (2, 4)]),
    case("outer", lambda m, x, y: m.outer(x, y), [(3,), (4,)]),
    case("dot", lambda m, x, y: m.dot(x, y), [(5,), (5,)]),
    case("gelu", lambda m, x: m.nn.functional.gelu(x), [(3, 4)]),
    case("gelu_tanh", lambda m, x: m.nn.functional.gelu(x, approximate="tanh"), [(3, 4)]),
    case("normalize", lambda m, x: m.nn.functional.normalize(x, dim=1), [(3, 4)]),
    case("normalize_p1", lambda m, x: m.nn.functional.normalize(x, p=1.0, dim=0), [(3, 4)], "nonzero"),
    case("cosine_similarity", lambda m, x, y: m.nn.functional.cosine_similarity(x, y), [(3, 4), (3, 4)]),
    case("logsigmoid", lambda m, x: m.nn.functional.logsigmoid(x * 5), [(3, 4)]),
    case("smooth_l1", lambda m, x, y: m.nn.functional.smooth_l1_loss(x, y, beta=0.5), [(3, 4), (3, 4)]),
    case("huber", lambda m, x, y: m.nn.functional.huber_loss(x, y, delta=0.7), [(3, 4), (3, 4)]),
    case("mse_size_average", lambda m, x, y: m.nn.functional.mse_loss(x, y, size_average=False),
         [(3, 4), (3, 4)]),
    case("cross_entropy_reduce", lambda m, x: m.nn.functional.cross_entropy(
        x, m.tensor([0, 2, 1]), reduce=False), [(3, 4)]),
    case("square_method", lambda m, x: x.square().sum(), [(3,)]),
    case("new_ops", lambda m, x: x * x.new_ones(3) + x.new_tensor([1.0, 2.0, 3.0]) + x.new_full((3,), 2.0),
         [(3,)]),
    case("type_as_and_type", lambda m, x: x.type(m.float64) * 2, [(3,)]),
]


@pytest.mark.parametrize("fn, shapes, domain", OPS)
def test_op_matches_pytorch(fn, shapes, domain):
    check_parity(fn, random_inputs(shapes, domain))


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    autograd.manual_seed(0)
    x = autograd.ones(8, 16, 3, 3, requires_grad=True)
    y = autograd.nn.functional.dropout2d(x, 0.25)
    per_channel = y.detach().numpy().reshape(8, 16, 9)
    assert set(numpy.unique(per_channel).tolist()) <= {0.0, float(numpy.float32(1 / 0.75))}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()   # one value per channel
    y.sum().backward()
    assert numpy.array_equal(x.grad.numpy(), y.detach().numpy())
    assert autograd.nn.Dropout2d(0.5).eval()(x) is x


def test_orthogonal_init_gives_orthonormal_rows_or_columns():
    autograd.manual_seed(0)
    for shape in [(4, 6), (6, 4), (3, 2, 2, 2)]:
        w = autograd.nn.init.orthogonal_(autograd.empty(*shape), gain=2.0)
        matrix = w.numpy().reshape(shape[0], -1)
        small = matrix @ matrix.T if shape[0] <= matrix.shape[1] else matrix.T @ matrix
        numpy.testing.assert_allclose(small, 4.0 * numpy.eye(len(small)), atol=1e-5)


# ----------------------------------------------------------------------------
# In-place changes recorded in the graph: the same program, the same gradients
# ----------------------------------------------------------------------------
def _both(program, *arrays):
    results = []
    for m in (autograd, torch):
        leaves = [m.tensor(a, requires_grad=True) for a in arrays]
        out = program(m, *leaves)
        out.backward(m.tensor(numpy.linspace(-1, 2, out.numel()).reshape(tuple(out.shape))))
        results.append((out.detach().numpy(), [t.grad.numpy() for t in leaves]))
    (ours, our_grads), (theirs, their_grads) = results
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-10)
    for a, b in zip(our_grads, their_grads):
        numpy.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


IN_PLACE = {
    "add_mul_div": lambda m, x, w: (x * 1).add_(w).mul_(w).div_(w + 3),
    "sub_alpha_neg": lambda m, x, w: (x * 2).sub_(w, alpha=0.5).neg_(),
    "exp_sqrt": lambda m, x, w: (x * x + 1).sqrt_().mul(2).exp_() * w,
    "sigmoid_tanh_clamp": lambda m, x, w: (x * w).sigmoid_().mul(3).tanh_().mul(1).clamp_(0.1, 0.6),
    "lerp_addcmul": lambda m, x, w: (x * 1).lerp_(w, 0.3).addcmul_(x, w, value=0.5),
    "copy_fill_zero": lambda m, x, w: (x * 1).copy_(w * 3) + (x * 1).fill_(2.0) * (w * 1).zero_(),
    "masked_fill_": lambda m, x, w: (x * w).masked_fill_(x > 0, 0.5),
    "iadd_imul": lambda m, x, w: _iadd_imul(x, w),
    "view_add_": lambda m, x, w: _view_add(x, w),
    "column_by_column": lambda m, x, w: _columns(m, x, w),
}


def _iadd_imul(x, w):
    h = x * 1
    h += w
    h *= w
    return h


def _view_add(x, w):
    h = x * 1
    h[1].add_(w)
    h[:, 0] *= 2
    return h


def _columns(m, x, w):
    u = m.zeros(x.shape, dtype=x.dtype)
    for i in range(x.shape[1]):
        u[:, i] = x[:, i] * w[i] + u[:, :i].sum(1)
    return u


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_change_matches_pytorch(name):
    x, w = random_inputs([(3, 3), (3,)], seed=4)
    _both(IN_PLACE[name], x, w)


def _index_kinds(shape):
    """An index into ``shape``: basic (ints, slices, None, ...), an integer array
    without repeats in the first dim, or a boolean mask."""
    basic = st.tuples(*[st.one_of(st.integers(-s, s - 1), st.builds(slice, st.integers(0, s - 1),
                                                                     st.integers(1, s)))
                        for s in shape])
    with_none = basic.map(lambda t: (None,) + t)
    with_ellipsis = st.integers(-shape[-1], shape[-1] - 1).map(lambda i: (Ellipsis, i))
    arrays = st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=shape[0], unique=True).map(
        lambda rows: (numpy.array(rows),))
    masks = st.lists(st.booleans(), min_size=shape[0], max_size=shape[0]).filter(any).map(
        lambda bits: (numpy.array(bits),))
    return st.one_of(basic, with_none, with_ellipsis, arrays, masks)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_slice_assignment_gradients_match_pytorch(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), label="shape")
    index = data.draw(_index_kinds(shape), label="index")
    region = numpy.zeros(shape)[index].shape
    value_shape = data.draw(st.sampled_from([region, region[1:] if len(region) > 1 else region]),
                            label="value shape")
    x, v = random_inputs([shape, value_shape], seed=data.draw(st.integers(0, 99)))

    def program(m, x, v):
        z = x * 2
        z[tuple(m.tensor(i) if isinstance(i, numpy.ndarray) else i for i in index)] = v * 3
        return z * z

    _both(program, x, v)


def test_the_saved_tensor_error_matches_where_pytorch_raises():
    for m in (autograd, torch):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        y = a.exp()
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


# ----------------------------------------------------------------------------
# Optimizers and schedulers: the same trajectory
# ----------------------------------------------------------------------------
def _trajectory(m, make_optimizer, make_scheduler=None, steps=12, metric=None):
    w = m.tensor([1.5, -2.0, 0.5], dtype=m.float64, requires_grad=True)
    optimizer = make_optimizer(m, [w])
    scheduler = make_scheduler(m, optimizer) if make_scheduler else None
    values = []
    for step in range(steps):
        optimizer.zero_grad()
        ((w - 0.3) ** 2 * m.tensor([1.0, 2.0, 3.0], dtype=m.float64)).sum().backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step(metric[step]) if metric else scheduler.step()
        values.append(w.detach().numpy().copy())
        values.append(numpy.array([optimizer.param_groups[0]["lr"]]))
    return numpy.concatenate(values)


OPTIMIZERS = {
    "adadelta": lambda m, p: m.optim.Adadelta(p, lr=0.5, rho=0.8, weight_decay=0.1),
    "adagrad": lambda m, p: m.optim.Adagrad(p, lr=0.3, lr_decay=0.01, initial_accumulator_value=0.1),
    "adagrad_maximize": lambda m, p: m.optim.Adagrad(p, lr=0.1, maximize=True),
}

SCHEDULERS = {
    "exponential": lambda m, o: m.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
    "multistep": lambda m, o: m.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5),
    "cosine": lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
    "onecycle": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=13),
    "onecycle_linear_3": lambda m, o: m.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.5, epochs=1, steps_per_epoch=13, anneal_strategy="linear", three_phase=True),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_matches_pytorch(name):
    ours, theirs = (_trajectory(m, OPTIMIZERS[name]) for m in (autograd, torch))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_matches_pytorch(name):
    sgd = lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9)  # noqa: E731
    ours, theirs = (_trajectory(m, sgd, SCHEDULERS[name]) for m in (autograd, torch))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-10)


@pytest.mark.parametrize("options", [dict(patience=1), dict(mode="max", patience=0, threshold=0.01),
                                     dict(patience=1, cooldown=2, threshold_mode="abs", threshold=0.5,
                                          min_lr=0.002)])
def test_reduce_on_plateau_matches_pytorch(options):
    metric = [5, 4, 4, 4, 3.999, 4, 4, 2, 2, 2, 2, 2]
    sgd = lambda m, p: m.optim.SGD(p, lr=0.1)  # noqa: E731
    plateau = lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, **options)  # noqa: E731
    ours, theirs = (_trajectory(m, sgd, plateau, metric=metric) for m in (autograd, torch))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-10)


# ----------------------------------------------------------------------------
# Names and types PyTorch programs rely on
# ----------------------------------------------------------------------------
def test_legacy_constructors_and_types_match_pytorch():
    for m in (autograd, torch):
        assert tuple(m.Tensor(2, 3).shape) == (2, 3) and str(m.Tensor(2, 3).dtype).endswith("float32")
        assert str(m.Tensor([1, 2]).dtype).endswith("float32")
        assert m.FloatTensor(numpy.zeros(3)).type() == "torch.FloatTensor"
        assert m.LongTensor([1, 2]).type() == "torch.LongTensor"
        assert m.ones(2).type(m.DoubleTensor).type() == "torch.DoubleTensor"
        assert m.ones(2).type("torch.LongTensor").tolist() == [1, 1]
        assert isinstance(m.ones(2), m.FloatTensor) and not isinstance(m.ones(2), m.LongTensor)
        assert m.Size([2, 3]).numel() == 6 and m.ones(2, 3).size() == m.Size([2, 3])
        assert m.ones(2, 3).size(1) == 3 and m.ones(2, 3).shape == (2, 3)
        assert m.float is m.float32 and m.long is m.int64
        assert m.autograd.Variable(m.ones(2)).tolist() == [1.0, 1.0]


def test_comparison_methods_match_pytorch():
    a, b = random_inputs([(3, 4), (3, 4)], seed=5)
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        ours = getattr(autograd.tensor(a), name)(autograd.tensor(b)).numpy()
        theirs = getattr(torch.tensor(a), name)(torch.tensor(b)).numpy()
        assert numpy.array_equal(ours, theirs), name
        assert numpy.array_equal(getattr(autograd.tensor(a), name)(0.1).numpy(),
                                 getattr(torch.tensor(a), name)(0.1).numpy())


def test_grad_fn_walks_the_graph_as_in_pytorch():
    for m in (autograd, torch):
        a = m.tensor([2.0, 3.0], requires_grad=True)
        q = 3 * a ** 3
        first = q.grad_fn.next_functions[0][0]
        leaf = first.next_functions[0][0]
        assert leaf.variable is a and type(leaf).__name__ == "AccumulateGrad"
        assert m.ones(2).grad_fn is None


def test_only_inputs_and_devices_are_accepted():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    g, = autograd.autograd.grad((x * x).sum(), x, only_inputs=True)
    assert g.tolist() == [2.0, 4.0]
    device = autograd.device("cuda" if autograd.cuda.is_available() else "cpu")
    assert x.to(device).device == device and autograd.zeros(1, device=device).device == str(device)
    assert autograd.device("cpu") == "cpu" and str(autograd.device("cuda:0")) == "cuda:0"
    assert repr(autograd.device("cpu")) == repr(torch.device("cpu"))
    assert not autograd.zeros(1).is_cuda
    autograd.backends.cudnn.benchmark = True
    assert autograd.accelerator.is_available() == autograd.cuda.is_available()


def test_math_constants_and_finfo_match_pytorch():
    assert autograd.pi == torch.pi == math.pi
    assert autograd.finfo(autograd.float32).eps == torch.finfo(torch.float32).eps
    assert autograd.finfo(autograd.float64).tiny == torch.finfo(torch.float64).tiny


# ----------------------------------------------------------------------------
# What public programs needed (found by running them with only the import changed)
# ----------------------------------------------------------------------------
MORE_OPS = [
    case("bilinear", lambda m, x: m.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"), [(1, 2, 3, 4)]),
    case("bilinear_corners", lambda m, x: m.nn.functional.interpolate(
        x, size=(5, 3), mode="bilinear", align_corners=True), [(2, 1, 4, 4)]),
    case("upsample_bilinear", lambda m, x: m.nn.Upsample(scale_factor=2, mode="bilinear",
                                                         align_corners=True)(x), [(1, 1, 3, 3)]),
    case("sdpa", lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v),
         [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)]),
    case("sdpa_causal", lambda m, q: m.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True),
         [(2, 4, 3)]),
    case("lerp", lambda m, x, y: m.lerp(x, y, 0.3) + x.lerp(y, 0.6), [(3, 4), (3, 4)]),
    case("clamp_tensor_bounds", lambda m, x, lo: m.clamp(x, min=lo), [(3, 4), (3, 4)], "distinct"),
    case("flip_keyword", lambda m, x: x.flip(dims=(1,)) + x.permute(dims=(0, 1)), [(2, 2)]),
    case("view_keyword", lambda m, x: x.view(size=(3, 2)).reshape(shape=(6,)), [(2, 3)]),
    case("swapaxes", lambda m, x: x.swapaxes(0, 1).swapdims(0, 1).moveaxis(0, 1), [(2, 3)]),
    case("prelu", lambda m, x: m.nn.PReLU(3).double()(x), [(2, 3, 4)], "nonzero"),
    case("relu6_hardtanh", lambda m, x: m.nn.ReLU6()(x * 4) + m.nn.Hardtanh(-0.5, 0.5)(x), [(3, 4)], "nonzero"),
    case("mish_selu", lambda m, x: m.nn.Mish()(x) + m.nn.SELU()(x), [(3, 4)], "nonzero"),
    case("relu_inplace_keyword", lambda m, x: m.nn.functional.relu(x * 1, inplace=True), [(3,)], "nonzero"),
]


@pytest.mark.parametrize("fn, shapes, domain", MORE_OPS)
def test_more_ops_match_pytorch(fn, shapes, domain):
    check_parity(fn, random_inputs(shapes, domain))


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_matches_pytorch_from_the_same_weights(batch_first):
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first).double()
    ours = autograd.nn.MultiheadAttention(8, 2, batch_first=batch_first).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: autograd.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    q, k, v = random_inputs([(3, 5, 8) if batch_first else (5, 3, 8)] * 3, seed=9)
    padding = numpy.zeros((3, 5), bool)
    padding[1, 3:] = True
    future = numpy.triu(numpy.ones((5, 5), bool), 1)
    results = []
    for m, layer in ((autograd, ours), (torch, theirs)):
        inputs = [m.tensor(a, requires_grad=True) for a in (q, k, v)]
        out, weights = layer(*inputs, key_padding_mask=m.tensor(padding), attn_mask=m.tensor(future))
        (out * out).sum().backward()
        results.append([out.detach().numpy(), weights.detach().numpy()] + [t.grad.numpy() for t in inputs]
                       + [layer.in_proj_weight.grad.numpy()])
    for ours_value, theirs_value in zip(*results):
        numpy.testing.assert_allclose(ours_value, theirs_value, rtol=1e-9, atol=1e-12)


def test_lu_and_qr_match_pytorch():
    a = random_inputs([(2, 4, 4)], seed=3)[0]
    packed, pivots = autograd.tensor(a).lu()
    their_packed, their_pivots = torch.linalg.lu_factor(torch.tensor(a))
    numpy.testing.assert_allclose(packed.numpy(), their_packed.numpy(), rtol=1e-10)
    assert pivots.numpy().tolist() == their_pivots.numpy().tolist()
    p, lower, upper = autograd.lu_unpack(packed, pivots)
    numpy.testing.assert_allclose((p @ lower @ upper).numpy(), a, atol=1e-12)
    numpy.testing.assert_allclose(autograd.linalg.lu(autograd.tensor(a))[0].numpy(),
                                  torch.linalg.lu(torch.tensor(a))[0].numpy())
    q, r = autograd.linalg.qr(autograd.tensor(a[0]))
    numpy.testing.assert_allclose((q @ r).numpy(), a[0], atol=1e-12)
    with pytest.raises(NotImplementedError, match="gradients through this factorisation"):
        autograd.linalg.qr(autograd.tensor(a[0], requires_grad=True))


def test_device_modules_import_as_in_pytorch():
    import importlib
    for name in ("backends.cudnn", "backends.mps", "cuda", "accelerator"):
        ours = importlib.import_module(f"autograd.{name}")
        theirs = importlib.import_module(f"torch.{name}")
        assert hasattr(ours, "is_available") == hasattr(theirs, "is_available")
    import autograd.backends.cudnn as cudnn
    cudnn.benchmark = True
    assert autograd.backends.cudnn.benchmark


def test_module_and_parameter_containers_behave_as_in_pytorch():
    for m in (autograd, torch):
        layers = m.nn.ModuleList()
        layers += [m.nn.Linear(2, 2)]
        layers.insert(0, m.nn.ReLU())
        assert [type(layer).__name__ for layer in layers] == ["ReLU", "Linear"]
        parameters = m.nn.ParameterList([m.nn.Parameter(m.zeros(2)), m.nn.Parameter(m.ones(3))])
        named = m.nn.ParameterDict({"scale": m.nn.Parameter(m.ones(1))})
        holder = m.nn.Module()
        holder.list, holder.dict = parameters, named
        assert sorted(dict(holder.named_parameters())) == ["dict.scale", "list.0", "list.1"]


def test_resize_and_file_objects():
    import io
    x = autograd.tensor([1.0, 2.0, 3.0])
    assert x.resize_(2, 2).tolist() == [[1.0, 2.0], [3.0, 0.0]] and x._version == 1
    buffer = io.BytesIO()
    autograd.save({"w": autograd.ones(2), "step": 3}, buffer)
    buffer.seek(0)
    loaded = autograd.load(buffer)
    assert loaded["step"] == 3 and loaded["w"].tolist() == [1.0, 1.0]


def test_a_torch_save_file_is_refused_with_what_to_do(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "model.pt")
    with pytest.raises(autograd.CheckpointError, match="PyTorch torch.save file.*safetensors.torch.save_file"):
        autograd.load(tmp_path / "model.pt")


def test_tensors_print_as_in_pytorch():
    for values in ([5.5, 3.0], [1.0, 2.0], [0.6053777, -1.25]):
        assert repr(autograd.tensor(values)) == repr(torch.tensor(values))
    assert repr(autograd.tensor([1, 2])) == repr(torch.tensor([1, 2]))
