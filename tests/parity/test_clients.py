"""Programs written as everyday PyTorch code (``tests/clients/``), run under torch and
under autograd with only their imports changed, from the same weights.

Each client has ``make_models()`` and ``train(models, images, labels, checkpoint)``
returning the losses (and a few other figures) it saw.  The harness builds the
models under torch, copies their state dicts into the autograd models, and runs
both.  Random draws inside a loop cannot match between two libraries' generators,
so for the length of a run both libraries' ``randn``, ``randn_like``, ``randint`` and
the Normal distribution's ``rsample`` draw the same numbers from one shared NumPy
generator; everything else runs as written.

Training is float32, so the figures could drift apart by rounding as steps
accumulate; measured, they agree to 2.3e-6 relative at worst (the GAN), 1.3e-7
for the others, and are compared with rtol 2e-5.
"""
import importlib.util
import pathlib
import re
import sys

import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402

CLIENTS = pathlib.Path(__file__).resolve().parent.parent / "clients"
NAMES = sorted(p.stem for p in CLIENTS.glob("*.py") if p.stem != "__init__")


def with_autograd_imports(source):
    """The program with ``import torch...`` / ``from torch...`` lines pointed at autograd."""
    def rewrite(line):
        match = re.match(r"(\s*)import torch(\.[\w.]+)?( as \w+)?\s*$", line)
        if match:
            indent, path, alias = match.groups()
            if path and not alias:   # import torch.nn: code then says torch.nn.X
                return f"{indent}import autograd as torch; import autograd{path}"
            return f"{indent}import autograd{path or ''}{alias or ' as torch'}"
        return re.sub(r"^(\s*)from torch(\.|\s)", r"\1from autograd\2", line)
    return "\n".join(rewrite(line) for line in source.splitlines()) + "\n"


def load(name, library):
    source = (CLIENTS / f"{name}.py").read_text()
    if library == "autograd":
        source = with_autograd_imports(source)
    module_name = f"client_{name}_{library}"
    spec = importlib.util.spec_from_loader(module_name, loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    exec(compile(source, f"{CLIENTS / name}.py ({library})", "exec"), module.__dict__)
    return module


class SharedNoise:
    """Both libraries' random draws replaced by one NumPy stream, reset per run."""

    def __init__(self, seed):
        self.seed = seed

    def patch(self, monkeypatch, lib):
        rng = numpy.random.default_rng(self.seed)
        float_dtype = {autograd: autograd.float32, torch: torch.float32}[lib]

        def normal(*size, **kw):
            shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
            return lib.tensor(rng.standard_normal(shape), dtype=kw.get("dtype") or float_dtype)

        def randint(low, high=None, size=None, **kw):
            if high is None or isinstance(high, (tuple, list)):
                low, high, size = 0, low, high if size is None else size
            return lib.tensor(rng.integers(low, high, size), dtype=kw.get("dtype") or lib.int64)

        def rsample(self, sample_shape=()):
            shape = tuple(sample_shape) + tuple(self.loc.shape)
            return self.loc + self.scale * normal(shape, dtype=self.loc.dtype)

        monkeypatch.setattr(lib, "randn", normal)
        monkeypatch.setattr(lib, "randn_like", lambda t, **kw: normal(tuple(t.shape), dtype=t.dtype))
        monkeypatch.setattr(lib, "randint", randint)
        monkeypatch.setattr(lib.distributions.Normal, "rsample", rsample)


def run(name, library, weights, monkeypatch, tmp_path, images, labels):
    lib = {"torch": torch, "autograd": autograd}[library]
    client = load(name, library)
    with monkeypatch.context() as patches:
        SharedNoise(seed=7).patch(patches, lib)
        models = client.make_models()
        if weights is not None:
            for model, state in zip(models, weights):
                model.load_state_dict({key: autograd.tensor(value) for key, value in state.items()})
        states = [{key: value.detach().numpy().copy() for key, value in m.state_dict().items()}
                  for m in models]
        figures = client.train(models, images, labels, str(tmp_path / f"{name}-{library}.pt"))
    return states, numpy.array(figures, dtype=numpy.float64)


@pytest.fixture(scope="module")
def mnist():
    from scratchgen.data import load_mnist
    images, labels = load_mnist("test")
    return images[:256], labels[:256].astype(numpy.int64)


@pytest.mark.parametrize("name", NAMES)
def test_client_runs_unchanged_and_matches_pytorch(name, monkeypatch, tmp_path, mnist):
    torch.manual_seed(0)
    weights, theirs = run(name, "torch", None, monkeypatch, tmp_path, *mnist)
    _, ours = run(name, "autograd", weights, monkeypatch, tmp_path, *mnist)
    assert ours.shape == theirs.shape
    numpy.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6, err_msg=f"{name}: losses")


def test_the_import_rewrite_changes_only_imports():
    source = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
              "from torch.utils.data import DataLoader\nfrom torch import nn, optim\n"
              "import torch.optim\nx = torch.zeros(2)  # torch stays torch\n")
    assert with_autograd_imports(source).splitlines() == [
        "import autograd as torch", "import autograd.nn as nn", "import autograd.nn.functional as F",
        "from autograd.utils.data import DataLoader", "from autograd import nn, optim",
        "import autograd as torch; import autograd.optim", "x = torch.zeros(2)  # torch stays torch"]
