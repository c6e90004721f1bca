"""Coupling flows: exact inverses, log-determinants against the full autograd Jacobian, a 2-D
density that integrates to 1, the 8-bit likelihood bookkeeping, and the ``realnvp`` family."""
import json
import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import autograd as torch
from autograd.function import ShapeError
from scratchgen.cli import main
from scratchgen.data.toys import sample_toy
from scratchgen.data.transforms import logit_log_det, logit_transform
from scratchgen.models.flow import (Coupling, PointFlow, RealNVP, Squeeze, channel_mask, checkerboard_mask,
                                    conv_net, mlp_net, squeeze, unsqueeze)

IMAGE_SHAPE = (2, 4, 4)      # small enough for a full Jacobian (32 x 32)
INVERSE_TOLERANCE = 1e-10
LOG_DET_TOLERANCE = 1e-9


def randomized(module, seed=0, std=0.3):
    """``module`` in float64 with every parameter and BatchNorm statistic drawn at random (the
    zero-initialised last layers would make every coupling the identity), in eval mode."""
    module = module.double()
    rng = numpy.random.default_rng(seed)
    with torch.no_grad():  # copy_ moves the draws to the parameters' device
        for parameter in module.parameters():
            parameter.copy_(rng.normal(0, std, parameter.shape))
        for name, buffer in module.named_buffers():
            if name.endswith("running_mean"):
                buffer.copy_(rng.normal(0, 0.5, buffer.shape))
            elif name.endswith("running_var"):
                buffer.copy_(rng.uniform(0.5, 2.0, buffer.shape))
    return module.eval()


def image_coupling(mask_kind, parity, coupling, shape=IMAGE_SHAPE, seed=0):
    mask = (checkerboard_mask if mask_kind == "checkerboard" else channel_mask)(shape, parity)
    out = shape[0] * (2 if coupling == "affine" else 1)
    return randomized(Coupling(mask, conv_net(shape[0], 6, out), coupling), seed)


def point_coupling(parity, coupling, seed=0):
    out = 2 * (2 if coupling == "affine" else 1)
    return randomized(Coupling(channel_mask((2,), parity), mlp_net(2, 8, out), coupling), seed)


IMAGE_LAYERS = {f"{kind}-{parity}-{coupling}": image_coupling(kind, parity, coupling)
                for kind in ("checkerboard", "channel") for parity in (0, 1) for coupling in ("affine", "additive")}
POINT_LAYERS = {f"points-{parity}-{coupling}": point_coupling(parity, coupling)
                for parity in (0, 1) for coupling in ("affine", "additive")}
FLOWS = {
    "realnvp": randomized(RealNVP(IMAGE_SHAPE, levels=1, couplings=2, final_couplings=2, hidden=6,
                                  initial_squeeze=False), std=0.2),
    "realnvp-squeeze-first": randomized(RealNVP((1, 4, 4), levels=1, couplings=2, final_couplings=2, hidden=6,
                                                initial_squeeze=True), std=0.2),
    "nice": randomized(RealNVP(IMAGE_SHAPE, levels=1, couplings=2, final_couplings=2, hidden=6,
                               coupling="additive", initial_squeeze=False), std=0.2),
    "realnvp-resnet": randomized(RealNVP(IMAGE_SHAPE, levels=1, couplings=2, final_couplings=2, hidden=6,
                                         initial_squeeze=False, blocks=1), std=0.2),
}
POINT_FLOWS = {"realnvp-points": randomized(PointFlow(2, couplings=4, hidden=8), std=0.3),
               "nice-points": randomized(PointFlow(2, couplings=4, hidden=8, coupling="additive"), std=0.3)}


def images(shape):
    return arrays(numpy.float64, (2, *shape), elements=st.floats(-3, 3))


def max_error(a, b):
    return float(numpy.abs(a.detach().numpy() - b.detach().numpy()).max())


# ----------------------------------------------------------------------------
# Exact inverses
# ----------------------------------------------------------------------------
@settings(max_examples=10)
@given(name=st.sampled_from(sorted(IMAGE_LAYERS)), x=images(IMAGE_SHAPE))
def test_every_image_coupling_inverts_exactly(name, x):
    layer, x = IMAGE_LAYERS[name], torch.tensor(x)
    y, _ = layer(x)
    assert max_error(layer.inverse(y), x) < INVERSE_TOLERANCE
    assert max_error(layer(layer.inverse(x))[0], x) < INVERSE_TOLERANCE
    assert max_error(y, x) > 1e-3            # the layer is not the identity


@settings(max_examples=10)
@given(name=st.sampled_from(sorted(POINT_LAYERS)), x=images((2,)))
def test_every_point_coupling_inverts_exactly(name, x):
    layer, x = POINT_LAYERS[name], torch.tensor(x)
    y, _ = layer(x)
    assert max_error(layer.inverse(y), x) < INVERSE_TOLERANCE
    assert max_error(layer(layer.inverse(x))[0], x) < INVERSE_TOLERANCE


@settings(max_examples=10)
@given(name=st.sampled_from(sorted(FLOWS)), data=st.data())
def test_whole_multiscale_flows_invert_exactly(name, data):
    flow = FLOWS[name]
    y = torch.tensor(data.draw(images(flow.image_shape)))
    z = torch.tensor(data.draw(arrays(numpy.float64, (2, flow.num_dims), elements=st.floats(-3, 3))))
    assert max_error(flow.inverse(flow(y)[0]), y) < INVERSE_TOLERANCE
    assert max_error(flow(flow.inverse(z))[0], z) < INVERSE_TOLERANCE


@settings(max_examples=10)
@given(name=st.sampled_from(sorted(POINT_FLOWS)), x=images((2,)))
def test_point_flows_invert_exactly(name, x):
    flow, x = POINT_FLOWS[name], torch.tensor(x)
    assert max_error(flow.inverse(flow(x)[0]), x) < INVERSE_TOLERANCE
    assert max_error(flow(flow.inverse(x))[0], x) < INVERSE_TOLERANCE


def test_the_flow_inverts_in_train_mode_too():
    """With BatchNorm using batch statistics, s and t still see only the kept values, which
    forward and inverse share, so the inverse stays exact."""
    flow = FLOWS["realnvp"].train()
    try:
        y = torch.tensor(numpy.random.default_rng(0).normal(size=(5, *IMAGE_SHAPE)))
        assert max_error(flow.inverse(flow(y)[0]), y) < INVERSE_TOLERANCE
    finally:
        flow.eval()


def test_squeeze_moves_each_2x2_block_into_channels():
    x = torch.arange(32, dtype=torch.float64).reshape(1, 2, 4, 4)
    s = squeeze(x)
    assert s.shape == (1, 8, 2, 2)
    # channel 0's top-left block [[0, 1], [4, 5]] becomes channels 0..3 at position (0, 0)
    assert s.numpy()[0, :4, 0, 0].tolist() == [0, 1, 4, 5]
    assert s.numpy()[0, 4:, 1, 1].tolist() == [26, 27, 30, 31]
    assert numpy.array_equal(unsqueeze(s).numpy(), x.numpy())


def test_masks_alternate_and_cover_every_value():
    for make in (checkerboard_mask, channel_mask):
        first, second = make(IMAGE_SHAPE, 0), make(IMAGE_SHAPE, 1)
        assert first.shape == (1, *IMAGE_SHAPE) and numpy.array_equal(first + second, numpy.ones_like(first))
        assert first.sum() == second.sum() == 16
    assert checkerboard_mask((1, 2, 2), 0)[0, 0].tolist() == [[1, 0], [0, 1]]


# ----------------------------------------------------------------------------
# Log-determinants against the full Jacobian
# ----------------------------------------------------------------------------
def jacobian(fn, x):
    """The full (D_out, D_in) Jacobian of fn at one example x (shape (1, ...)), one backward
    pass per output value."""
    x = x.detach().requires_grad_(True)
    y = fn(x).flatten()
    rows = [torch.grad(y[i], x, retain_graph=True)[0].numpy().ravel() for i in range(y.shape[0])]
    return numpy.stack(rows)


def assert_log_det_matches(layer, x):
    _, reported = layer(x)
    sign, log_abs_det = numpy.linalg.slogdet(jacobian(lambda v: layer(v)[0], x))
    assert sign != 0
    assert abs(reported.item() - log_abs_det) < LOG_DET_TOLERANCE, (reported.item(), log_abs_det)
    return abs(reported.item() - log_abs_det)


@pytest.mark.parametrize("name", sorted(IMAGE_LAYERS))
def test_image_coupling_log_det_is_log_abs_det_of_the_jacobian(name):
    x = torch.tensor(numpy.random.default_rng(1).normal(size=(1, *IMAGE_SHAPE)))
    assert_log_det_matches(IMAGE_LAYERS[name], x)


@pytest.mark.parametrize("name", sorted(POINT_LAYERS))
def test_point_coupling_log_det_is_log_abs_det_of_the_jacobian(name):
    assert_log_det_matches(POINT_LAYERS[name], torch.tensor([[0.3, -1.2]], dtype=torch.float64))


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_whole_flow_log_det_is_log_abs_det_of_the_jacobian(name):
    """Couplings, squeezes, the factoring out and NICE's scaling, together."""
    flow = FLOWS[name]
    x = torch.tensor(numpy.random.default_rng(2).normal(size=(1, *flow.image_shape)))
    assert_log_det_matches(flow, x)


def test_squeeze_layer_and_logit_transform_report_their_log_dets():
    x = torch.tensor(numpy.random.default_rng(3).uniform(0.01, 0.99, size=(1, *IMAGE_SHAPE)))
    assert_log_det_matches(Squeeze(), x)
    assert_log_det_matches(FLOWS["realnvp"].to_logit, x)
    assert_log_det_matches(POINT_FLOWS["nice-points"], torch.tensor([[0.5, 2.0]], dtype=torch.float64))


# ----------------------------------------------------------------------------
# Densities
# ----------------------------------------------------------------------------
def train_point_flow(steps=100):
    """A small flow fitted to two moons for a few steps, in float64, so that the density tested
    below is a curved, learned one and not the Gaussian a fresh flow starts as."""
    torch.manual_seed(0)
    flow = PointFlow(2, couplings=4, hidden=16).double()
    data = sample_toy("two_moons", 1024, seed=0).astype(numpy.float64)
    optimizer = torch.optim.Adam(flow.parameters(), lr=5e-3)
    for step in range(steps):
        batch = torch.tensor(data[(step % 4) * 256:(step % 4 + 1) * 256])
        loss = flow.loss(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return flow


def test_a_trained_2d_density_integrates_to_one_over_a_fine_grid():
    """A midpoint sum over [-14, 14]^2 in cells of 0.05 x 0.05 (313,600 points): within 1e-3 of 1.
    It came out 1 - 3.4e-5; the flow's tails reach far along x (0.26% of its samples lie outside
    [-7, 7]^2, and a sum over that square falls short by 2.3e-3)."""
    flow = train_point_flow()
    with torch.no_grad():
        fresh_nll = -PointFlow(2, couplings=4, hidden=16).double().log_prob(
            torch.tensor(sample_toy("two_moons", 1000, seed=1).astype(numpy.float64))).numpy().mean()
        trained_nll = flow.loss(torch.tensor(sample_toy("two_moons", 1000, seed=1).astype(numpy.float64))).item()
        assert trained_nll < fresh_nll - 0.5          # it learned something: a non-Gaussian density
        cell = 0.05
        centres = numpy.arange(-14 + cell / 2, 14, cell)
        grid_x, grid_y = numpy.meshgrid(centres, centres)
        points = numpy.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
        density = numpy.concatenate([numpy.exp(flow.log_prob(torch.tensor(points[i:i + 80_000])).numpy())
                                     for i in range(0, len(points), 80_000)])
    assert abs(density.sum() * cell * cell - 1) < 1e-3


def test_an_identity_flow_gives_the_logit_density_of_the_transforms_module():
    """A fresh RealNVP is the identity in logit space (its last layers start at zero), so
    log p(x) = log N(logit(x); 0, I) + logit_log_det(x), computed here with NumPy."""
    flow = RealNVP(IMAGE_SHAPE, couplings=1, final_couplings=1, hidden=4, initial_squeeze=False).double()
    x = numpy.random.default_rng(4).uniform(0, 1, size=(3, *IMAGE_SHAPE))
    y = logit_transform(x, 0.05)
    expected = (-0.5 * (y ** 2 + math.log(2 * math.pi))).reshape(3, -1).sum(1) + logit_log_det(x, 0.05)
    with torch.no_grad():
        numpy.testing.assert_allclose(flow.log_prob(torch.tensor(x)).numpy(), expected, rtol=1e-12)
        bits = flow.bits_per_dim(torch.tensor(x)).numpy()
    numpy.testing.assert_allclose(bits, (-expected + 32 * math.log(256)) / (32 * math.log(2)), rtol=1e-12)


def test_a_fixed_batch_loss_falls():
    torch.manual_seed(0)
    flow = RealNVP((1, 8, 8), couplings=2, final_couplings=2, hidden=8)
    pixels = numpy.random.default_rng(5).integers(0, 256, size=(8, 1, 8, 8))
    pixels[:, :, :, :4] = 0                           # half of each image black: a pattern to learn
    x = torch.tensor(((pixels + 0.5) / 256).astype(numpy.float32))
    optimizer = torch.optim.Adam(flow.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss = flow.loss(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.5, losses


def test_samples_have_the_image_shape_and_range_and_temperature_shrinks_z():
    flow = FLOWS["realnvp"]
    with torch.no_grad():
        torch.manual_seed(0)
        hot = flow.sample(50, temperature=1.0).numpy()
        torch.manual_seed(0)
        cold = flow.sample(50, temperature=0.5).numpy()
    assert hot.shape == (50, *IMAGE_SHAPE) and hot.min() >= 0 and hot.max() <= 1
    assert numpy.abs(cold - 0.5).mean() < numpy.abs(hot - 0.5).mean()


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------
def test_wrong_shapes_raise_errors_naming_the_layer():
    with pytest.raises(ShapeError, match=r"RealNVP: expected input \(N, 2, 4, 4\), got \(3, 1, 4, 4\)"):
        FLOWS["realnvp"](torch.zeros(3, 1, 4, 4, dtype=torch.float64))
    with pytest.raises(ShapeError, match=r"RealNVP.inverse: expected z \(N, 32\), got \(3, 31\)"):
        FLOWS["realnvp"].inverse(torch.zeros(3, 31, dtype=torch.float64))
    with pytest.raises(ShapeError, match=r"PointFlow.forward: expected points \(N, 2\), got \(3, 3\)"):
        POINT_FLOWS["realnvp-points"](torch.zeros(3, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="cannot squeeze 4 x 7 x 7"):
        RealNVP((1, 14, 14), levels=1, initial_squeeze=True)
    with pytest.raises(ValueError, match="coupling must be one of"):
        RealNVP((1, 4, 4), coupling="spline")


# ----------------------------------------------------------------------------
# The realnvp family
# ----------------------------------------------------------------------------
def test_realnvp_family_trains_and_evaluates_on_moons(tmp_path, capsys):
    out = tmp_path / "moons"
    assert main(["train", "realnvp", "--data", "moons", "--steps", "20", "--batch-size", "128",
                 "--quiet", "--out", str(out), "--set", "toy_hidden=16", "--set", "toy_couplings=4",
                 "--set", "mmd_points=300"]) == 0
    for name in ("final.png", "temperature_1.0.png", "temperature_0.7.png", "density.png"):
        assert (out / "samples" / name).stat().st_size > 0
    capsys.readouterr()
    assert main(["eval", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["num_test_points"] == 10_000 and math.isfinite(report["test_nll_nats"])
    assert math.isfinite(report["mmd2"])


def test_realnvp_family_trains_and_evaluates_on_mnist(tmp_path, capsys):
    out = tmp_path / "mnist"
    assert main(["train", "realnvp", "--steps", "3", "--batch-size", "8", "--quiet", "--out", str(out),
                 "--set", "hidden=4", "--set", "couplings=1", "--set", "final_couplings=1",
                 "--set", "eval_images=500"]) == 0
    for name in ("final.png", "temperature_1.0.png", "temperature_0.7.png"):
        assert (out / "samples" / name).stat().st_size > 0
    capsys.readouterr()
    assert main(["eval", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["num_test_images"] == 500
    # a near-identity flow in logit space: about 25, since alpha = 1e-6 puts black pixels near
    # logit -14, where N(0, 1) has little density (about 10.6 with alpha = 0.05)
    assert 0 < report["test_bits_per_dim"] < 30


def test_realnvp_refuses_images_of_another_size(tmp_path, capsys):
    assert main(["train", "realnvp", "--steps", "1", "--image-size", "32", "--quiet",
                 "--out", str(tmp_path / "r")]) == 2
    assert "pass --image-size 28" in capsys.readouterr().err

