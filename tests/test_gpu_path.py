"""On a GPU a training step stays on the GPU: nothing in it waits for the device
or copies an array back to the host, except the loss that the step reports.

``cupyx.allow_synchronize(False)`` makes CuPy raise whenever the host would wait
for the GPU: a copy to the host, ``float()`` or ``bool()`` of an array, ``.item()``.
Each family's ``train_step`` runs under it; only ``Tensor.item``, which turns the
returned loss into a number for the log, is let through.  A check that reads
values, a clipping norm turned into a Python float, a step counter read back:
any of them fails this test.  Needs CuPy and a GPU (skipped without them).
"""
import numpy
import pytest

import autograd
from autograd.tensor import Tensor
from scratchgen.train.registry import FAMILIES, family_class
from scratchgen.train.run import make_config


pytestmark = pytest.mark.skipif(not autograd.cuda_is_available(), reason="needs CuPy and a GPU")

# small models: the point is which operations run, not their size
SMALL = {"dcgan": {"feature_dim": 8, "latent_dim": 8}, "wgan": {"feature_dim": 8, "latent_dim": 8},
         "wgan-gp": {"feature_dim": 8, "latent_dim": 8}, "ddpm": {}, "pixelcnn": {}, "realnvp": {},
         "ae": {}, "vae": {}}


@pytest.fixture
def item_may_wait(monkeypatch):
    """Let Tensor.item wait for the GPU (the reported loss), and nothing else."""
    import cupyx
    plain_item = Tensor.item

    def item(self):
        with cupyx.allow_synchronize(True):
            return plain_item(self)

    monkeypatch.setattr(Tensor, "item", item)


def test_every_family_is_covered():
    assert set(SMALL) == set(FAMILIES)


@pytest.mark.parametrize("model", sorted(FAMILIES))
def test_a_training_step_never_waits_for_the_gpu(model, item_may_wait):
    import cupyx
    config = make_config(model, {"batch_size": 8, **SMALL[model]})
    config["channels"] = 1
    family_type = family_class(model)
    autograd.manual_seed(0)
    family = family_type(config, "cuda")
    images = numpy.random.default_rng(0).integers(0, 256, (8, 1, 28, 28), dtype=numpy.uint8)
    batch = autograd.tensor(family_type.prepare(images, config), device="cuda")
    family.train_step(batch, 0)  # first step: kernels compile, buffers are made
    with cupyx.allow_synchronize(False):
        losses = family.train_step(batch, 1)
    assert all(numpy.isfinite(value) for value in losses.values()), losses
