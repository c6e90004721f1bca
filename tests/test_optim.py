"""Optimizers and schedulers: behaviour, checkpoints and argument checks.

The update formulas themselves are checked against PyTorch in
tests/parity/test_optim_parity.py; here we check everything around them:
zero_grad, param groups, skipping parameters without a gradient, state_dict
round trips that resume training bit for bit, and clear errors.
"""
import math

import numpy
import pytest
from numpy.testing import assert_array_equal

import autograd
from autograd import backend, optim
from autograd.optim import lr_scheduler

# One configuration per optimizer that exercises all of its state.
OPTIMIZERS = [
    pytest.param(lambda ps: optim.SGD(ps, lr=0.1), id="SGD"),
    pytest.param(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True,
                                      weight_decay=0.01), id="SGD-nesterov"),
    pytest.param(lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True, weight_decay=0.01), id="Adam"),
    pytest.param(lambda ps: optim.AdamW(ps, lr=0.1, amsgrad=True), id="AdamW"),
    pytest.param(lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True,
                                          weight_decay=0.01), id="RMSprop"),
]


def make_problem(device="cpu", seed=0):
    """Two parameters (w, b) and a loss function of them: a small least-squares fit."""
    rng = numpy.random.default_rng(seed)
    x = autograd.tensor(rng.standard_normal((6, 3)), device=device)
    y = autograd.tensor(rng.standard_normal((6, 2)), device=device)
    w = autograd.tensor(rng.standard_normal((3, 2)), device=device, requires_grad=True)
    b = autograd.tensor(rng.standard_normal(2), device=device, requires_grad=True)

    def loss_fn():
        return ((x @ w + b - y) ** 2).sum() + 0.1 * (w ** 4).sum()
    return [w, b], loss_fn


def train(optimizer, loss_fn, steps, scheduler=None):
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()


def arrays(params):
    return [backend.to_numpy(p.array).copy() for p in params]


# ----------------------------------------------------------------------------
# zero_grad and step
# ----------------------------------------------------------------------------
def test_zero_grad_sets_grads_to_none_by_default():
    params, loss_fn = make_problem()
    optimizer = optim.SGD(params, lr=0.1)
    loss_fn().backward()
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_set_to_none_false_zeroes_the_arrays_in_place():
    params, loss_fn = make_problem()
    optimizer = optim.SGD(params, lr=0.1)
    loss_fn().backward()
    grad_arrays = [p.grad.array for p in params]
    optimizer.zero_grad(set_to_none=False)
    for p, array in zip(params, grad_arrays):
        assert p.grad.array is array
        assert not array.any()


def test_zero_grad_set_to_none_false_drops_a_create_graph_gradient_graph():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    (w ** 3).sum().backward(create_graph=True)
    assert w.grad.creator is not None
    optim.SGD([w]).zero_grad(set_to_none=False)
    assert w.grad.creator is None and not w.grad.requires_grad
    assert_array_equal(w.grad.array, [0.0, 0.0])


def test_zero_grad_leaves_params_without_grad_alone():
    params, _ = make_problem()
    optim.SGD(params).zero_grad(set_to_none=False)
    assert all(p.grad is None for p in params)


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_step_updates_data_in_place_and_records_no_graph(make_optimizer, device):
    params, loss_fn = make_problem(device)
    optimizer = make_optimizer(params)
    before = arrays(params)
    data_arrays = [p.array for p in params]
    loss_fn().backward()
    grads = arrays([p.grad for p in params])
    optimizer.step()
    for p, array, old, grad in zip(params, data_arrays, before, grads):
        assert p.array is array                      # views of the parameter stay valid
        assert not numpy.array_equal(backend.to_numpy(p.array), old)
        assert p.is_leaf and p.requires_grad
        assert p.device == device
        assert_array_equal(backend.to_numpy(p.grad.array), grad)   # p.grad is not modified


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_step_skips_parameters_without_grad(make_optimizer):
    params, loss_fn = make_problem()
    frozen = autograd.tensor([1.0, 2.0], requires_grad=True)
    optimizer = make_optimizer(params + [frozen])
    train(optimizer, loss_fn, 2)
    assert_array_equal(frozen.array, [1.0, 2.0])
    assert not optimizer.state.get(frozen)
    assert 2 not in optimizer.state_dict()["state"]


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_float32_parameters_stay_float32(make_optimizer):
    w = autograd.tensor(numpy.array([1.0, -2.0, 3.0], dtype=numpy.float32), requires_grad=True)
    optimizer = make_optimizer([w])
    for _ in range(2):
        optimizer.zero_grad()
        (w * w).sum().backward()
        optimizer.step()
    assert w.dtype == numpy.float32
    for value in optimizer.state[w].values():
        if isinstance(value, numpy.ndarray):
            assert value.dtype == numpy.float32


def test_step_with_closure_returns_its_loss():
    params, loss_fn = make_problem()
    optimizer = optim.SGD(params, lr=0.01)
    initial_loss = loss_fn().item()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    with autograd.no_grad():   # the closure still records its graph
        loss = optimizer.step(closure)
    assert loss.item() == initial_loss     # the loss before the step
    assert loss_fn().item() < initial_loss


def test_sgd_step_is_lr_times_grad():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()   # grad = 2w
    optim.SGD([w], lr=0.25).step()
    assert_array_equal(w.array, [0.5, 1.0])


# ----------------------------------------------------------------------------
# Param groups
# ----------------------------------------------------------------------------
def test_param_groups_take_defaults_for_missing_hyperparameters():
    params, _ = make_problem()
    optimizer = optim.SGD([{"params": [params[0]]}, {"params": params[1], "lr": 0.5}],
                          lr=0.1, momentum=0.9)
    first, second = optimizer.param_groups
    assert first["lr"] == 0.1 and second["lr"] == 0.5
    assert first["momentum"] == second["momentum"] == 0.9
    assert second["params"][0] is params[1]   # a single Tensor becomes a one-element list


def test_each_group_steps_with_its_own_lr():
    w = autograd.tensor([1.0], requires_grad=True)
    b = autograd.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.25)
    (w + b).sum().backward()   # both gradients are 1
    optimizer.step()
    assert_array_equal(w.array, [0.75])
    assert_array_equal(b.array, [0.5])


def test_add_param_group_adds_a_trained_group():
    params, loss_fn = make_problem()
    optimizer = optim.Adam([params[0]], lr=0.1)
    optimizer.add_param_group({"params": [params[1]], "lr": 0.2})
    assert len(optimizer.param_groups) == 2
    assert optimizer.param_groups[1]["betas"] == (0.9, 0.999)
    before = arrays(params)
    train(optimizer, loss_fn, 1)
    assert not numpy.array_equal(params[1].array, before[1])


def test_a_parameter_in_two_groups_is_an_error():
    params, _ = make_problem()
    optimizer = optim.SGD(params)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [params[0]]})


def test_a_parameter_twice_in_one_group_is_an_error():
    params, _ = make_problem()
    with pytest.raises(ValueError, match="twice"):
        optim.SGD([params[0], params[0]])


def test_a_bad_hyperparameter_in_a_group_is_an_error():
    params, _ = make_problem()
    with pytest.raises(ValueError, match="lr"):
        optim.Adam([{"params": params, "lr": -1.0}])


# ----------------------------------------------------------------------------
# state_dict
# ----------------------------------------------------------------------------
def test_state_dict_has_pytorchs_layout():
    params, loss_fn = make_problem()
    optimizer = optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}],
                           lr=0.1)
    train(optimizer, loss_fn, 2)
    saved = optimizer.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1]]
    assert [g["lr"] for g in saved["param_groups"]] == [0.1, 0.5]
    assert set(saved["state"]) == {0, 1}
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert saved["state"][0]["step"] == 2
    assert isinstance(saved["state"][1]["exp_avg"], numpy.ndarray)


def test_state_dict_is_a_copy_that_later_steps_do_not_change():
    params, loss_fn = make_problem()
    optimizer = optim.SGD(params, lr=0.1, momentum=0.9)
    train(optimizer, loss_fn, 1)
    saved = optimizer.state_dict()
    buffer = saved["state"][0]["momentum_buffer"].copy()
    saved["param_groups"][0]["lr"] = 123.0
    train(optimizer, loss_fn, 1)
    assert_array_equal(saved["state"][0]["momentum_buffer"], buffer)
    assert optimizer.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_resuming_from_a_state_dict_is_bit_exact(make_optimizer, device):
    """3 steps, save; then 2 more steps, versus a fresh optimizer loaded with the save."""
    params, loss_fn = make_problem(device)
    optimizer = make_optimizer(params)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    train(optimizer, loss_fn, 3, scheduler)
    saved_weights = arrays(params)
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    train(optimizer, loss_fn, 2, scheduler)
    expected = arrays(params)

    params_again, loss_fn_again = make_problem(device)
    for p, array in zip(params_again, saved_weights):
        p.array[...] = backend.to_device(array, device)
    resumed = make_optimizer(params_again)
    resumed_scheduler = lr_scheduler.StepLR(resumed, step_size=2, gamma=0.5)
    resumed.load_state_dict(saved_optimizer)
    resumed_scheduler.load_state_dict(saved_scheduler)
    for value in resumed.state[params_again[0]].values():
        if not isinstance(value, int):
            assert backend.device_of(value) == device
    train(resumed, loss_fn_again, 2, resumed_scheduler)
    for got, want in zip(arrays(params_again), expected):
        assert_array_equal(got, want)


def test_load_state_dict_restores_hyperparameters_and_keeps_the_params():
    params, _ = make_problem()
    optimizer = optim.SGD(params, lr=0.1)
    saved = optimizer.state_dict()
    saved["param_groups"][0]["lr"] = 0.7
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.7
    assert optimizer.param_groups[0]["params"][1] is params[1]


def test_load_state_dict_copies_the_arrays():
    params, loss_fn = make_problem()
    optimizer = optim.RMSprop(params)
    train(optimizer, loss_fn, 1)
    saved = optimizer.state_dict()
    optimizer.load_state_dict(saved)
    train(optimizer, loss_fn, 1)
    assert saved["state"][0]["step"] == 1
    assert not numpy.shares_memory(saved["state"][0]["square_avg"],
                                   optimizer.state[params[0]]["square_avg"])


def _trained_adam():
    params, loss_fn = make_problem()
    optimizer = optim.Adam(params, lr=0.1)
    train(optimizer, loss_fn, 1)
    return params, optimizer


def test_load_state_dict_with_a_different_number_of_groups_says_so():
    params, optimizer = _trained_adam()
    other = optim.Adam([{"params": [params[0]]}, {"params": [params[1]]}])
    with pytest.raises(ValueError, match="1 parameter group.*this optimizer has 2"):
        other.load_state_dict(optimizer.state_dict())


def test_load_state_dict_with_a_different_number_of_params_says_so():
    params, optimizer = _trained_adam()
    other = optim.Adam(params + [autograd.zeros(3, requires_grad=True)])
    with pytest.raises(ValueError, match="group 0 has 2 parameter.*but 3 in this optimizer"):
        other.load_state_dict(optimizer.state_dict())


def test_load_state_dict_with_a_wrong_shape_names_parameter_and_state():
    params, optimizer = _trained_adam()
    other = optim.Adam([autograd.zeros(3, 2, requires_grad=True),
                        autograd.zeros(5, requires_grad=True)])
    with pytest.raises(ValueError, match=r"parameter 1, 'exp_avg'.*shape \(2,\).*shape \(5,\)"):
        other.load_state_dict(optimizer.state_dict())


def test_a_failed_load_leaves_the_optimizer_unchanged():
    params, optimizer = _trained_adam()
    before = optimizer.state_dict()
    bad = optimizer.state_dict()
    bad["param_groups"][0]["lr"] = 9.0
    bad["state"][1]["exp_avg"] = numpy.zeros(7)
    with pytest.raises(ValueError):
        optimizer.load_state_dict(bad)
    assert optimizer.param_groups[0]["lr"] == before["param_groups"][0]["lr"]
    assert_array_equal(optimizer.state[params[1]]["exp_avg"], before["state"][1]["exp_avg"])


def test_load_state_dict_rejects_a_dict_that_is_not_a_state_dict():
    _, optimizer = _trained_adam()
    with pytest.raises(ValueError, match="expected the keys 'state' and 'param_groups', got \\['state'\\]"):
        optimizer.load_state_dict({"state": {}})


def test_load_state_dict_rejects_state_for_an_unknown_parameter():
    _, optimizer = _trained_adam()
    saved = optimizer.state_dict()
    saved["state"][5] = saved["state"][0]
    with pytest.raises(ValueError, match="parameter 5"):
        optimizer.load_state_dict(saved)


def test_load_state_dict_rejects_bad_hyperparameters():
    _, optimizer = _trained_adam()
    saved = optimizer.state_dict()
    saved["param_groups"][0]["betas"] = (0.9, 1.5)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        optimizer.load_state_dict(saved)


# ----------------------------------------------------------------------------
# Argument checks
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda ps: optim.SGD(ps, lr=-0.1), "SGD: invalid lr -0.1"),
    (lambda ps: optim.SGD(ps, momentum=-0.5), "invalid momentum"),
    (lambda ps: optim.SGD(ps, weight_decay=-1), "invalid weight_decay"),
    (lambda ps: optim.SGD(ps, nesterov=True), "Nesterov momentum needs momentum > 0"),
    (lambda ps: optim.SGD(ps, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
    (lambda ps: optim.Adam(ps, lr=-1e-3), "Adam: invalid lr"),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), r"betas\[0\] 1.0: it must be >= 0.0 and < 1.0"),
    (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), r"betas\[1\]"),
    (lambda ps: optim.Adam(ps, betas=(0.9,)), "betas must be a pair"),
    (lambda ps: optim.Adam(ps, eps=-1e-8), "invalid eps"),
    (lambda ps: optim.Adam(ps, lr=math.nan), "invalid lr nan"),
    (lambda ps: optim.AdamW(ps, weight_decay=-0.01), "AdamW: invalid weight_decay"),
    (lambda ps: optim.RMSprop(ps, alpha=-0.5), "RMSprop: invalid alpha"),
    (lambda ps: optim.RMSprop(ps, momentum=-0.5), "invalid momentum"),
])
def test_invalid_hyperparameters_raise_value_error(make, message):
    params, _ = make_problem()
    with pytest.raises(ValueError, match=message):
        make(params)


def test_a_non_number_hyperparameter_raises_type_error():
    params, _ = make_problem()
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD(params, lr="0.1")


def test_params_must_be_a_non_empty_ordered_collection_of_leaf_tensors():
    params, _ = make_problem()
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(params[0])
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": set(params)}])
    with pytest.raises(TypeError, match="numpy.ndarray|ndarray"):
        optim.SGD([numpy.zeros(3)])
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([params[0] * 2])


# ----------------------------------------------------------------------------
# Learning-rate schedulers
# ----------------------------------------------------------------------------
def _lrs(scheduler, n_steps):
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(n_steps):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def test_step_lr_decays_every_step_size_epochs():
    params, _ = make_problem()
    scheduler = lr_scheduler.StepLR(optim.SGD(params, lr=1.0), step_size=2, gamma=0.5)
    assert _lrs(scheduler, 5) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert scheduler.optimizer.param_groups[0]["lr"] == 0.25


def test_cosine_annealing_goes_from_base_lr_to_eta_min_and_back():
    params, _ = make_problem()
    scheduler = lr_scheduler.CosineAnnealingLR(optim.SGD(params, lr=1.0), T_max=4, eta_min=0.2)
    lrs = _lrs(scheduler, 8)
    assert lrs[0] == 1.0
    assert lrs[2] == pytest.approx(0.6)
    assert lrs[4] == pytest.approx(0.2)
    assert lrs[8] == pytest.approx(1.0)


def test_lambda_lr_with_one_function_per_group():
    params, _ = make_problem()
    optimizer = optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 2.0}], lr=1.0)
    scheduler = lr_scheduler.LambdaLR(optimizer, [lambda e: 0.5 ** e, lambda e: e + 1])
    assert scheduler.get_last_lr() == [1.0, 2.0]
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5, 4.0]
    assert [g["initial_lr"] for g in optimizer.param_groups] == [1.0, 2.0]


def test_scheduler_state_dict_round_trip_continues_the_schedule():
    params, _ = make_problem()
    scheduler = lr_scheduler.CosineAnnealingLR(optim.SGD(params, lr=1.0), T_max=10)
    _lrs(scheduler, 3)
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3
    expected = _lrs(scheduler, 4)

    params_again, _ = make_problem()
    resumed = lr_scheduler.CosineAnnealingLR(optim.SGD(params_again, lr=1.0), T_max=10)
    resumed.load_state_dict(saved)
    assert _lrs(resumed, 4)[1:] == expected[1:]


class WarmUp:
    """A callable object: LambdaLR saves its attributes (a plain lambda it cannot)."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


def test_lambda_lr_state_dict_skips_functions_but_keeps_callable_objects():
    params, _ = make_problem()
    optimizer = optim.SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=1.0)
    scheduler = lr_scheduler.LambdaLR(optimizer, [lambda e: 1.0, WarmUp(4)])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [None, {"epochs": 4}]

    warm_up = WarmUp(10)
    other = lr_scheduler.LambdaLR(optimizer, [lambda e: 1.0, warm_up])
    other.load_state_dict(saved)
    assert warm_up.epochs == 4
    assert "lr_lambdas" in saved   # loading does not consume the caller's dict


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2.5), ValueError, "step_size"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1, lambda e: 1]), ValueError, "1 lr_lambdas"),
    (lambda o: lr_scheduler.LambdaLR(o, 0.5), TypeError, "callable"),
    (lambda o: lr_scheduler.StepLR("not an optimizer", 2), TypeError, "Optimizer"),
])
def test_invalid_scheduler_arguments(make, error, message):
    params, _ = make_problem()
    with pytest.raises(error, match=message):
        make(optim.SGD(params))
