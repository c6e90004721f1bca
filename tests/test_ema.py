"""The moving average of weights (autograd/optim/ema.py)."""
import numpy
import pytest

import autograd as torch
from autograd import nn
from autograd.optim import ExponentialMovingAverage


def small_model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def test_update_is_the_weighted_average_without_warmup():
    model = small_model()
    ema = ExponentialMovingAverage(model, decay=0.9, warmup=False)
    before = model[0].weight.detach().numpy().copy()
    with torch.no_grad():
        model[0].weight.add_(1.0)
    ema.update(model)
    numpy.testing.assert_allclose(ema.module[0].weight.numpy(), 0.9 * before + 0.1 * (before + 1.0),
                                  rtol=1e-6)


def test_warmup_decay_grows_towards_the_set_value():
    ema = ExponentialMovingAverage(small_model(), decay=0.99)
    decays = []
    for _ in range(1000):
        decays.append(ema.current_decay())
        ema.update(ema.module)
    assert decays[0] == pytest.approx(0.1)
    assert decays[9] == pytest.approx(10 / 19)
    assert all(a <= b for a, b in zip(decays, decays[1:]))
    assert decays[-1] == 0.99


def test_average_converges_to_a_model_that_stops_changing():
    model = small_model()
    ema = ExponentialMovingAverage(model, decay=0.9, warmup=False)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(3.0).add_(1.0)
    for _ in range(300):
        ema.update(model)
    for average, weight in zip(ema.module.parameters(), model.parameters()):
        numpy.testing.assert_allclose(average.numpy(), weight.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_buffers_are_copied_and_the_copy_is_frozen():
    model = small_model()
    ema = ExponentialMovingAverage(model)
    model(torch.randn(8, 3))  # train mode: BatchNorm's running statistics move
    ema.update(model)
    numpy.testing.assert_array_equal(ema.module[1].running_mean.numpy(), model[1].running_mean.numpy())
    assert not any(p.requires_grad for p in ema.module.parameters())
    assert all(p.requires_grad for p in model.parameters())


def test_state_dict_round_trip_keeps_the_update_count():
    model = small_model()
    ema = ExponentialMovingAverage(model, decay=0.99)
    for _ in range(7):
        ema.update(model)
    restored = ExponentialMovingAverage(small_model(), decay=0.99)
    restored.load_state_dict(ema.state_dict())
    assert restored.current_decay() == ema.current_decay() == pytest.approx(8 / 17)
    numpy.testing.assert_array_equal(restored.module[0].weight.numpy(), ema.module[0].weight.numpy())


def test_calling_it_runs_the_averaged_copy():
    model = small_model().eval()
    ema = ExponentialMovingAverage(model).eval()
    x = torch.randn(5, 3)
    numpy.testing.assert_allclose(ema(x).numpy(), model(x).detach().numpy())


def test_a_different_model_is_refused():
    ema = ExponentialMovingAverage(small_model())
    with pytest.raises(ValueError, match="parameters"):
        ema.update(nn.Linear(3, 4))


@pytest.mark.parametrize("decay", [-0.1, 1.0, 2.0])
def test_bad_decay_is_refused(decay):
    with pytest.raises(ValueError, match="decay"):
        ExponentialMovingAverage(small_model(), decay=decay)
