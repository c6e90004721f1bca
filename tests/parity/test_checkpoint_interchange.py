"""Checkpoints move between autograd and PyTorch through safetensors (issue [2 of 7]):
a model trained here is loaded into the same architecture in PyTorch with
``safetensors.torch.load_file`` and gives the same outputs, and the reverse."""
import numpy
import pytest

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

import autograd  # noqa: E402


def classifier(m):
    return m.nn.Sequential(m.nn.Conv2d(1, 4, 3, padding=1), m.nn.BatchNorm2d(4), m.nn.ReLU(),
                           m.nn.Flatten(), m.nn.Linear(4 * 6 * 6, 3))


def train_a_little(m, model, x, y):
    optimizer = m.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(5):
        optimizer.zero_grad()
        m.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model.eval()


def data(m):
    rng = numpy.random.default_rng(0)
    return m.tensor(rng.normal(size=(8, 1, 6, 6)).astype(numpy.float32)), m.tensor(rng.integers(0, 3, 8))


def test_a_model_trained_here_runs_in_pytorch(tmp_path):
    autograd.manual_seed(0)
    ours = train_a_little(autograd, classifier(autograd), *data(autograd))
    autograd.save(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs = classifier(torch).eval()
    theirs.load_state_dict(safetensors_torch.load_file(str(tmp_path / "ours.safetensors")))
    x, _ = data(autograd)
    with torch.no_grad():
        expected = theirs(torch.tensor(x.numpy())).numpy()
    numpy.testing.assert_allclose(ours(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_a_model_trained_in_pytorch_runs_here(tmp_path):
    torch.manual_seed(0)
    theirs = train_a_little(torch, classifier(torch), *data(torch))
    safetensors_torch.save_file(theirs.state_dict(), str(tmp_path / "theirs.safetensors"))
    ours = classifier(autograd).eval()
    ours.load_state_dict(autograd.load(tmp_path / "theirs.safetensors"))
    x, _ = data(torch)
    with torch.no_grad():
        expected = theirs(x).numpy()
    numpy.testing.assert_allclose(ours(autograd.tensor(x.numpy())).detach().numpy(), expected,
                                  rtol=1e-5, atol=1e-6)
    assert ours[1].num_batches_tracked.item() == 5
