"""The seed's DCGAN built with autograd has PyTorch's parameters, keys and shapes."""
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from autograd import nn  # noqa: E402

import test_seed_dcgan as seed  # noqa: E402  (tests/ is on sys.path under pytest)


@pytest.mark.parametrize("name, args", [("Generator", (100,)), ("Discriminator", (3,))])
def test_seed_model_matches_pytorch_state_dict(name, args):
    ours = getattr(seed, name)(*args)
    theirs = _torch_class(name)(*args)
    ours_shapes = [(k, tuple(v.shape)) for k, v in ours.state_dict().items()]
    theirs_shapes = [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert ours_shapes == theirs_shapes
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    assert isinstance(ours, nn.Module) and autograd.is_tensor(next(ours.parameters()))


def _torch_class(name):
    """Re-run the seed classes' source with ``nn`` bound to torch.nn."""
    import inspect
    namespace = {"nn": torch.nn, "torch": torch}
    for fn in (seed.weights_init, seed.Generator, seed.Discriminator):
        exec(inspect.getsource(fn), namespace)
    return namespace[name]
