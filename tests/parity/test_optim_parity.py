"""Optimizers and schedulers against PyTorch: the same updates to rtol 1e-10.

Each optimizer case is a function ``make(o, params)`` written once against an
optim namespace ``o`` (``autograd.optim`` or ``torch.optim``).  Both libraries
start from the same float64 weights, compute the same loss in their own ops,
and take 5 steps; the parameters must agree after every step, and so must the
optimizer state (momentum buffers, running averages, step counts).

Schedulers are compared by the learning-rate sequence they produce.

The whole module is skipped when torch is not installed.
"""
import math

import numpy
import pytest
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from autograd import optim  # noqa: E402

RTOL = 1e-10
ATOL = 1e-14   # only for values that are (almost) exactly zero
STEPS = 5
LIBRARIES = {"autograd": (autograd, optim), "torch": (torch, torch.optim)}


def case(name, make):
    return pytest.param(make, id=name)


def two_groups(optimizer_class, **defaults):
    """The optimizer with w and b in separate groups, b with its own lr."""
    return lambda o, ps: getattr(o, optimizer_class)(
        [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.03}], **defaults)


OPTIMIZER_CASES = [
    case("SGD",                    lambda o, ps: o.SGD(ps, lr=0.01)),
    case("SGD-momentum",           lambda o, ps: o.SGD(ps, lr=0.01, momentum=0.9)),
    case("SGD-dampening",          lambda o, ps: o.SGD(ps, lr=0.01, momentum=0.9, dampening=0.3)),
    case("SGD-nesterov",           lambda o, ps: o.SGD(ps, lr=0.01, momentum=0.9, nesterov=True)),
    case("SGD-weight_decay",       lambda o, ps: o.SGD(ps, lr=0.01, weight_decay=0.1)),
    case("SGD-maximize",           lambda o, ps: o.SGD(ps, lr=0.01, momentum=0.5, maximize=True)),
    case("SGD-all",                lambda o, ps: o.SGD(ps, lr=0.01, momentum=0.8, nesterov=True,
                                                       weight_decay=0.05, maximize=True)),
    case("SGD-groups",             two_groups("SGD", lr=0.01, momentum=0.9)),
    case("Adam",                   lambda o, ps: o.Adam(ps, lr=0.05)),
    case("Adam-betas-eps",         lambda o, ps: o.Adam(ps, lr=0.05, betas=(0.8, 0.95), eps=1e-3)),
    case("Adam-amsgrad",           lambda o, ps: o.Adam(ps, lr=0.05, amsgrad=True)),
    case("Adam-weight_decay",      lambda o, ps: o.Adam(ps, lr=0.05, weight_decay=0.1)),
    case("Adam-maximize",          lambda o, ps: o.Adam(ps, lr=0.05, maximize=True)),
    case("Adam-all",               lambda o, ps: o.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.1,
                                                        maximize=True)),
    case("Adam-groups",            two_groups("Adam", lr=0.05, amsgrad=True)),
    case("AdamW",                  lambda o, ps: o.AdamW(ps, lr=0.05)),
    case("AdamW-weight_decay",     lambda o, ps: o.AdamW(ps, lr=0.05, weight_decay=0.3)),
    case("AdamW-amsgrad",          lambda o, ps: o.AdamW(ps, lr=0.05, amsgrad=True)),
    case("AdamW-all",              lambda o, ps: o.AdamW(ps, lr=0.05, betas=(0.8, 0.9), amsgrad=True,
                                                         weight_decay=0.2, maximize=True)),
    case("RMSprop",                lambda o, ps: o.RMSprop(ps, lr=0.01)),
    case("RMSprop-alpha-eps",      lambda o, ps: o.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-4)),
    case("RMSprop-centered",       lambda o, ps: o.RMSprop(ps, lr=0.01, centered=True)),
    case("RMSprop-momentum",       lambda o, ps: o.RMSprop(ps, lr=0.01, momentum=0.9)),
    case("RMSprop-weight_decay",   lambda o, ps: o.RMSprop(ps, lr=0.01, weight_decay=0.1)),
    case("RMSprop-maximize",       lambda o, ps: o.RMSprop(ps, lr=0.01, maximize=True)),
    case("RMSprop-all",            lambda o, ps: o.RMSprop(ps, lr=0.01, momentum=0.5, centered=True,
                                                           weight_decay=0.1, maximize=True)),
    case("RMSprop-groups",         two_groups("RMSprop", lr=0.01, centered=True)),
]


def starting_arrays(seed=0):
    """Inputs x, targets y and starting weights w0, b0 of a least-squares fit, float64."""
    rng = numpy.random.default_rng(seed)
    return {"x": rng.standard_normal((8, 4)), "y": rng.standard_normal((8, 3)),
            "w": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}


def loss_of(x, y, w, b):
    """Squared error plus a quartic term, so that the curvature changes as w moves."""
    return ((x @ w + b - y) ** 2).sum() + 0.1 * (w ** 4).sum()


def run(library, make_optimizer, make_scheduler=None, steps=STEPS):
    """Train in one library; return the parameters after each step and the final state."""
    m, optim_module = LIBRARIES[library]
    arrays = starting_arrays()
    x, y = (m.tensor(arrays[k], dtype=m.float64) for k in ("x", "y"))
    params = [m.tensor(arrays[k], dtype=m.float64, requires_grad=True) for k in ("w", "b")]
    optimizer = make_optimizer(optim_module, params)
    scheduler = make_scheduler(optim_module.lr_scheduler, optimizer) if make_scheduler else None
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(x, y, *params).backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, optimizer.state_dict()["state"]


def as_numpy(value):
    return value.detach().numpy() if isinstance(value, torch.Tensor) else numpy.asarray(value)


def assert_same_training(make_optimizer, make_scheduler=None):
    ours, our_state = run("autograd", make_optimizer, make_scheduler)
    theirs, their_state = run("torch", make_optimizer, make_scheduler)
    for step, (our_params, their_params) in enumerate(zip(ours, theirs), start=1):
        for name, got, want in zip("wb", our_params, their_params):
            assert_allclose(got, want, rtol=RTOL, atol=ATOL,
                            err_msg=f"parameter {name} after step {step}")
    assert our_state.keys() == their_state.keys()
    for index in their_state:
        assert our_state[index].keys() == their_state[index].keys(), f"state of parameter {index}"
        for name, want in their_state[index].items():
            assert_allclose(as_numpy(our_state[index][name]), as_numpy(want), rtol=RTOL, atol=ATOL,
                            err_msg=f"state {name!r} of parameter {index}")


@pytest.mark.parametrize("make_optimizer", OPTIMIZER_CASES)
def test_optimizer_matches_torch(make_optimizer):
    assert_same_training(make_optimizer)


def test_sgd_with_a_cosine_schedule_matches_torch():
    assert_same_training(lambda o, ps: o.SGD(ps, lr=0.05, momentum=0.9),
                         lambda s, opt: s.CosineAnnealingLR(opt, T_max=3, eta_min=0.01))


def test_adam_with_a_step_schedule_matches_torch():
    assert_same_training(lambda o, ps: o.Adam(ps, lr=0.05),
                         lambda s, opt: s.StepLR(opt, step_size=2, gamma=0.3))


def test_adam_state_dict_hyperparameters_match_torch():
    """Our param groups hold the hyperparameters PyTorch documents, with the same values."""
    ours = optim.Adam([autograd.zeros(2, requires_grad=True)]).state_dict()["param_groups"][0]
    theirs = torch.optim.Adam([torch.zeros(2, requires_grad=True)]).state_dict()["param_groups"][0]
    for name, value in ours.items():
        assert theirs[name] == value, name


# ----------------------------------------------------------------------------
# Schedulers: the learning rates, epoch by epoch, of a two-group optimizer
# ----------------------------------------------------------------------------
def lr_sequence(library, make_scheduler, epochs):
    m, optim_module = LIBRARIES[library]
    params = [m.zeros(2, requires_grad=True), m.zeros(3, requires_grad=True)]
    optimizer = optim_module.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.3}],
                                 lr=0.1)
    scheduler = make_scheduler(optim_module.lr_scheduler, optimizer)
    lrs = [scheduler.get_last_lr()]
    for _ in range(epochs):
        optimizer.step()     # no gradients: nothing moves, but PyTorch wants this order
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [group["lr"] for group in optimizer.param_groups]
    return numpy.array(lrs, dtype=float)


@pytest.mark.parametrize("make_scheduler, epochs", [
    pytest.param(lambda s, o: s.StepLR(o, step_size=3), 20, id="StepLR"),
    pytest.param(lambda s, o: s.StepLR(o, step_size=1, gamma=0.7), 20, id="StepLR-every-epoch"),
    pytest.param(lambda s, o: s.LambdaLR(o, lambda e: 0.95 ** e), 20, id="LambdaLR"),
    pytest.param(lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: min(1.0, e / 5)]),
                 20, id="LambdaLR-per-group"),
])
def test_scheduler_lrs_equal_torchs(make_scheduler, epochs):
    ours = lr_sequence("autograd", make_scheduler, epochs)
    theirs = lr_sequence("torch", make_scheduler, epochs)
    numpy.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("t_max, eta_min", [(10, 0.0), (7, 0.01), (1, 0.05)])
def test_cosine_annealing_closed_form_matches_torchs_recursion(t_max, eta_min):
    """Over two periods: down to eta_min at T_max, back up to base_lr at 2·T_max."""
    make = lambda s, o: s.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min)  # noqa: E731
    ours = lr_sequence("autograd", make, 2 * t_max)
    theirs = lr_sequence("torch", make, 2 * t_max)
    assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert math.isclose(ours[t_max][0], eta_min, abs_tol=1e-15)
