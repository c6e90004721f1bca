"""PixelCNN: the masks, causality in raster order (a property over pixel positions), an exact
likelihood that sums to one, sampling that follows the model's own conditionals, one batch
overfitted, the 256-way variant, bad input, and the ``pixelcnn`` family end to end."""
import itertools
import json

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as torch
from autograd.function import ShapeError
from autograd.nn import functional as F
from autoregressive import (assert_log_prob_is_a_sum_of_bernoulli_log_conditionals,
                            assert_probabilities_of_all_3x3_images_sum_to_one,
                            assert_samples_and_completions_keep_the_given_pixels,
                            assert_samples_of_a_2x2_model_follow_its_probabilities)
from scratchgen.data import load_dataset
from scratchgen.models.pixelcnn import MaskedConv2d, PixelCNN, causal_mask


def small_pixelcnn(image_size=8, levels=2, seed=0, **sizes):
    torch.manual_seed(seed)
    sizes = {"hidden": 8, "blocks": 2, "first_kernel": 5, "block_kernel": 3, "output_hidden": 8, **sizes}
    return PixelCNN(image_size, levels, **sizes).double()


# ----------------------------------------------------------------------------
# Masks A and B
# ----------------------------------------------------------------------------
def test_masks_of_type_a_and_b_for_a_3x3_and_a_5x5_kernel():
    assert causal_mask("A", 3).tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert causal_mask("B", 3).tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    five_a = causal_mask("A", 5)
    assert five_a.shape == (5, 5) and five_a[:2].all() and five_a[2].tolist() == [1, 1, 0, 0, 0]
    assert not five_a[3:].any()
    assert (causal_mask("B", 5) - five_a).tolist()[2] == [0, 0, 1, 0, 0]   # B adds only the centre
    assert causal_mask("A", 1).tolist() == [[0]] and causal_mask("B", 1).tolist() == [[1]]


@pytest.mark.parametrize("mask_type, kernel_size", [("C", 3), ("A", 4), ("B", 0)])
def test_bad_masks_are_refused(mask_type, kernel_size):
    with pytest.raises(ValueError, match="causal_mask"):
        causal_mask(mask_type, kernel_size)


def test_masked_taps_get_no_value_and_no_gradient():
    """The output is conv2d with the masked weight, and the weight's gradient is zero where the
    mask is: the optimiser can never bring a masked tap back."""
    torch.manual_seed(0)
    conv = MaskedConv2d(2, 3, 5, "A").double()
    x = torch.randn(2, 2, 6, 6, dtype=torch.float64)
    y = conv(x)
    mask = causal_mask("A", 5)
    expected = F.conv2d(x, torch.tensor(conv.weight.detach().numpy() * mask), conv.bias.detach(), padding=2)
    numpy.testing.assert_allclose(y.detach().numpy(), expected.numpy(), rtol=1e-12)
    (y * y).sum().backward()
    assert not conv.weight.grad.numpy()[:, :, mask == 0].any()
    assert conv.weight.grad.numpy()[:, :, mask == 1].all()
    assert "mask" not in conv.state_dict()          # derived from the type, not saved


# ----------------------------------------------------------------------------
# Causality: output i depends on exactly the pixels before i
# ----------------------------------------------------------------------------
SIZE = 7


def input_gradient(model, x, row, column):
    """d(sum of the logits at pixel (row, column) of image 0) / dx, as an array (N, 1, H, W)."""
    x = x.detach().requires_grad_()
    model(x)[0, :, row, column].sum().backward()
    return x.grad.numpy()


@pytest.fixture(scope="module", params=[2, 256])
def causal_model(request):
    return small_pixelcnn(SIZE, request.param)


@settings(max_examples=25, deadline=None)
@given(row=st.integers(0, SIZE - 1), column=st.integers(0, SIZE - 1))
def test_the_output_at_a_pixel_sees_only_the_pixels_before_it(causal_model, row, column):
    """Gradient of pixel i's logits w.r.t. the input: exactly zero at i and after it in raster
    order, and in the other image of the batch; not zero at the left and upper neighbours."""
    x = torch.tensor(numpy.random.default_rng(row * SIZE + column).random((2, 1, SIZE, SIZE)))
    grad = input_gradient(causal_model, x, row, column)
    raster = grad[0, 0].reshape(-1)
    i = row * SIZE + column
    assert not raster[i:].any()
    assert not grad[1].any()
    if i > 0:
        assert raster[:i].any()
    if column > 0:
        assert grad[0, 0, row, column - 1] != 0
    if row > 0:
        assert grad[0, 0, row - 1, column] != 0


@pytest.mark.parametrize("levels", [2, 256])
def test_the_logits_of_a_pixel_from_its_window_are_those_from_the_whole_image(levels):
    """What sampling relies on: the window of ``reach`` pixels up, left and right gives the
    same logits at its pixel as the whole image, at every position of a 12 x 12 image."""
    model = small_pixelcnn(12, levels, blocks=1, first_kernel=3)        # reach 2: windows are small
    assert model.reach == 2
    x = torch.tensor(numpy.random.default_rng(0).random((2, 1, 12, 12)))
    with torch.no_grad():
        whole = model(x).numpy()
        for row, column in itertools.product(range(12), range(12)):
            rows, columns, (r, c) = model.window(row, column)
            part = model(x[:, :, rows, columns]).numpy()[:, :, r, c]
            numpy.testing.assert_allclose(part, whole[:, :, row, column], rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# The likelihood and sampling
# ----------------------------------------------------------------------------
def test_the_probabilities_of_every_3x3_binary_image_sum_to_one():
    assert_probabilities_of_all_3x3_images_sum_to_one(small_pixelcnn(3, seed=1))


def test_log_prob_is_the_sum_of_bernoulli_log_conditionals_and_bits_per_dim_its_rescaling():
    assert_log_prob_is_a_sum_of_bernoulli_log_conditionals(small_pixelcnn(4), 4)


def test_samples_of_a_2x2_model_follow_its_probabilities():
    assert_samples_of_a_2x2_model_follow_its_probabilities(small_pixelcnn(2, seed=2))


def test_samples_have_the_image_shape_and_values_and_completions_keep_what_was_given():
    assert_samples_and_completions_keep_the_given_pixels(small_pixelcnn(5), 5)


# ----------------------------------------------------------------------------
# The 256-way variant
# ----------------------------------------------------------------------------
def test_256_way_log_prob_is_a_softmax_cross_entropy_and_samples_are_8_bit_values():
    model = small_pixelcnn(4, levels=256)
    values = numpy.random.default_rng(0).integers(0, 256, (2, 1, 4, 4))
    x = torch.tensor(values / 255.0)
    with torch.no_grad():
        log_softmax = model(x).log_softmax(dim=1).numpy()          # (2, 256, 4, 4)
        expected = numpy.take_along_axis(log_softmax, values, axis=1).reshape(2, -1).sum(1)
        numpy.testing.assert_allclose(model.log_prob(x).numpy(), expected, rtol=1e-10)
        samples = model.sample(3).numpy() * 255
    assert samples.shape == (3, 1, 4, 4)
    numpy.testing.assert_allclose(samples, numpy.round(samples), atol=1e-9)
    assert samples.min() >= 0 and samples.max() <= 255


def test_256_way_single_pixel_samples_follow_the_softmax():
    """Gumbel-max draws of a 1-pixel image: each value's frequency within 5 standard errors."""
    model = small_pixelcnn(1, levels=256, seed=4)
    with torch.no_grad():
        model.head[-1].bias.copy_(torch.tensor(numpy.linspace(-3, 3, 256)))   # a skewed softmax
        probabilities = model(torch.zeros(1, 1, 1, 1, dtype=torch.float64)).softmax(dim=1).numpy().ravel()
        torch.manual_seed(5)
        values = numpy.round(model.sample(20000).numpy().ravel() * 255).astype(int)
    frequencies = numpy.bincount(values, minlength=256) / 20000
    tolerance = 5 * numpy.sqrt(probabilities * (1 - probabilities) / 20000) + 1e-3
    assert (abs(frequencies - probabilities) < tolerance).all()


# ----------------------------------------------------------------------------
# Training and bad input
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("levels", [2, 256])
def test_one_fixed_batch_is_overfitted(levels):
    """40 Adam steps on the central 16 x 16 of 8 MNIST digits: the NLL falls by a third."""
    images = load_dataset("mnist", "test")[0][:8, :, 6:22, 6:22].astype(numpy.float32) / 255
    x = (images > 0.5).astype(numpy.float32) if levels == 2 else images
    torch.manual_seed(0)
    model = PixelCNN(16, levels, hidden=16, blocks=1, output_hidden=16)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch, losses = torch.tensor(x), []
    for _ in range(40):
        loss = model.loss(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 2 / 3 * losses[0], losses


def test_bad_input_and_settings_are_refused_with_the_expected_and_actual_shapes():
    model = small_pixelcnn(4)
    with pytest.raises(ShapeError, match=r"PixelCNN: expected images \(N, 1, 4, 4\), got \(2, 3, 4, 4\)"):
        model(torch.zeros(2, 3, 4, 4, dtype=torch.float64))
    with pytest.raises(ShapeError, match=r"log_prob: expected whole images"):
        model.log_prob(torch.zeros(2, 1, 2, 4, dtype=torch.float64))
    with pytest.raises(ShapeError, match=r"MaskedConv2d\(2, 4, type A\): expected input \(N, 2, H, W\)"):
        MaskedConv2d(2, 4, 3, "A")(torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError, match="levels must be 2"):
        PixelCNN(levels=10)
    with pytest.raises(ValueError, match="hidden must be an even"):
        PixelCNN(hidden=5)


# ----------------------------------------------------------------------------
# The family
# ----------------------------------------------------------------------------
TINY = {"steps": 2, "batch_size": 4, "hidden": 4, "blocks": 1, "first_kernel": 3, "output_hidden": 4,
        "completions": 2,
        "log_every": 1, "eval_images": 30}


def test_the_family_trains_writes_samples_and_completions_and_evaluates(tmp_path, capsys):
    from scratchgen.train.run import evaluate_run, train
    run = train("pixelcnn", TINY, tmp_path / "run", progress=False)
    assert "pixel" not in capsys.readouterr().err      # --quiet silences the sampling bars too
    samples = tmp_path / "run" / "samples"
    for name in ("final.png", "completions.png"):
        assert (samples / name).stat().st_size > 0, name
    times = json.loads((samples / "sampling_times.json").read_text())
    assert times["samples"]["images"] == 64 and times["completions"]["images"] == 20
    assert times["completions"]["pixels_each"] == 14 * 28
    assert run.family.learning_rate(2) == pytest.approx(run.config["lr"] * run.config["lr_final"])
    report = evaluate_run(tmp_path / "run")                  # what `eval` does
    assert report["step"] == 2 and report["num_test_images"] == 30
    assert 0 < report["test_nll_nats"] < 784 * numpy.log(2) * 2      # near the 543 nats of coin flips
    assert report["bits_per_dim"] == pytest.approx(report["test_nll_nats"] / (784 * numpy.log(2)))


def test_the_family_binarises_the_test_set_as_the_vae_family_does():
    """The same bits, so the two families' test NLLs are comparable."""
    from scratchgen.train.ae_vae import VAE
    from scratchgen.train.pixelcnn import PixelCNNFamily
    from scratchgen.train.run import make_config
    intensities = load_dataset("mnist", "test")[0][:20].astype(numpy.float32) / 255
    vae = VAE({**make_config("vae", {}), "channels": 1}, "cpu")
    pixelcnn = PixelCNNFamily({**make_config("pixelcnn", {}), "channels": 1}, "cpu")
    numpy.testing.assert_array_equal(pixelcnn.observed_test_images(intensities),
                                     vae.observed_test_images(intensities))


def test_the_family_refuses_colour_images():
    from scratchgen.train.pixelcnn import PixelCNNFamily
    from scratchgen.train.run import make_config
    with pytest.raises(ValueError, match="one-channel images only"):
        PixelCNNFamily({**make_config("pixelcnn", {}), "channels": 3}, "cpu")
