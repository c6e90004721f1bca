"""The PyTorch twins in benchmarks/twins.py are the families' default models and steps.

For each family: the scratchgen family is built by its own code from its defaults and cast
to float64, its weights are copied into the twin (strictly: the same state-dict keys and
shapes), and one training step runs on both with the same batch and the same random draws
(recorded from scratchgen's step and replayed in the twin's).  Then the losses, every
parameter's gradient as the step leaves it, and every parameter and buffer after the
optimiser's update must agree, and the parameter counts must be equal.
"""
import numpy
import pytest
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch")

from autograd import backend  # noqa: E402
from benchmarks import twins  # noqa: E402

BATCH = 4
STEP = 5        # a run's 5th step: WGAN-GP's generator trains (n_critic 5), schedules move
LOSS_RTOL = 1e-9
GRAD_RTOL, GRAD_ATOL = 1e-7, 1e-12
# after the update: where a gradient is rounding noise (a conv bias just before a norm layer
# has a true gradient of 0; each library gives it noise ~1e-15 of its own), Adam turns the
# noise into a move of up to lr, so those elements are only held to that; every other
# element of every parameter and buffer is held to WEIGHT_RTOL, WEIGHT_ATOL
WEIGHT_RTOL, WEIGHT_ATOL = 1e-7, 1e-12
NOISE = 1e-12
# a norm layer's running mean, updated by a forward pass after the update, takes in a tenth of
# such a noisy bias's move (~1e-10 in practice)
BUFFER_ATOL = 1e-9


def as_numpy(tensor):
    if hasattr(tensor, "array"):           # autograd
        return numpy.asarray(backend.to_numpy(tensor.array))
    return tensor.detach().cpu().numpy()


def step_both(name, twin_overrides=None):
    # DDPM's and PixelCNN's steps in one process (workers=1): with 2 the shares draw their
    # noise or bits in the helpers, where the recording cannot see them
    family = twins.scratchgen_family(name, {"workers": 1} if name in ("ddpm", "pixelcnn") else {},
                                     dtype="float64")
    twin = twins.build_twin(name, {**family.config, **(twin_overrides or {})}, dtype=torch.float64)
    twins.copy_weights(family, twin)
    batch = twins.fixed_batch(name, family.config, BATCH)
    losses, draws = twins.run_scratchgen_step(family, batch, STEP)
    replay = twins.Draws(draws)
    twin_losses = twins.TWIN_STEPS[name](twin, torch.from_numpy(batch), replay, STEP)
    replay.check_all_used()
    return name, family, twin, losses, twin_losses


@pytest.fixture(scope="module", params=twins.FAMILIES)
def stepped(request):
    """(name, family, twin, scratchgen losses, twin losses) after one step of each."""
    return step_both(request.param)


@pytest.mark.parametrize("name", twins.FAMILIES)
def test_twin_defaults_are_the_family_defaults(name):
    """The torch side reads twins.DEFAULTS (it must not import autograd to call make_config)."""
    from scratchgen.train.run import make_config
    assert twins.DEFAULTS[name] == {**make_config(name, {}), "channels": 1}


def test_same_modules_and_parameter_counts(stepped):
    name, family, twin, _, _ = stepped
    assert sorted(family.modules) == sorted(twin.modules)
    assert sorted(family.optimizers) == sorted(twin.optimizers)
    for key, module in family.modules.items():
        ours = sum(p.numel() for p in module.parameters())
        assert ours == twins.parameter_count(twin.modules[key]) > 0, (name, key)
        assert list(module.state_dict()) == list(twin.modules[key].state_dict()), (name, key)


def test_same_optimiser_hyperparameters(stepped):
    name, family, twin, _, _ = stepped
    for key, optimizer in family.optimizers.items():
        theirs = twin.optimizers[key]
        assert type(optimizer).__name__ == type(theirs).__name__, (name, key)
        for ours_group, their_group in zip(optimizer.param_groups, theirs.param_groups):
            for setting in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"):
                if setting in ours_group:
                    assert ours_group[setting] == pytest.approx(their_group[setting]), (name, key, setting)


def test_losses_agree(stepped):
    name, _, _, losses, twin_losses = stepped
    assert sorted(losses) == sorted(twin_losses)
    for key in losses:
        assert twin_losses[key] == pytest.approx(losses[key], rel=LOSS_RTOL), (name, key)


def test_gradients_agree(stepped):
    name, family, twin, _, _ = stepped
    check_gradients(name, family, twin)


def check_gradients(name, family, twin):
    for key, module in family.modules.items():
        theirs = dict(twin.modules[key].named_parameters())
        for pname, p in module.named_parameters():
            q = theirs[pname]
            assert (p.grad is None) == (q.grad is None), (name, key, pname)
            if p.grad is not None:
                assert_allclose(as_numpy(q.grad), as_numpy(p.grad), rtol=GRAD_RTOL, atol=GRAD_ATOL,
                                err_msg=f"{name} {key}.{pname}")


def test_updated_weights_and_buffers_agree(stepped):
    name, family, twin, _, _ = stepped
    check_updated_weights(name, family, twin)


def check_updated_weights(name, family, twin):
    for key, module in family.modules.items():
        theirs = twin.modules[key].state_dict()
        lr = max((g["lr"] for g in family.optimizers[key].param_groups), default=0.0) \
            if key in family.optimizers else 0.0
        parameters = dict(module.named_parameters())
        noise = {pname: numpy.abs(as_numpy(p.grad)) < NOISE
                 for pname, p in module.named_parameters() if p.grad is not None}
        for sname, value in module.state_dict().items():
            ours, their = as_numpy(value), as_numpy(theirs[sname])
            mask = noise.get(sname, numpy.zeros(ours.shape, dtype=bool))
            atol = WEIGHT_ATOL if sname in parameters else BUFFER_ATOL
            assert_allclose(their[~mask], ours[~mask], rtol=WEIGHT_RTOL, atol=atol,
                            err_msg=f"{name} {key}.{sname}")
            assert numpy.all(numpy.abs(their[mask] - ours[mask]) <= 1.01 * lr), (name, key, sname)


def test_the_seed_dcgan_workload_has_a_twin_of_the_same_model():
    """``processes.py``'s dcgan-seed64 (64x64 RGB, latent 100, feature_dim 64): the twin built
    with the same settings has the same parameters, key for key, and loads the family's weights."""
    settings = twins.SEED_DCGAN
    family = twins.scratchgen_family("dcgan", settings)
    twin = twins.build_twin("dcgan", {**twins.DEFAULTS["dcgan"], **settings})
    for name, module in family.modules.items():
        assert sum(p.array.size for p in module.parameters()) == twins.parameter_count(twin.modules[name])
    twins.copy_weights(family, twin)
    assert family.config["image_size"] == 64 and family.config["channels"] == 3
