"""The noise-predicting U-Net: shapes, the time embedding, errors, attention's gradient, learning."""
import numpy
import pytest

import autograd as torch
from autograd.function import ShapeError
from scratchgen.models.unet import SelfAttention, UNet, timestep_embedding


def tiny_unet(**kwargs):
    return UNet(**{"in_channels": 1, "base_channels": 8, "channel_mults": (1, 2, 2), "groups": 4, **kwargs})


@pytest.mark.parametrize("size", [28, 32])
def test_output_shape_equals_input_shape(size):
    net = tiny_unet()
    x = torch.randn(2, 1, size, size)
    assert net(x, torch.tensor([1, 1000])).shape == (2, 1, size, size)


def test_output_shape_with_three_channels_two_blocks_and_no_attention():
    net = UNet(in_channels=3, base_channels=8, channel_mults=(1, 2), blocks_per_level=2, attention=False,
               groups=4)
    assert net(torch.randn(1, 3, 16, 16), torch.tensor([7])).shape == (1, 3, 16, 16)


def test_the_timestep_changes_the_output():
    """The same image at two noise levels must get different noise predictions: the time
    embedding reaches the output (it would not if the blocks ignored it)."""
    net = tiny_unet()
    x = torch.randn(1, 1, 28, 28).repeat(2, 1, 1, 1)
    with torch.no_grad():
        out = net(x, torch.tensor([1, 500])).numpy()
    difference = numpy.abs(out[0] - out[1]).mean()
    assert difference > 1e-3 * numpy.abs(out).mean()


def test_timestep_embedding_is_sin_and_cos_of_the_same_angles():
    t = torch.tensor([0, 1, 10, 999])
    features = timestep_embedding(t, 16).numpy()
    assert features.shape == (4, 16) and features.dtype == numpy.float32
    sin, cos = features[:, :8], features[:, 8:]
    numpy.testing.assert_allclose(sin ** 2 + cos ** 2, 1.0, atol=1e-6)
    numpy.testing.assert_allclose(features[0], [0.0] * 8 + [1.0] * 8)      # t = 0: every angle is 0
    numpy.testing.assert_allclose(sin[:, 0], numpy.sin([0, 1, 10, 999]), atol=1e-6)  # frequency w_0 = 1


def test_bad_inputs_name_the_layer_and_the_shapes():
    net = tiny_unet()
    with pytest.raises(ShapeError, match=r"UNet\(in_channels=1, levels=3\): expected input \(N, 1, H, W\) "
                                         r"with H and W divisible by 4, got \(2, 1, 30, 30\)"):
        net(torch.randn(2, 1, 30, 30), torch.tensor([1, 2]))
    with pytest.raises(ShapeError, match=r"got \(2, 3, 28, 28\)"):
        net(torch.randn(2, 3, 28, 28), torch.tensor([1, 2]))
    with pytest.raises(ShapeError, match=r"integer timesteps of shape \(2,\)"):
        net(torch.randn(2, 1, 28, 28), torch.tensor([1, 2, 3]))
    with pytest.raises(ShapeError, match="integer timesteps"):
        net(torch.randn(2, 1, 28, 28), torch.tensor([0.5, 2.0]))


def test_self_attention_gradient_passes_gradcheck():
    torch.manual_seed(0)
    attention = SelfAttention(4, groups=2).double()
    x = torch.randn(2, 4, 2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.gradcheck(attention, (x,))


def test_noise_regression_loss_falls_on_one_fixed_batch():
    """Fixed x_t, t and target noise: 40 Adam steps must at least halve the squared error
    (seed 0: 1.07 -> 0.36)."""
    torch.manual_seed(0)
    net = tiny_unet()
    x_t, eps = torch.randn(8, 1, 28, 28), torch.randn(8, 1, 28, 28)
    t = torch.randint(1, 1001, (8,))
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    losses = []
    for _ in range(40):
        loss = ((net(x_t, t) - eps) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], losses
