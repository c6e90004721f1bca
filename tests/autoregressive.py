"""What the autoregressive models' tests share (PixelCNN, PixelRNN): every binary image of a
size, random bits, and the checks that their likelihood is a normalised product of Bernoulli
conditionals and that their samples follow it."""
import itertools

import numpy
import pytest

import autograd as torch


def all_binary_images(size):
    """All 2^(size*size) binary images, (2^(size*size), 1, size, size), in itertools.product order."""
    bits = numpy.array(list(itertools.product([0.0, 1.0], repeat=size * size)))
    return torch.tensor(bits.reshape(-1, 1, size, size))


def random_bits(n, size, seed=0):
    return torch.tensor(numpy.random.default_rng(seed).integers(0, 2, (n, 1, size, size)).astype(numpy.float64))


def assert_probabilities_of_all_3x3_images_sum_to_one(model):
    """Exact only if every conditional is normalised and sees only earlier pixels."""
    with torch.no_grad():
        log_p = model.log_prob(all_binary_images(3)).numpy()
    assert len(log_p) == 512
    assert numpy.exp(log_p).sum() == pytest.approx(1.0, abs=1e-12)


def assert_log_prob_is_a_sum_of_bernoulli_log_conditionals(model, size):
    """log p(x) = sum_i log Bernoulli(x_i; sigmoid(logit_i)); bits/dim and the loss are its rescalings."""
    x = random_bits(3, size)
    with torch.no_grad():
        p = model(x).sigmoid().numpy()
        expected = (x.numpy() * numpy.log(p) + (1 - x.numpy()) * numpy.log(1 - p)).reshape(3, -1).sum(1)
        numpy.testing.assert_allclose(model.log_prob(x).numpy(), expected, rtol=1e-10)
        numpy.testing.assert_allclose(model.bits_per_dim(x).numpy(),
                                      -expected / (size * size * numpy.log(2)), rtol=1e-10)
        assert model.loss(x).item() == pytest.approx(-expected.mean())


def assert_samples_of_a_2x2_model_follow_its_probabilities(model):
    """Frequencies of the 16 images in 8,000 samples within 5 standard errors of exp(log p)."""
    with torch.no_grad():
        probabilities = numpy.exp(model.log_prob(all_binary_images(2)).numpy())
        torch.manual_seed(3)
        samples = model.sample(8000).numpy().reshape(8000, 4)
    index = (samples * [8, 4, 2, 1]).sum(1).astype(int)          # the order itertools.product uses
    frequencies = numpy.bincount(index, minlength=16) / 8000
    tolerance = 5 * numpy.sqrt(probabilities * (1 - probabilities) / 8000) + 1e-3
    assert (abs(frequencies - probabilities) < tolerance).all()


def assert_samples_and_completions_keep_the_given_pixels(model, size):
    """Samples are binary images of the model's size; completing from pixel 12 keeps pixels 0..11."""
    with torch.no_grad():
        samples = model.sample(3)
        given = random_bits(4, size, seed=1)
        completed = model.sample(given=given, first_pixel=12)
    assert samples.shape == (3, 1, size, size) and set(numpy.unique(samples.numpy())) <= {0.0, 1.0}
    raster = completed.numpy().reshape(4, -1)
    numpy.testing.assert_array_equal(raster[:, :12], given.numpy().reshape(4, -1)[:, :12])
    assert set(numpy.unique(raster)) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="first_pixel"):
        model.sample(given=given, first_pixel=size * size + 1)
    with pytest.raises(ValueError, match="give n"):
        model.sample()
