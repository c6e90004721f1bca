"""A float32 model stays float32: no op silently upcasts activations or gradients to float64
(which would double memory and halve speed)."""
import numpy

import autograd as torch
from autograd import Function, nn
from autograd.nn import functional as F
from scratchgen.models.gan import Discriminator, Generator


def test_dcgan_activations_and_gradients_stay_float32(monkeypatch):
    seen = []
    original_call = Function.__call__

    def recording_call(self, *inputs):
        result = original_call(self, *inputs)
        outputs = result if isinstance(result, tuple) else (result,)
        seen.extend((self.name, t.dtype) for t in outputs if t.dtype.kind == "f")
        return result

    monkeypatch.setattr(Function, "__call__", recording_call)
    G, D = Generator(8, 4, 1, 32), Discriminator(1, 4, 32)
    G.l2_5[0].append(nn.LeakyReLU(0.2)).append(nn.Dropout(0.1))
    G.l2_5[1].append(nn.ELU()).append(nn.Softplus()).append(nn.SiLU())
    D.ls[2].append(nn.AvgPool2d(1)).append(nn.Upsample(scale_factor=1))
    scores = D(G(torch.randn(3, 8)))
    loss = F.binary_cross_entropy(scores, torch.ones(3)) + F.mse_loss(scores, torch.zeros(3))
    loss = loss + F.binary_cross_entropy_with_logits(scores, torch.ones(3))
    loss.backward()
    upcast = sorted({name for name, dtype in seen if dtype != numpy.float32})
    assert upcast == [], f"ops that produced float64 from float32 inputs: {upcast}"
    assert all(p.grad.dtype == numpy.float32 for p in list(G.parameters()) + list(D.parameters()))
