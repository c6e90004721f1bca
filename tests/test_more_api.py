"""The APIs added together, where no PyTorch comparison is needed (their parity
tests are in tests/parity/test_more_api_parity.py): hooks, in-place scatter ops and
version counting, second derivatives of the new Functions, nn.utils helpers,
top-level utilities, and the error messages for bad input."""
import math

import numpy
import pytest

import autograd as torch
from autograd import nn
from autograd.nn import functional as F


def _double(*values, requires_grad=True):
    return torch.tensor(numpy.asarray(values, dtype=numpy.float64), requires_grad=requires_grad)


# ----------------------------------------------------------------------------
# Second derivatives of the new Functions
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("fn, values", [
    (torch.tan, [0.3, -0.7, 1.1]),
    (torch.sinh, [0.3, -1.7, 2.1]),
    (torch.cosh, [0.3, -1.7, 2.1]),
    (torch.asin, [0.3, -0.7, 0.1]),
    (torch.acos, [0.3, -0.7, 0.1]),
    (torch.atan, [0.3, -1.7, 2.1]),
    (torch.atanh, [0.3, -0.7, 0.1]),
    (torch.lgamma, [0.3, 1.7, 6.1, -2.5]),
    (torch.digamma, [0.3, 1.7, 12.1]),
    (lambda x: torch.polygamma(1, x), [0.3, 1.7, 12.1]),
    (torch.erfinv, [0.3, -0.7, 0.95]),
    (lambda x: torch.logit(x, eps=0.2), [0.3, 0.5, 0.7]),
])
def test_new_functions_have_first_and_second_derivatives(fn, values):
    x = _double(*values)
    assert torch.gradcheck(fn, (x,))
    assert torch.gradgradcheck(fn, (x,))


def test_special_functions_in_float32_keep_their_dtype():
    x = torch.tensor([0.5, 1.5, 3.0])
    for fn in (torch.lgamma, torch.digamma, torch.erfinv, lambda t: torch.polygamma(2, t)):
        assert fn(x * 0.3).dtype == torch.float32
    numpy.testing.assert_allclose(torch.lgamma(x).numpy(), [math.lgamma(v) for v in (0.5, 1.5, 3.0)],
                                  rtol=1e-6)
    assert torch.lgamma(torch.tensor([3, 4])).dtype == torch.float32    # integers become float


# ----------------------------------------------------------------------------
# Tensor.register_hook
# ----------------------------------------------------------------------------
def test_register_hook_sees_and_replaces_the_gradient():
    x = _double(1.0, 2.0, 3.0)
    y = x * 2
    early = (y * 3).sum()          # a use of y made before the hook: it is hooked too
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10)
    late = (y * y).sum()
    (early + late).backward()
    expected_at_y = 3 + 2 * y.detach().numpy()
    numpy.testing.assert_allclose(seen[0], expected_at_y)
    numpy.testing.assert_allclose(x.grad.numpy(), 10 * expected_at_y * 2)
    handle.remove()
    x.grad = None
    y = x * 2
    (y * 1).sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_register_hook_order_removal_and_second_derivatives():
    x = _double(0.5, -1.5)
    y = x.sin()
    calls = []
    y.register_hook(lambda g: calls.append("first") or g * 2)
    second = y.register_hook(lambda g: calls.append("second"))
    (gx,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    assert calls == ["first", "second"]
    numpy.testing.assert_allclose(gx.detach().numpy(), 2 * numpy.cos([0.5, -1.5]))
    (ggx,) = torch.autograd.grad(gx.sum(), x)     # the hooked gradient is differentiable
    numpy.testing.assert_allclose(ggx.numpy(), -2 * numpy.sin([0.5, -1.5]))
    second.remove()


def test_register_hook_refusals_are_clear():
    with pytest.raises(RuntimeError, match="register_hook: .*doesn't require gradient"):
        torch.ones(2).register_hook(lambda g: g)
    with pytest.raises(NotImplementedError, match="register_hook: hooks on leaf tensors"):
        _double(1.0).register_hook(lambda g: g)
    y = _double(1.0, 2.0) * 2
    y.register_hook(lambda g: g[:1])
    with pytest.raises(RuntimeError, match=r"register_hook: a hook returned a gradient of shape \(1,\) "
                                           r"for a tensor of shape \(2,\)"):
        y.sum().backward()


# ----------------------------------------------------------------------------
# Module forward hooks
# ----------------------------------------------------------------------------
def test_forward_hooks_change_inputs_and_outputs_until_removed():
    layer = nn.Linear(3, 2).double()
    x = torch.randn(4, 3, dtype=torch.float64)
    plain = layer(x)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(args[0].shape) or out + 1)
    first = layer.register_forward_hook(lambda m, args, out: calls.append("first"), prepend=True)
    hooked = layer(x)
    numpy.testing.assert_allclose(hooked.detach().numpy(), (F.linear(x * 2, layer.weight, layer.bias) + 1)
                                  .detach().numpy())
    assert calls[:2] == ["first", (4, 3)]
    for handle in (pre, post, first):
        handle.remove()
    numpy.testing.assert_allclose(layer(x).detach().numpy(), plain.detach().numpy())


def test_a_layer_error_is_named_through_hooks():
    layer = nn.Linear(3, 2)
    with layer.register_forward_pre_hook(lambda m, args: None):
        with pytest.raises(ValueError, match=r"Linear\(3, 2\): expected input \(\*, 3\), got \(2, 5\)"):
            layer(torch.randn(2, 5))
    assert not layer._forward_pre_hooks


# ----------------------------------------------------------------------------
# The in-place scatter family: counted, recorded, refused on leaves
# ----------------------------------------------------------------------------
INDEX = torch.tensor([[0, 2], [1, 0]])


@pytest.mark.parametrize("name, args", [
    ("scatter_", (0, INDEX, torch.ones(2, 2, dtype=torch.float64))),
    ("scatter_add_", (0, INDEX, torch.ones(2, 2, dtype=torch.float64))),
    ("index_add_", (1, torch.tensor([1]), torch.ones(3, 1, dtype=torch.float64))),
    ("index_fill_", (1, torch.tensor([0]), 5.0)),
    ("masked_scatter_", (torch.tensor([[True, False]] * 3), torch.zeros(3, dtype=torch.float64))),
])
def test_inplace_scatter_ops_are_counted_and_recorded(name, args):
    leaf = _double(*range(6)).reshape(3, 2).detach().requires_grad_()
    with pytest.raises(RuntimeError, match=f"{name}: a leaf Variable that requires grad"):
        getattr(leaf, name)(*args)
    y = leaf * 1
    z = y.exp()                       # exp's backward reads its output, not y
    w = y * y                         # mul's backward reads y
    before = y._version
    assert getattr(y, name)(*args) is y and y._version == before + 1
    expected = getattr(leaf.detach() * 1, name.rstrip("_"))(*args)
    numpy.testing.assert_allclose(y.detach().numpy(), expected.numpy())
    z.sum().backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()
    leaf.grad = None
    y.sum().backward()                # the gradient flows through the recorded op
    assert leaf.grad is not None and leaf.grad.shape == (3, 2)
    with torch.no_grad():             # not recorded, still counted
        getattr(leaf, name)(*args)


def test_inplace_scatter_passes_gradient_to_the_source():
    target = torch.zeros(3, 2, dtype=torch.float64) * _double(1.0)
    src = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    target.scatter_(0, INDEX, src * 3)
    target.sum().backward()
    numpy.testing.assert_allclose(src.grad.numpy(), numpy.full((2, 2), 3.0))


# ----------------------------------------------------------------------------
# nn.utils
# ----------------------------------------------------------------------------
def test_clip_grad_value_and_parameter_vectors():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)).double()
    params = list(model.parameters())
    for p in params:
        p.grad = torch.linspace(-3, 3, p.numel(), dtype=torch.float64).reshape(p.shape)
    nn.utils.clip_grad_value_(model.parameters(), 1.5)
    assert all(float(p.grad.abs().max()) <= 1.5 for p in params)
    vector = nn.utils.parameters_to_vector(model.parameters())
    assert vector.shape == (sum(p.numel() for p in params),) and vector.requires_grad
    new = torch.arange(vector.shape[0], dtype=torch.float64)
    nn.utils.vector_to_parameters(new, model.parameters())
    numpy.testing.assert_array_equal(nn.utils.parameters_to_vector(model.parameters()).detach().numpy(),
                                     new.numpy())
    with pytest.raises(ValueError, match="vector_to_parameters: the parameters have 13 elements, the vector 12"):
        nn.utils.vector_to_parameters(new[:12], model.parameters())


def test_weight_and_spectral_norm_train_and_refuse_twice():
    layer = nn.utils.spectral_norm(nn.Linear(4, 3))
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        layer(torch.randn(5, 4)).pow(2).sum().backward()
        optimizer.step()
    singular = numpy.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(singular - 1) < 0.2       # close to 1 after a few power iterations
    with pytest.raises(RuntimeError, match="spectral_norm: Linear.weight already has a SpectralNorm hook"):
        nn.utils.spectral_norm(layer)
    normed = nn.utils.weight_norm(nn.Conv2d(2, 3, 3))
    assert {"weight_g", "weight_v"} <= set(normed.state_dict())
    with pytest.raises(ValueError, match=r"weight_norm: Linear has no parameter 'kernel' \(its parameters: "
                                         r"\['bias', 'weight'\]\)"):
        nn.utils.weight_norm(nn.Linear(2, 2), name="kernel")


# ----------------------------------------------------------------------------
# Top level: threads, seeds, printing, jacobian / hessian
# ----------------------------------------------------------------------------
def test_threads_seeds_and_is_nonzero():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    assert torch.get_num_threads() == 1
    torch.set_num_threads(before)
    with pytest.raises(ValueError, match="set_num_threads: expected a positive integer, got 0"):
        torch.set_num_threads(0)
    seed = torch.seed()
    assert torch.initial_seed() == seed
    first = torch.rand(3)
    torch.random.manual_seed(seed)
    numpy.testing.assert_array_equal(torch.rand(3).numpy(), first.numpy())
    state = torch.random.get_rng_state()
    again = torch.rand(2)
    torch.random.set_rng_state(state)
    numpy.testing.assert_array_equal(torch.rand(2).numpy(), again.numpy())
    assert torch.is_nonzero(torch.tensor([2.0])) and not torch.is_nonzero(torch.tensor(0))
    with pytest.raises(RuntimeError, match=r"is_nonzero: .*more than one value is ambiguous \(shape \(2,\)\)"):
        torch.is_nonzero(torch.ones(2))


def test_set_printoptions():
    x = torch.tensor([1.123456, 2.5])
    try:
        torch.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.12, 2.50])"
        torch.set_printoptions(threshold=5, edgeitems=2)
        assert "..." in repr(torch.arange(10))
        torch.set_printoptions(sci_mode=True)
        assert "e+00" in repr(x)
        torch.set_printoptions(profile="full")
        assert "..." not in repr(torch.arange(2000))
    finally:
        torch.set_printoptions(profile="default")
    assert repr(x) == "tensor([1.1235, 2.5000])"


def test_jacobian_and_hessian():
    functional = torch.autograd.functional
    x = _double(0.5, -1.0, 2.0, requires_grad=False)
    jac = functional.jacobian(lambda t: t.exp() * t.sum(), x)
    e, total = numpy.exp(x.numpy()), float(x.sum())
    numpy.testing.assert_allclose(jac.numpy(), numpy.diag(e * total) + e[:, None])
    hess = functional.hessian(lambda t: (t ** 3).sum(), x)
    numpy.testing.assert_allclose(hess.numpy(), numpy.diag(6 * x.numpy()))
    a, b = _double(1.0, 2.0, requires_grad=False), _double(3.0, requires_grad=False)
    (ja, jb), = functional.jacobian(lambda p, q: (p * q,), (a, b))
    numpy.testing.assert_allclose(ja.numpy(), numpy.diag([3.0, 3.0]))
    numpy.testing.assert_allclose(jb.numpy(), [[1.0], [2.0]])
    out, product = functional.vjp(lambda t: t * t, x, torch.ones(3, dtype=torch.float64))
    numpy.testing.assert_allclose(product.numpy(), 2 * x.numpy())
    _, hv = functional.hvp(lambda t: (t ** 3).sum(), x, torch.ones(3, dtype=torch.float64))
    numpy.testing.assert_allclose(hv.numpy(), 6 * x.numpy())
    with pytest.raises(RuntimeError, match=r"hessian: func must return a single-element Tensor, got \(3,\)"):
        functional.hessian(lambda t: t * 2, x)


# ----------------------------------------------------------------------------
# Clear errors: the function or layer named, expected against actual
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda: torch.scatter(torch.zeros(3, 4), 0, torch.tensor([0, 1]), torch.ones(2)), ValueError,
     r"scatter: index needs as many dims as self \(2\), got index of shape \(2,\)"),
    (lambda: torch.scatter_add(torch.zeros(3, 4), 0, torch.tensor([[5]]), torch.ones(1, 1)), IndexError,
     r"scatter_add: index 5 or 5 is out of range for dim 0 of size 3"),
    (lambda: torch.index_add(torch.zeros(3, 4), 0, torch.tensor([0]), torch.ones(2, 4)), ValueError,
     r"index_add: source must have shape \(1, 4\) .* got \(2, 4\)"),
    (lambda: torch.masked_select(torch.zeros(3), torch.ones(3)), TypeError,
     "masked_select: expected a boolean mask, got float32"),
    (lambda: torch.cdist(torch.zeros(3, 2), torch.zeros(4, 3)), ValueError,
     r"cdist: .* got shapes \(3, 2\) and \(4, 3\)"),
    (lambda: torch.trace(torch.zeros(2, 2, 2)), ValueError, r"trace: expected a 2-D tensor .* \(2, 2, 2\)"),
    (lambda: torch.logical_and(torch.zeros(2), torch.zeros(3)), ValueError,
     r"logical_and: cannot broadcast shapes \(2,\) and \(3,\)"),
    (lambda: torch.polygamma(-1, torch.zeros(2)), ValueError, "polygamma: n must be a non-negative integer"),
    (lambda: torch.median(torch.zeros(0)), RuntimeError, "median: cannot compute the median of an empty"),
    (lambda: F.pad(torch.zeros(1, 2, 3), (3, 0), mode="reflect"), ValueError,
     r"pad: with mode 'reflect' the padding must be smaller than the size of the dim it pads: "
     r"padding \(3, 0\) for input of shape \(1, 2, 3\)"),
    (lambda: F.pad(torch.zeros(3), (1, 1), mode="replicate"), ValueError,
     r"pad: mode 'replicate' .* needs a 2-D or 3-D input, got shape \(3,\)"),
    (lambda: F.pad(torch.zeros(2, 3), (1, 1), mode="wrap"), ValueError, "pad: mode must be one of"),
    (lambda: nn.Conv1d(3, 4, 3)(torch.zeros(2, 5, 7)), ValueError,
     r"Conv1d\(3, 4\): expected input \(N, 3, L\) or \(3, L\), got \(2, 5, 7\)"),
    (lambda: F.conv1d(torch.zeros(2, 3, 2), torch.zeros(4, 3, 5)), ValueError,
     r"conv1d: input \(2, 3, 2\) is too small for kernel size 5"),
    (lambda: nn.PixelShuffle(2)(torch.zeros(1, 6, 2, 2)), ValueError,
     r"pixel_shuffle: expected input \(\*, C \* 2\^2, H, W\).* got shape \(1, 6, 2, 2\)"),
    (lambda: nn.AdaptiveAvgPool2d(2)(torch.zeros(2, 3)), ValueError,
     r"AdaptiveAvgPool2d\(2\): expected input \(N, C, H, W\) or \(C, H, W\), got \(2, 3\)"),
    (lambda: nn.MaxPool1d(2)(torch.zeros(1, 2, 3, 4)), ValueError,
     r"MaxPool1d\(2\): expected input \(N, C, L\) or \(C, L\), got \(1, 2, 3, 4\)"),
    (lambda: F.cross_entropy(torch.zeros(2, 3), torch.zeros(2, 4)), ValueError,
     r"cross_entropy: class-probability targets must have the input's shape \(2, 3\), got target \(2, 4\)"),
    (lambda: F.kl_div(torch.zeros(2), torch.zeros(2), reduction="avg"), ValueError,
     "kl_div: reduction must be"),
    (lambda: torch.optim.NAdam([torch.zeros(1, requires_grad=True)], momentum_decay=-1), ValueError,
     "NAdam: invalid momentum_decay -1"),
    (lambda: torch.optim.lr_scheduler.LinearLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1),
                                               start_factor=0), ValueError,
     r"LinearLR: start_factor must be in \(0, 1\], got 0"),
    (lambda: torch.optim.lr_scheduler.CyclicLR(torch.optim.Adagrad([torch.zeros(1, requires_grad=True)]),
                                               0.1, 1.0), ValueError,
     "CyclicLR: cycle_momentum needs an optimizer with momentum or betas"),
    (lambda: torch.distributions.Gamma(torch.ones(2, requires_grad=True), 1.0).rsample(), NotImplementedError,
     "Gamma.rsample: the gradient with respect to the concentration"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_sequential_lr_checks_its_milestones():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    schedulers = [torch.optim.lr_scheduler.ConstantLR(optimizer), torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.5)]
    with pytest.raises(ValueError, match="SequentialLR: expected 1 milestones for 2 schedulers, got 2"):
        torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones=[1, 2])


def test_nadam_state_dict_round_trip():
    w = torch.tensor([1.0, -1.0], requires_grad=True)
    optimizer = torch.optim.NAdam([w], lr=0.1)
    (w * w).sum().backward()
    optimizer.step()
    saved = optimizer.state_dict()
    assert sorted(saved["state"][0]) == ["exp_avg", "exp_avg_sq", "mu_product", "step"]
    fresh = torch.optim.NAdam([w], lr=0.1)
    fresh.load_state_dict(saved)
    assert fresh.state[w]["mu_product"] == optimizer.state[w]["mu_product"]
