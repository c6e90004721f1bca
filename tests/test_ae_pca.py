"""PCA against the covariance's eigendecomposition, principal angles, the linear autoencoder
finding the principal subspace, autoencoder shapes and training, and the ``ae`` family."""
import importlib.util
import math
import pathlib

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as torch
from autograd.function import ShapeError
from scratchgen.data import load_mnist
from scratchgen.models.ae import ConvAutoencoder, MLPAutoencoder
from scratchgen.models.pca import PCA, principal_angles
from scratchgen.train import ae_vae


def correlated_data(n, d, seed):
    """n points in R^d with very different variances along random directions."""
    rng = numpy.random.default_rng(seed)
    rotation, _ = numpy.linalg.qr(rng.normal(size=(d, d)))
    scales = 2.0 ** -numpy.arange(d)                 # 1, 1/2, 1/4, ...: well separated
    return rng.normal(size=(n, d)) * scales @ rotation.T + rng.normal(size=d)


# ----------------------------------------------------------------------------
# PCA
# ----------------------------------------------------------------------------
@given(n=st.integers(3, 40), d=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_pca_agrees_with_the_eigendecomposition_of_the_covariance(n, d, seed):
    """Explained variances are the covariance's eigenvalues, largest first; the components are
    orthonormal and, weighted by them, rebuild the covariance; each component is an eigenvector."""
    x = correlated_data(n, d, seed)
    k = min(n - 1, d)                                  # the rank of the centred data
    pca = PCA(k).fit(x)
    covariance = numpy.cov(x, rowvar=False).reshape(d, d)
    eigenvalues = numpy.linalg.eigvalsh(covariance)[::-1]
    numpy.testing.assert_allclose(pca.explained_variance, eigenvalues[:k], rtol=1e-8, atol=1e-12)
    v = pca.components
    numpy.testing.assert_allclose(v @ v.T, numpy.eye(k), atol=1e-10)
    numpy.testing.assert_allclose((v.T * pca.explained_variance) @ v, covariance, atol=1e-10)
    numpy.testing.assert_allclose(covariance @ v.T, v.T * pca.explained_variance, atol=1e-10)
    numpy.testing.assert_allclose(pca.mean, x.mean(0), atol=1e-12)


def test_pca_components_match_the_eigenvectors_one_by_one():
    x = correlated_data(500, 6, seed=1)
    pca = PCA(4).fit(x)
    eigenvalues, eigenvectors = numpy.linalg.eigh(numpy.cov(x, rowvar=False))
    for i in range(4):   # an eigenvector is defined up to its sign
        assert abs(pca.components[i] @ eigenvectors[:, -1 - i]) == pytest.approx(1.0, abs=1e-10)
    assert pca.explained_variance_ratio.sum() == pytest.approx(eigenvalues[-4:].sum() / eigenvalues.sum())


def test_reconstruction_error_falls_with_each_component_and_is_the_variance_left_out():
    n, d = 300, 8
    x = correlated_data(n, d, seed=2)
    errors = [PCA(k).fit(x).reconstruction_error(x) for k in range(1, d + 1)]
    assert all(a > b for a, b in zip(errors, errors[1:]))
    assert errors[-1] < 1e-20                           # all components: exact
    eigenvalues = numpy.linalg.eigvalsh(numpy.cov(x, rowvar=False))[::-1]
    for k, error in enumerate(errors, start=1):        # (N-1)/N sum_{i>k} lambda_i, per value
        assert error == pytest.approx((n - 1) / n * eigenvalues[k:].sum() / d, rel=1e-8, abs=1e-20)


def test_the_first_k_components_of_a_larger_fit_are_a_fit_with_k():
    x = correlated_data(100, 6, seed=5)
    small, cut = PCA(2).fit(x), PCA(5).fit(x).first(2)
    numpy.testing.assert_allclose(numpy.abs(cut.components @ small.components.T), numpy.eye(2), atol=1e-10)
    assert cut.reconstruction_error(x) == pytest.approx(small.reconstruction_error(x), rel=1e-10)
    with pytest.raises(ValueError, match="1 <= k <= 5, got k=6"):
        PCA(5).fit(x).first(6)


def test_pca_codes_are_uncorrelated_with_the_explained_variances():
    x = correlated_data(400, 5, seed=3)
    pca = PCA(3).fit(x)
    codes = pca.encode(x)
    numpy.testing.assert_allclose(numpy.cov(codes, rowvar=False), numpy.diag(pca.explained_variance),
                                  atol=1e-10)
    assert pca.decode(codes).shape == (400, 5)


def test_pca_takes_images_and_tensors_and_returns_their_shape():
    images = numpy.random.default_rng(0).uniform(size=(20, 1, 4, 4))
    pca = PCA(5).fit(torch.tensor(images))
    assert pca.components.shape == (5, 16)
    assert pca.reconstruct(images).shape == (20, 1, 4, 4)
    assert pca.encode(torch.tensor(images)).shape == (20, 5)


def test_pca_refuses_bad_input_with_the_reason():
    x = numpy.zeros((10, 3))
    with pytest.raises(ValueError, match=r"n_components=4 is more than min\(N, D\) = min\(10, 3\)"):
        PCA(4).fit(x)
    with pytest.raises(ValueError, match="n_components must be a positive int"):
        PCA(0)
    with pytest.raises(RuntimeError, match="call fit first"):
        PCA(2).encode(x)
    pca = PCA(2).fit(correlated_data(10, 3, 0))
    with pytest.raises(ValueError, match=r"PCA.encode: expected examples with 3 values each, got shape \(4"):
        pca.encode(numpy.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"PCA.decode: expected codes \(N, 2\), got shape \(4, 3\)"):
        pca.decode(numpy.zeros((4, 3)))


# ----------------------------------------------------------------------------
# Principal angles
# ----------------------------------------------------------------------------
@given(theta=st.floats(0.0, math.pi / 2), seed=st.integers(0, 2**16))
def test_principal_angles_recover_a_known_rotation(theta, seed):
    """span(e1, e2) against span(e1, cos t e2 + sin t e3): angles 0 and t, whatever bases."""
    rng = numpy.random.default_rng(seed)
    a = numpy.eye(5)[:, :2]   # span(e1, e2)
    e = numpy.eye(5)
    b = numpy.stack([e[0], math.cos(theta) * e[1] + math.sin(theta) * e[2]], axis=1)
    mix_a, mix_b = rng.normal(size=(2, 2)) + 3 * numpy.eye(2), rng.normal(size=(2, 2)) + 3 * numpy.eye(2)
    numpy.testing.assert_allclose(principal_angles(a @ mix_a, b @ mix_b), [0.0, theta], atol=1e-7)


def test_principal_angles_of_a_space_in_a_larger_one_are_zero_and_orthogonal_ones_right():
    e = numpy.eye(4)
    numpy.testing.assert_allclose(principal_angles(e[:, :1], e[:, :3]), [0.0], atol=1e-12)
    numpy.testing.assert_allclose(principal_angles(e[:, :2], e[:, 2:]), [math.pi / 2] * 2, atol=1e-12)
    with pytest.raises(ValueError, match=r"expected matrices \(D, p\) and \(D, q\), got \(4, 2\) and \(3, 2"):
        principal_angles(e[:, :2], e[:3, :2])


# ----------------------------------------------------------------------------
# Autoencoders
# ----------------------------------------------------------------------------
def test_a_trained_linear_autoencoder_spans_the_principal_subspace():
    """Baldi and Hornik (1989): a linear autoencoder with k units trained on squared error
    reaches PCA's error, its decoder's columns spanning the top k principal directions
    (though not the directions themselves: any basis of that subspace will do)."""
    rng = numpy.random.default_rng(4)
    rotation, _ = numpy.linalg.qr(rng.normal(size=(8, 8)))
    scales = numpy.array([3.0, 2.0, 1.5, 0.4, 0.3, 0.2, 0.1, 0.05])   # a clear gap after 3
    x = rng.normal(size=(256, 8)) * scales @ rotation.T + rng.normal(size=8)
    pca = PCA(3).fit(x)
    torch.manual_seed(0)
    model = MLPAutoencoder(input_shape=(8,), code_size=3, linear=True).double()

    def angles():
        return principal_angles(model.decoder.weight.detach().numpy(), pca.components.T)

    assert angles().max() > 0.3                       # a random start is far from it
    data = torch.tensor(x)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(600):                              # full batch, 0.5 s
        loss = model.loss(data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert angles().max() < 5e-3                      # radians; 4e-4 with these seeds
    assert loss.item() == pytest.approx(pca.reconstruction_error(x), rel=1e-2)


@pytest.mark.parametrize("make, sigmoid_output", [
    (lambda: MLPAutoencoder(code_size=3, hidden=(16,)), True),
    (lambda: MLPAutoencoder(code_size=3, linear=True), False),
    (lambda: ConvAutoencoder(code_size=3, width=4), True)])
def test_autoencoder_shapes_and_dtypes(make, sigmoid_output):
    model, x = make(), torch.rand(5, 1, 28, 28)
    assert model.encode(x).shape == (5, 3)
    reconstruction = model(x)
    assert reconstruction.shape == (5, 1, 28, 28) and reconstruction.dtype == torch.float32
    assert model.loss(x).shape == () and model.sample(2).shape == (2, 1, 28, 28)
    if sigmoid_output:
        assert 0 <= reconstruction.min().item() and reconstruction.max().item() <= 1
    assert model.double()(x.double()).dtype == torch.float64


def test_code_statistics_follow_the_codes_in_training_only():
    model = MLPAutoencoder(code_size=2, hidden=(8,))
    x = torch.rand(16, 1, 28, 28)
    model.eval()
    model.loss(x)
    assert numpy.array_equal(model.code_mean.numpy(), numpy.zeros(2))
    model.train()
    codes = model.encode(x).detach().numpy()
    model.loss(x)
    numpy.testing.assert_allclose(model.code_mean.numpy(), 0.01 * codes.mean(0), rtol=1e-5)
    numpy.testing.assert_allclose(model.code_var.numpy(), 0.99 + 0.01 * codes.var(0), rtol=1e-5)
    assert "code_mean" in model.state_dict() and "code_var" in model.state_dict()


def test_overfitting_eight_digits_beats_the_best_constant_image():
    """Through a code of 4 numbers, 8 MNIST digits are reconstructed far better than by their
    mean image (the best the decoder could do if it ignored the code)."""
    images = load_mnist("train")[0][:8, None].astype(numpy.float32) / 255
    mean_image_mse = ((images - images.mean(0)) ** 2).mean()            # 0.057
    torch.manual_seed(0)
    model = MLPAutoencoder(code_size=4, hidden=(64,))
    x = torch.tensor(images)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(100):
        loss = model.loss(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * mean_image_mse                         # 0.014 with these seeds


def test_the_conv_autoencoder_loss_falls_on_one_batch():
    images = load_mnist("train")[0][:8, None].astype(numpy.float32) / 255
    torch.manual_seed(0)
    model = ConvAutoencoder(code_size=4, width=8)
    x = torch.tensor(images)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = model.loss(x).item()                                        # 0.23
    for _ in range(40):
        loss = model.loss(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * first


def test_bad_inputs_raise_errors_that_name_the_model_and_the_shapes():
    model = MLPAutoencoder(code_size=4, hidden=(8,))
    with pytest.raises(ShapeError, match=r"MLPAutoencoder\(code_size=4\): expected input \(N, 1, 28, 28\), "
                                         r"got \(2, 784\)"):
        model.loss(torch.rand(2, 784))
    with pytest.raises(ShapeError, match=r"expected codes \(N, 4\), got \(2, 5\)"):
        model.decode(torch.rand(2, 5))
    with pytest.raises(ValueError, match=r"input_shape \(C, H, W\) with H and W multiples of 4"):
        ConvAutoencoder(input_shape=(1, 30, 30))


# ----------------------------------------------------------------------------
# The ae family
# ----------------------------------------------------------------------------
def test_ae_family_trains_and_compares_with_pca_at_the_same_code_size(monkeypatch):
    rng = numpy.random.default_rng(0)
    train_images = rng.integers(0, 256, (200, 1, 28, 28), dtype=numpy.uint8)
    monkeypatch.setattr(ae_vae, "load_dataset", lambda *args, **kwargs: (train_images, None))
    config = {**ae_vae.AE.defaults, "model": "ae", "channels": 1, "data": "mnist", "data_dir": None,
              "code_size": 5, "hidden": [16]}
    family = ae_vae.AE(config, torch.get_default_device())
    batch = torch.tensor(ae_vae.AE.prepare(train_images[:32], config))
    losses = [family.train_step(batch, step)["mse"] for step in range(1, 21)]
    assert losses[-1] < losses[0]
    test_images = ae_vae.AE.prepare(train_images[100:], config)
    metrics = family.evaluate(test_images)
    expected_pca = PCA(5).fit(ae_vae.AE.prepare(train_images, config)).reconstruction_error(test_images)
    assert metrics["pca_test_mse"] == pytest.approx(expected_pca)
    assert metrics["code_size"] == 5 and 0 < metrics["test_mse"] < 1
    with pytest.raises(ValueError, match="image_size is 28; pass --set image_size=32"):
        ae_vae.AE.prepare(numpy.zeros((2, 1, 32, 32), numpy.uint8), config)


def test_the_code_size_script_writes_its_plot_and_table(tmp_path):
    path = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "code_size.py"
    spec = importlib.util.spec_from_file_location("code_size", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "sweep.png"
    rows = script.main(["--sizes", "2", "5", "--steps", "3", "--linear-steps", "3",
                        "--train-images", "300", "--out", str(out)])
    assert out.stat().st_size > 0 and out.with_suffix(".json").exists()
    assert [row["code_size"] for row in rows] == [2, 5]
    assert rows[0]["pca"] > rows[1]["pca"] > 0      # more components, less error
    assert all(0 < row[key] < 1 for row in rows for key in ("linear_ae", "nonlinear_ae"))
