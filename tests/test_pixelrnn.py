"""PixelRNN (Row LSTM): causality in raster order as a property of the gradient, the triangle
its receptive field is, an exact likelihood that sums to one, partial images giving the same
logits (what sampling relies on), samples that follow the model's conditionals, one batch
overfitted, bad input, and the ``pixelrnn`` family end to end."""
import json

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as torch
from autograd.function import ShapeError
from autoregressive import (assert_log_prob_is_a_sum_of_bernoulli_log_conditionals,
                            assert_probabilities_of_all_3x3_images_sum_to_one,
                            assert_samples_and_completions_keep_the_given_pixels,
                            assert_samples_of_a_2x2_model_follow_its_probabilities, random_bits)
from scratchgen.data import load_dataset
from scratchgen.models.pixelrnn import PixelRNN, RowLSTM, RowMaskedConv


def small_pixelrnn(image_size=7, seed=0, **sizes):
    torch.manual_seed(seed)
    sizes = {"hidden": 6, "layers": 2, "first_kernel": 3, "width": 3, "output_hidden": 6, **sizes}
    return PixelRNN(image_size, **sizes).double()


def input_gradient(model, x, row, column):
    """d(logit at pixel (row, column) of image 0) / dx, as an array (N, 1, H, W)."""
    x = x.detach().requires_grad_()
    model(x)[0, 0, row, column].backward()
    return x.grad.numpy()


# ----------------------------------------------------------------------------
# The pieces
# ----------------------------------------------------------------------------
def test_the_row_convolution_sees_the_pixel_and_its_left_neighbours_only():
    torch.manual_seed(0)
    conv = RowMaskedConv(2, 3, 5).double()
    x = torch.randn(1, 2, 3, 9, dtype=torch.float64, requires_grad=True)
    conv(x)[0, :, 1, 4].sum().backward()
    seen = numpy.abs(x.grad.numpy()[0]).sum(axis=0)                 # (3, 9)
    assert not seen[[0, 2]].any()                                   # other rows: never
    assert seen[1, 2:5].all() and not seen[1, :2].any() and not seen[1, 5:].any()
    assert "mask" not in conv.state_dict()


def test_a_row_lstm_row_depends_on_earlier_rows_through_the_state_only():
    """Changing row 3 of the input leaves the states of rows 0..2 exactly as they were."""
    torch.manual_seed(1)
    layer = RowLSTM(2, 4, width=3).double()
    x = torch.randn(2, 2, 6, 5, dtype=torch.float64)
    changed = x.clone()
    changed[:, :, 3] = 7.0
    with torch.no_grad():
        before, after = layer(x).numpy(), layer(changed).numpy()
    numpy.testing.assert_array_equal(before[:, :, :3], after[:, :, :3])
    assert (before[:, :, 3:] != after[:, :, 3:]).any()


# ----------------------------------------------------------------------------
# Causality and the receptive field
# ----------------------------------------------------------------------------
SIZE = 7


@pytest.fixture(scope="module")
def causal_model():
    return small_pixelrnn(SIZE, layers=3)


@settings(max_examples=30, deadline=None)
@given(row=st.integers(0, SIZE - 1), column=st.integers(0, SIZE - 1))
def test_the_output_at_a_pixel_sees_only_the_pixels_before_it(causal_model, row, column):
    """Gradient of pixel i's logit w.r.t. the input: exactly zero at i and after it in raster
    order, and for the other image of the batch; not zero at the left and upper neighbours."""
    x = torch.tensor(numpy.random.default_rng(row * SIZE + column).random((2, 1, SIZE, SIZE)))
    grad = input_gradient(causal_model, x, row, column)
    raster = grad[0, 0].reshape(-1)
    i = row * SIZE + column
    assert not raster[i:].any()
    assert not grad[1].any()
    if column > 0:
        assert grad[0, 0, row, column - 1] != 0
    if row > 0:
        assert grad[0, 0, row - 1, column] != 0


@settings(max_examples=20, deadline=None)
@given(row=st.integers(1, SIZE - 1), column=st.integers(0, SIZE - 1), layers=st.integers(1, 3))
def test_the_receptive_field_is_a_triangle_whatever_the_depth(row, column, layers):
    """With a 3x3 first layer and width-3 convolutions, the pixel d rows up is seen from column
    c + d at most (one more per row: the state-to-state convolution), however many layers:
    the Row LSTM's blind spot.  Column c + d itself is seen (the edge is tight)."""
    model = small_pixelrnn(SIZE, seed=layers, layers=layers)
    x = torch.tensor(numpy.random.default_rng(column).random((1, 1, SIZE, SIZE)))
    grad = input_gradient(model, x, row, column)[0, 0]
    for d in range(1, row + 1):
        assert not grad[row - d, column + d + 1:].any(), (d, grad[row - d])
        if column + d < SIZE:
            assert grad[row - d, column + d] != 0, (d, grad[row - d])


def test_the_first_rows_of_an_image_give_the_same_logits_as_the_whole_image():
    """What sampling relies on: running rows 0..r only gives row r's logits exactly."""
    model = small_pixelrnn(6)
    x = random_bits(2, 6, seed=4)
    with torch.no_grad():
        whole = model(x).numpy()
        for rows in range(1, 7):
            numpy.testing.assert_allclose(model(x[:, :, :rows]).numpy(), whole[:, :, :rows],
                                          rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# The likelihood and sampling (the checks shared with PixelCNN: tests/autoregressive.py)
# ----------------------------------------------------------------------------
def test_the_probabilities_of_every_3x3_binary_image_sum_to_one():
    assert_probabilities_of_all_3x3_images_sum_to_one(small_pixelrnn(3, seed=1))


def test_log_prob_is_the_sum_of_bernoulli_log_conditionals_and_bits_per_dim_its_rescaling():
    assert_log_prob_is_a_sum_of_bernoulli_log_conditionals(small_pixelrnn(4), 4)


def test_samples_of_a_2x2_model_follow_its_probabilities():
    assert_samples_of_a_2x2_model_follow_its_probabilities(small_pixelrnn(2, seed=2))


def test_samples_have_the_image_shape_and_values_and_completions_keep_what_was_given():
    assert_samples_and_completions_keep_the_given_pixels(small_pixelrnn(5), 5)


# ----------------------------------------------------------------------------
# Training and bad input
# ----------------------------------------------------------------------------
def test_one_fixed_batch_is_overfitted():
    """40 Adam steps on the central 16 x 16 of 8 binarised MNIST digits: the NLL falls by a third."""
    images = load_dataset("mnist", "test")[0][:8, :, 6:22, 6:22].astype(numpy.float32) / 255
    torch.manual_seed(0)
    model = PixelRNN(16, hidden=8, layers=1, output_hidden=16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    batch, losses = torch.tensor((images > 0.5).astype(numpy.float32)), []
    for _ in range(40):
        loss = model.loss(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 2 / 3 * losses[0], losses


def test_bad_input_and_settings_are_refused_with_the_expected_and_actual():
    model = small_pixelrnn(4)
    with pytest.raises(ShapeError, match=r"PixelRNN: expected images \(N, 1, 4, 4\), got \(2, 3, 4, 4\)"):
        model(torch.zeros(2, 3, 4, 4, dtype=torch.float64))
    with pytest.raises(ShapeError, match=r"PixelRNN: expected images \(N, 1, 4, 4\), got \(2, 1, 2, 4\)"):
        model.log_prob(torch.zeros(2, 1, 2, 4, dtype=torch.float64))
    with pytest.raises(ValueError, match="RowMaskedConv: width must be odd and positive, got 4"):
        PixelRNN(width=4)
    for key in ("hidden", "layers", "image_size", "output_hidden"):
        with pytest.raises(ValueError, match=f"PixelRNN: {key} must be a positive integer, got 0"):
            PixelRNN(**{key: 0})


# ----------------------------------------------------------------------------
# The family
# ----------------------------------------------------------------------------
TINY = {"steps": 2, "batch_size": 4, "hidden": 3, "layers": 1, "first_kernel": 3, "output_hidden": 4,
        "completions": 1, "log_every": 1, "eval_images": 20}


def test_the_family_trains_writes_samples_and_completions_and_evaluates(tmp_path):
    from scratchgen.train.run import evaluate_run, train
    run = train("pixelrnn", TINY, tmp_path / "run", progress=False)
    samples = tmp_path / "run" / "samples"
    for name in ("final.png", "completions.png"):
        assert (samples / name).stat().st_size > 0, name
    times = json.loads((samples / "sampling_times.json").read_text())
    assert times["samples"]["images"] == 64 and times["completions"]["images"] == 10
    assert run.family.learning_rate(2) == pytest.approx(run.config["lr"] * run.config["lr_final"])
    report = evaluate_run(tmp_path / "run")
    assert report["step"] == 2 and report["num_test_images"] == 20
    assert 0 < report["test_nll_nats"] < 784 * numpy.log(2) * 2      # near the 543 nats of coin flips


def test_the_family_binarises_the_test_set_as_pixelcnn_does_and_refuses_colour():
    from scratchgen.train.pixelcnn import PixelCNNFamily
    from scratchgen.train.pixelrnn import PixelRNNFamily
    from scratchgen.train.run import make_config
    intensities = load_dataset("mnist", "test")[0][:20].astype(numpy.float32) / 255
    pixelcnn = PixelCNNFamily({**make_config("pixelcnn", {}), "channels": 1}, "cpu")
    pixelrnn = PixelRNNFamily({**make_config("pixelrnn", {}), "channels": 1}, "cpu")
    numpy.testing.assert_array_equal(pixelrnn.observed_test_images(intensities),
                                     pixelcnn.observed_test_images(intensities))
    with pytest.raises(ValueError, match="one-channel images only"):
        PixelRNNFamily({**make_config("pixelrnn", {}), "channels": 3}, "cpu")
