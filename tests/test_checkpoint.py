"""A training run saved mid-way and resumed continues exactly as if never stopped."""
import numpy
import pytest

import autograd as torch
from autograd import nn


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 1))


def train_steps(model, optimizer, batches):
    for x, y in batches:
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def batches(count, seed):
    rng = numpy.random.default_rng(seed)
    return [(torch.tensor(rng.standard_normal((16, 3)), dtype=torch.float32),
             torch.tensor(rng.standard_normal((16, 1)), dtype=torch.float32)) for _ in range(count)]


def test_model_optimizer_and_step_round_trip_resumes_exactly(tmp_path):
    data = batches(6, seed=1)
    straight = make_model()
    straight_opt = torch.optim.Adam(straight.parameters(), lr=1e-2)
    train_steps(straight, straight_opt, data)

    first = make_model()
    first_opt = torch.optim.Adam(first.parameters(), lr=1e-2)
    train_steps(first, first_opt, data[:3])
    path = tmp_path / "run.ckpt"
    torch.save({"model": first.state_dict(), "optimizer": first_opt.state_dict(), "step": 3}, path)

    resumed = make_model()
    resumed_opt = torch.optim.Adam(resumed.parameters(), lr=1e-2)
    checkpoint = torch.load(path)
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["step"] == 3
    train_steps(resumed, resumed_opt, data[3:])

    for (name, a), (_, b) in zip(straight.state_dict().items(), resumed.state_dict().items()):
        numpy.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_a_truncated_checkpoint_raises_and_leaves_the_model_alone(tmp_path):
    model = make_model()
    path = tmp_path / "model.ckpt"
    torch.save({"model": model.state_dict()}, path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    target = make_model()
    with torch.no_grad():
        target[0].weight.fill_(7.0)
    with pytest.raises(torch.CheckpointError, match="truncated or corrupted"):
        target.load_state_dict(torch.load(path)["model"])
    assert numpy.all(target[0].weight.detach().numpy() == 7.0)


def test_a_checkpoint_of_another_model_is_refused_with_names(tmp_path):
    path = tmp_path / "other.ckpt"
    torch.save(nn.Sequential(nn.Linear(3, 5)).state_dict(), path)
    model = make_model()
    with pytest.raises(RuntimeError) as caught:
        model.load_state_dict(torch.load(path))
    message = str(caught.value)
    assert "0.weight" in message and "(5, 3)" in message and "1.running_mean" in message
