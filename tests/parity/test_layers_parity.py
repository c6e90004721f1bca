"""Every ``autograd.nn`` layer against the ``torch.nn`` layer of the same name.

For each row of ``CASES`` the torch layer and ours are built with the same
constructor arguments, both cast to float64 (``.double()``), and torch's
state_dict is copied into ours with ``load_state_dict`` (which checks that the
keys and shapes agree).  Parameters and floating buffers are first randomised
on the torch side, so that a norm layer's weight is not all ones nor its
running mean all zeros.  Then, in train mode and afterwards in eval mode, both
layers get the same random input and the same random upstream gradient, and
``check_layer`` compares:

* the output (shape, dtype, values),
* the gradient of every floating input,
* the gradient of every parameter, by name,
* the whole state_dict after the step (running statistics, num_batches_tracked).

Float64 throughout, rtol 1e-6 / atol 1e-10.  Inputs stay away from kinks
(``nonzero``) and from ties in max pooling (``distinct``).

Dropout is random, so the table checks it in eval mode only (the identity);
``test_dropout_train_statistics`` checks the fraction zeroed and the scaling.

The whole module is skipped when torch is not installed.
"""
import dataclasses

import numpy
import pytest
from numpy.testing import assert_allclose, assert_array_equal

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from autograd import nn  # noqa: E402

from .helpers import DOMAINS  # noqa: E402

RTOL = 1e-6
ATOL = 1e-10
REDUCTIONS = ["mean", "sum", "none"]
LIBRARIES = {"torch": torch, "autograd": autograd}


# ----------------------------------------------------------------------------
# Describing inputs and constructor arguments
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class In:
    """One input of the layer: a float64 array from ``helpers.DOMAINS[domain]``
    (or "prob": in (0.05, 0.95); "index": integers in [0, high)).  Floating
    inputs are leaves whose gradient is compared unless ``grad=False``."""
    shape: tuple
    domain: str = "real"
    high: int = 0
    grad: bool = True

    def draw(self, rng):
        if self.domain == "index":
            return rng.integers(0, self.high, self.shape, dtype=numpy.int64)
        if self.domain == "prob":
            return rng.uniform(0.05, 0.95, self.shape)
        return numpy.asarray(DOMAINS[self.domain](rng, self.shape), dtype=numpy.float64)


def real(*shape, grad=True):
    return In(shape, "real", grad=grad)


def nonzero(*shape):
    return In(shape, "nonzero")


def distinct(*shape):
    return In(shape, "distinct")


def prob(*shape, grad=True):
    return In(shape, "prob", grad=grad)


def index(high, *shape):
    return In(shape, "index", high=high, grad=False)


@dataclasses.dataclass(frozen=True)
class Const:
    """A constructor argument that is a tensor (a loss's ``weight``): the same
    float64 values become ``torch.tensor`` or ``autograd.tensor``."""
    values: tuple

    def build(self, m):
        return m.tensor(numpy.array(self.values, dtype=numpy.float64))


def _library_args(m, args, kwargs):
    convert = lambda v: v.build(m) if isinstance(v, Const) else v  # noqa: E731
    return [convert(a) for a in args], {k: convert(v) for k, v in kwargs.items()}


# ----------------------------------------------------------------------------
# The table: (layer, constructor args, constructor kwargs, inputs)
# ----------------------------------------------------------------------------
def case(layer, args, kwargs, inputs, id, modes=("train", "eval"), call=None):
    """``call``: keyword arguments of the forward call (same for both libraries)."""
    return pytest.param(layer, tuple(args), dict(kwargs), list(inputs), modes, dict(call or {}),
                        id=id)


CASES = [
    # -- Linear ---------------------------------------------------------------
    case("Linear", (5, 3), {}, [real(4, 5)], "Linear"),
    case("Linear", (5, 3), {"bias": False}, [real(4, 5)], "Linear-no_bias"),
    case("Linear", (4, 6), {}, [real(2, 3, 4)], "Linear-3d_input"),
    case("Linear", (4, 2), {}, [real(4)], "Linear-1d_input"),
    # -- Conv2d ---------------------------------------------------------------
    case("Conv2d", (3, 4, 3), {}, [real(2, 3, 7, 6)], "Conv2d"),
    case("Conv2d", (3, 4, 3), {"stride": 2, "padding": 1}, [real(2, 3, 7, 6)], "Conv2d-stride_pad"),
    case("Conv2d", (3, 5, (2, 3)), {"stride": (2, 1), "padding": (1, 2)}, [real(2, 3, 6, 7)],
         "Conv2d-nonsquare"),
    case("Conv2d", (3, 4, 3), {"dilation": 2, "padding": 1}, [real(2, 3, 8, 7)], "Conv2d-dilation"),
    case("Conv2d", (6, 9, 3), {"groups": 3, "padding": 1}, [real(2, 6, 5, 5)], "Conv2d-groups"),
    case("Conv2d", (4, 4, 3), {"groups": 4}, [real(2, 4, 5, 6)], "Conv2d-depthwise"),
    case("Conv2d", (3, 4, (3, 2)), {"bias": False, "stride": (1, 2), "dilation": (2, 1)},
         [real(2, 3, 8, 7)], "Conv2d-no_bias"),
    case("Conv2d", (3, 4, 3), {"padding": "same", "dilation": 2}, [real(2, 3, 6, 7)],
         "Conv2d-padding_same"),
    # -- ConvTranspose2d ------------------------------------------------------
    case("ConvTranspose2d", (3, 4, 3), {}, [real(2, 3, 4, 5)], "ConvTranspose2d"),
    case("ConvTranspose2d", (3, 4, 3), {"stride": 2, "padding": 1, "output_padding": 1},
         [real(2, 3, 4, 5)], "ConvTranspose2d-stride_pad_outpad"),
    case("ConvTranspose2d", (3, 5, (2, 4)), {"stride": (2, 3), "padding": (1, 0),
                                             "output_padding": (1, 2)},
         [real(2, 3, 4, 3)], "ConvTranspose2d-nonsquare"),
    case("ConvTranspose2d", (4, 6, 3), {"groups": 2, "stride": 2}, [real(2, 4, 3, 4)],
         "ConvTranspose2d-groups"),
    case("ConvTranspose2d", (3, 4, 3), {"dilation": 2, "stride": 2, "output_padding": 1},
         [real(2, 3, 4, 4)], "ConvTranspose2d-dilation"),
    case("ConvTranspose2d", (3, 4, 4), {"bias": False, "stride": 2, "padding": 1},
         [real(2, 3, 4, 4)], "ConvTranspose2d-no_bias"),
    case("ConvTranspose2d", (3, 4, 3), {"stride": 2, "padding": 1}, [real(2, 3, 5, 6)],
         "ConvTranspose2d-output_size", call={"output_size": (10, 12)}),
    # -- BatchNorm ------------------------------------------------------------
    case("BatchNorm1d", (4,), {}, [real(6, 4)], "BatchNorm1d-2d"),
    case("BatchNorm1d", (4,), {}, [real(3, 4, 5)], "BatchNorm1d-3d"),
    case("BatchNorm1d", (4,), {"momentum": 0.3, "eps": 1e-3}, [real(3, 4, 5)],
         "BatchNorm1d-momentum_eps"),
    case("BatchNorm1d", (4,), {"affine": False}, [real(6, 4)], "BatchNorm1d-no_affine"),
    case("BatchNorm1d", (4,), {"track_running_stats": False}, [real(3, 4, 5)],
         "BatchNorm1d-no_running_stats"),
    case("BatchNorm1d", (4,), {"momentum": None}, [real(6, 4)], "BatchNorm1d-cumulative"),
    case("BatchNorm2d", (3,), {}, [real(2, 3, 4, 5)], "BatchNorm2d"),
    case("BatchNorm2d", (3,), {"momentum": 0.25, "eps": 1e-3}, [real(2, 3, 4, 5)],
         "BatchNorm2d-momentum_eps"),
    case("BatchNorm2d", (3,), {"affine": False}, [real(2, 3, 4, 5)], "BatchNorm2d-no_affine"),
    case("BatchNorm2d", (3,), {"track_running_stats": False}, [real(2, 3, 4, 5)],
         "BatchNorm2d-no_running_stats"),
    case("BatchNorm2d", (3,), {"momentum": None}, [real(2, 3, 4, 5)], "BatchNorm2d-cumulative"),
    # -- InstanceNorm2d: affine x track_running_stats ---------------------------
    case("InstanceNorm2d", (3,), {}, [real(2, 3, 4, 5)], "InstanceNorm2d"),
    case("InstanceNorm2d", (3,), {"affine": True}, [real(2, 3, 4, 5)], "InstanceNorm2d-affine"),
    case("InstanceNorm2d", (3,), {"track_running_stats": True}, [real(2, 3, 4, 5)],
         "InstanceNorm2d-running_stats"),
    case("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True, "momentum": 0.3},
         [real(2, 3, 4, 5)], "InstanceNorm2d-affine_running_stats"),
    case("InstanceNorm2d", (3,), {"track_running_stats": True, "momentum": None},
         [real(2, 3, 4, 5)], "InstanceNorm2d-running_stats_cumulative"),
    # -- GroupNorm, LayerNorm -------------------------------------------------
    case("GroupNorm", (2, 6), {}, [real(2, 6, 3, 4)], "GroupNorm"),
    case("GroupNorm", (3, 6), {"affine": False, "eps": 1e-3}, [real(2, 6, 3, 4)],
         "GroupNorm-no_affine"),
    case("GroupNorm", (1, 4), {}, [real(3, 4, 5)], "GroupNorm-one_group_3d"),
    case("GroupNorm", (4, 4), {}, [real(2, 4, 3, 3)], "GroupNorm-per_channel"),
    case("LayerNorm", (6,), {}, [real(3, 6)], "LayerNorm"),
    case("LayerNorm", ((4, 5),), {"eps": 1e-3}, [real(2, 3, 4, 5)], "LayerNorm-2d_shape"),
    case("LayerNorm", (6,), {"elementwise_affine": False}, [real(2, 3, 6)], "LayerNorm-no_affine"),
    case("LayerNorm", (6,), {"bias": False}, [real(2, 3, 6)], "LayerNorm-no_bias"),
    # -- activations ----------------------------------------------------------
    case("ReLU", (), {}, [nonzero(3, 4, 5)], "ReLU"),
    case("LeakyReLU", (), {}, [nonzero(3, 4, 5)], "LeakyReLU"),
    case("LeakyReLU", (0.2,), {}, [nonzero(3, 4, 5)], "LeakyReLU-0.2"),
    case("Sigmoid", (), {}, [real(3, 4, 5)], "Sigmoid"),
    case("Tanh", (), {}, [real(3, 4, 5)], "Tanh"),
    case("SiLU", (), {}, [real(3, 4, 5)], "SiLU"),
    case("Softplus", (), {}, [real(3, 4, 5)], "Softplus"),
    case("Softplus", (), {"beta": 2.0, "threshold": 1.5}, [real(3, 4, 5)], "Softplus-beta_threshold"),
    case("ELU", (), {}, [nonzero(3, 4, 5)], "ELU"),
    case("ELU", (), {"alpha": 0.5}, [nonzero(3, 4, 5)], "ELU-alpha"),
    case("Softmax", (), {"dim": 1}, [real(3, 4, 5)], "Softmax-dim1"),
    case("Softmax", (), {"dim": -1}, [real(3, 4, 5)], "Softmax-dim_last"),
    case("LogSoftmax", (), {"dim": 1}, [real(3, 4, 5)], "LogSoftmax-dim1"),
    case("LogSoftmax", (), {"dim": -1}, [real(3, 4, 5)], "LogSoftmax-dim_last"),
    # -- Dropout (random in train mode: see test_dropout_train_statistics) -------
    case("Dropout", (), {}, [real(3, 4, 5)], "Dropout-eval", modes=("eval",)),
    case("Dropout", (0.3,), {}, [real(3, 4, 5)], "Dropout-0.3-eval", modes=("eval",)),
    # -- shapes ---------------------------------------------------------------
    case("Flatten", (), {}, [real(2, 3, 4, 5)], "Flatten"),
    case("Flatten", (0, 2), {}, [real(2, 3, 4, 5)], "Flatten-0_2"),
    case("Flatten", (-3, -2), {}, [real(2, 3, 4, 5)], "Flatten-negative_dims"),
    case("Unflatten", (1, (3, 4)), {}, [real(2, 12, 5)], "Unflatten"),
    case("Unflatten", (-1, (2, 3)), {}, [real(2, 4, 6)], "Unflatten-last_dim"),
    case("Identity", (), {}, [real(3, 4)], "Identity"),
    case("Identity", (54,), {"unused": "argument"}, [real(3, 4)], "Identity-ignored_args"),
    # -- upsampling and pooling -----------------------------------------------
    case("Upsample", (), {"scale_factor": 2}, [real(2, 3, 3, 4)], "Upsample-nearest_x2"),
    case("Upsample", (), {"scale_factor": (2, 3), "mode": "nearest"}, [real(2, 3, 3, 4)],
         "Upsample-nearest_2x3"),
    case("Upsample", (), {"size": (5, 7)}, [real(2, 3, 3, 4)], "Upsample-nearest_size"),
    case("AvgPool2d", (2,), {}, [real(2, 3, 6, 7)], "AvgPool2d"),
    case("AvgPool2d", (3,), {"stride": 2, "padding": 1}, [real(2, 3, 7, 6)], "AvgPool2d-stride_pad"),
    case("AvgPool2d", ((2, 3),), {"stride": (1, 2), "padding": (1, 1), "count_include_pad": False},
         [real(2, 3, 5, 7)], "AvgPool2d-exclude_pad"),
    case("AvgPool2d", (3,), {"stride": 2, "ceil_mode": True}, [real(2, 3, 6, 8)],
         "AvgPool2d-ceil_mode"),
    case("AvgPool2d", (2,), {"divisor_override": 3}, [real(2, 3, 6, 6)],
         "AvgPool2d-divisor_override"),
    case("MaxPool2d", (2,), {}, [distinct(2, 3, 6, 7)], "MaxPool2d"),
    case("MaxPool2d", (3,), {"stride": 2, "padding": 1}, [distinct(2, 3, 7, 6)],
         "MaxPool2d-stride_pad"),
    case("MaxPool2d", ((2, 3),), {"stride": (2, 1), "dilation": 2}, [distinct(2, 3, 8, 8)],
         "MaxPool2d-nonsquare_dilation"),
    case("MaxPool2d", (3,), {"stride": 2, "ceil_mode": True}, [distinct(2, 3, 6, 8)],
         "MaxPool2d-ceil_mode"),
    case("MaxPool2d", (2,), {"return_indices": True}, [distinct(2, 3, 4, 6)],
         "MaxPool2d-return_indices"),
    # -- Embedding ------------------------------------------------------------
    case("Embedding", (10, 4), {}, [index(10, 3, 5)], "Embedding"),
    case("Embedding", (10, 4), {"padding_idx": 0}, [In((3, 5), "index", high=3, grad=False)],
         "Embedding-padding_idx"),
    # -- losses (no parameters; every floating input gets a gradient) -----------
    *[case(loss, (), {"reduction": r}, inputs, f"{loss}-{r}")
      for r in REDUCTIONS
      for loss, inputs in [
          ("MSELoss", [real(3, 4), real(3, 4)]),
          ("L1Loss", [distinct(3, 4), real(3, 4)]),
          ("BCELoss", [prob(3, 4), prob(3, 4)]),
          ("BCEWithLogitsLoss", [real(3, 4), prob(3, 4)]),
          ("CrossEntropyLoss", [real(5, 4), index(4, 5)]),
          ("NLLLoss", [real(5, 4), index(4, 5)]),
      ]],
    case("CrossEntropyLoss", (), {"ignore_index": 1, "label_smoothing": 0.1},
         [real(2, 4, 3, 3), index(4, 2, 3, 3)], "CrossEntropyLoss-spatial_ignore_smoothing"),
    case("NLLLoss", (), {"ignore_index": 2, "reduction": "sum"}, [real(2, 4, 3), index(4, 2, 3)],
         "NLLLoss-spatial_ignore"),
    case("CrossEntropyLoss", (), {"weight": Const((0.5, 1.0, 2.0, 1.5))}, [real(5, 4), index(4, 5)],
         "CrossEntropyLoss-weight"),
    case("BCEWithLogitsLoss", (), {"pos_weight": Const((2.0, 0.5, 1.0, 3.0))},
         [real(3, 4), prob(3, 4)], "BCEWithLogitsLoss-pos_weight"),
]


# ----------------------------------------------------------------------------
# Build, copy, run, compare
# ----------------------------------------------------------------------------
def _numpy(t):
    return t.detach().numpy()


def assert_same(ours, theirs, what, rtol=RTOL, atol=ATOL):
    """Same shape, dtype and values (exact for integers, allclose for floats)."""
    assert tuple(ours.shape) == tuple(theirs.shape), \
        f"{what}: shape {tuple(ours.shape)} (autograd) vs {tuple(theirs.shape)} (torch)"
    their_dtype = str(theirs.dtype).removeprefix("torch.")
    assert str(ours.dtype) == their_dtype, f"{what}: dtype {ours.dtype} (autograd) vs {their_dtype} (torch)"
    if theirs.dtype.is_floating_point:
        assert_allclose(_numpy(ours), _numpy(theirs), rtol=rtol, atol=atol, err_msg=what)
    else:
        assert_array_equal(_numpy(ours), _numpy(theirs), err_msg=what)


def build_pair(layer, args=(), kwargs=None, seed=0):
    """The torch layer (parameters and floating buffers randomised) and ours, both
    float64, with torch's state_dict loaded into ours."""
    kwargs = kwargs or {}
    t_args, t_kwargs = _library_args(torch, args, kwargs)
    o_args, o_kwargs = _library_args(autograd, args, kwargs)
    theirs = getattr(torch.nn, layer)(*t_args, **t_kwargs).double()
    ours = getattr(nn, layer)(*o_args, **o_kwargs).double()

    rng = numpy.random.default_rng(seed)
    with torch.no_grad():
        for _, p in theirs.named_parameters():
            p.copy_(torch.from_numpy(rng.uniform(-1.5, 1.5, tuple(p.shape))))
        for name, b in theirs.named_buffers():
            if name.endswith("running_var"):
                b.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, tuple(b.shape))))
            elif name.endswith("running_mean"):
                b.copy_(torch.from_numpy(rng.standard_normal(tuple(b.shape))))

    their_state = theirs.state_dict()
    ours.load_state_dict({k: v.detach().numpy() for k, v in their_state.items()})
    assert list(ours.state_dict()) == list(their_state), "state_dict keys or their order differ"
    return theirs, ours


def step(theirs, ours, arrays, grads, seed, call=None, what=""):
    """One forward and backward of both layers on ``arrays``; compare everything.

    ``grads[i]``: whether input i is a leaf requiring grad.  Parameter grads are
    zeroed first, so each step's gradients are compared on their own.
    """
    call = call or {}
    theirs.zero_grad(set_to_none=True)
    ours.zero_grad(set_to_none=True)
    t_in = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    o_in = [autograd.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    t_out = theirs(*t_in, **call)
    o_out = ours(*o_in, **call)
    t_out = list(t_out) if isinstance(t_out, tuple) else [t_out]
    o_out = list(o_out) if isinstance(o_out, tuple) else [o_out]
    assert len(o_out) == len(t_out), f"{what}: {len(o_out)} outputs (autograd) vs {len(t_out)} (torch)"
    for i, (o, t) in enumerate(zip(o_out, t_out)):
        assert_same(o, t, f"{what}: output {i}")

    differentiable = [i for i, t in enumerate(t_out) if t.requires_grad]
    if not differentiable:
        return
    rng = numpy.random.default_rng(seed)
    upstream = [rng.standard_normal(tuple(t_out[i].shape)) for i in differentiable]
    torch.autograd.backward([t_out[i] for i in differentiable], [torch.tensor(g) for g in upstream])
    autograd.autograd.backward([o_out[i] for i in differentiable],
                               [autograd.tensor(g) for g in upstream])

    for i, (o, t) in enumerate(zip(o_in, t_in)):
        if t.grad is None:
            assert o.grad is None, f"{what}: input {i} has a gradient in autograd, none in torch"
        else:
            assert o.grad is not None, f"{what}: input {i} has no gradient in autograd"
            assert_same(o.grad, t.grad, f"{what}: gradient of input {i}")

    t_params, o_params = dict(theirs.named_parameters()), dict(ours.named_parameters())
    assert list(o_params) == list(t_params), f"{what}: parameter names differ"
    for name, t in t_params.items():
        o = o_params[name]
        if t.grad is None:
            assert o.grad is None, f"{what}: parameter {name} has a gradient in autograd, none in torch"
        else:
            assert o.grad is not None, f"{what}: parameter {name} has no gradient in autograd"
            assert_same(o.grad, t.grad, f"{what}: gradient of parameter {name}")


def assert_same_state(theirs, ours, what):
    """Every parameter and buffer (running statistics, num_batches_tracked)."""
    t_state, o_state = theirs.state_dict(), ours.state_dict()
    assert list(o_state) == list(t_state), f"{what}: state_dict keys differ"
    for name, t in t_state.items():
        assert_same(o_state[name], t, f"{what}: state_dict[{name!r}]")


def check_layer(layer, args, kwargs, inputs, modes=("train", "eval"), call=None, seed=0):
    """Build both layers, copy torch's state into ours, then for each mode run one
    step on the same input and upstream gradient and compare everything."""
    theirs, ours = build_pair(layer, args, kwargs, seed)
    rng = numpy.random.default_rng(seed + 1)
    for k, mode in enumerate(modes):
        theirs.train(mode == "train")
        ours.train(mode == "train")
        assert ours.training == theirs.training
        arrays = [spec.draw(rng) for spec in inputs]
        grads = [spec.grad and spec.domain != "index" for spec in inputs]
        step(theirs, ours, arrays, grads, seed=seed + 10 + k, call=call, what=f"{layer} ({mode})")
        assert_same_state(theirs, ours, f"{layer} after a {mode} step")


@pytest.mark.parametrize("layer, args, kwargs, inputs, modes, call", CASES)
def test_layer_parity(layer, args, kwargs, inputs, modes, call):
    check_layer(layer, args, kwargs, inputs, modes, call)


# ----------------------------------------------------------------------------
# Cumulative running average over several steps
# ----------------------------------------------------------------------------
def test_batchnorm2d_cumulative_average_three_steps():
    """momentum=None: running stats are the plain average over the batches seen;
    three train steps, each compared, then eval with the resulting statistics."""
    theirs, ours = build_pair("BatchNorm2d", (3,), {"momentum": None})
    rng = numpy.random.default_rng(5)
    for k in range(3):
        x = rng.standard_normal((4, 3, 3, 2)) * (k + 1) + k
        step(theirs, ours, [x], [True], seed=20 + k, what=f"BatchNorm2d train step {k + 1}")
        assert_same_state(theirs, ours, f"BatchNorm2d after train step {k + 1}")
        assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == k + 1
    theirs.eval()
    ours.eval()
    step(theirs, ours, [rng.standard_normal((4, 3, 3, 2))], [True], seed=30, what="BatchNorm2d eval")
    assert_same_state(theirs, ours, "BatchNorm2d after eval")


# ----------------------------------------------------------------------------
# Dropout in train mode: statistics only
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("library", ["autograd", "torch"])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_train_statistics(library, p):
    """A fraction close to p is zeroed; the rest is scaled by exactly 1/(1-p), and
    so is its gradient.  Run on both libraries, so the check itself is checked."""
    m = LIBRARIES[library]
    m.manual_seed(0)
    n = 200_000
    layer = m.nn.Dropout(p).double().train()
    x_array = numpy.random.default_rng(3).uniform(0.5, 2.0, n)
    x = m.tensor(x_array, requires_grad=True)
    y = layer(x)
    y.backward(m.tensor(numpy.ones(n)))
    y_array, grad = _numpy(y), _numpy(x.grad)

    zeroed = y_array == 0
    tolerance = 6 * numpy.sqrt(p * (1 - p) / n)  # six standard deviations of the fraction
    assert abs(zeroed.mean() - p) < tolerance, f"fraction zeroed {zeroed.mean()}, p = {p}"
    assert_allclose(y_array[~zeroed], x_array[~zeroed] / (1 - p), rtol=1e-12)
    assert_allclose(grad[~zeroed], 1 / (1 - p), rtol=1e-12)
    assert_array_equal(grad[zeroed], 0.0)
