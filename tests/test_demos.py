"""Every demo runs end to end for a few steps and writes what it says it writes."""
import importlib.util
import pathlib

import numpy

DEMOS = pathlib.Path(__file__).resolve().parents[1] / "demos"


def load_demo(name):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gan_demo_writes_its_pictures(tmp_path, capsys):
    load_demo("gan").main(["--steps", "3", "--feature-dim", "4", "--latent-dim", "8",
                           "--batch-size", "8", "--out", str(tmp_path)])
    for name in ("samples.png", "interpolation.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert f"pictures in {tmp_path}" in capsys.readouterr().out


def test_two_layer_net_demo_learns_the_moons(tmp_path, capsys):
    loss, accuracy = load_demo("two_layer_net").main(["--steps", "300", "--out", str(tmp_path)])
    assert loss < 0.3 and accuracy > 0.9
    assert (tmp_path / "decision_boundary.png").stat().st_size > 0
    assert f"picture in {tmp_path}" in capsys.readouterr().out


def test_adversarial_demo_fools_the_classifier(tmp_path, capsys):
    accuracies = load_demo("adversarial").main(["--images", "40", "--eps", "0.1", "0.25", "--show", "4",
                                                "--out", str(tmp_path)])
    assert sorted(accuracies) == [0.0, 0.1, 0.25]
    assert accuracies[0.0] == 1.0                 # the demo attacks only images classified right
    # random +-0.25 noise leaves about 95% right; the gradient's sign leaves about 20%
    assert accuracies[0.25] < 0.6 and accuracies[0.25] <= accuracies[0.1] < accuracies[0.0]
    assert (tmp_path / "adversarial.png").stat().st_size > 0
    out = capsys.readouterr().out
    assert "eps 0.25  accuracy" in out and f"pictures in {tmp_path}" in out


def test_vae_train_step_splits_the_loss_into_reconstruction_and_kl():
    import autograd
    from scratchgen.models.vae import MLPVAE
    vae_demo = load_demo("vae")
    autograd.manual_seed(0)
    vae = MLPVAE(latent_dim=2, hidden=(16,))
    bits = (numpy.random.default_rng(0).random((8, 1, 28, 28)) < 0.3).astype(numpy.float32)
    loss, reconstruction, kl = vae_demo.train_step(vae, autograd.optim.Adam(vae.parameters()),
                                                   autograd.tensor(bits))
    assert reconstruction > 0 and kl >= 0
    assert abs(loss - (reconstruction + kl)) <= 1e-4 * loss


def test_vae_demo_plots_reconstruction_and_kl(tmp_path, capsys):
    load_demo("vae").main(["--steps", "3", "--batch-size", "8", "--hidden", "16", "--eval-images", "5",
                           "--out", str(tmp_path)])
    for name in ("samples.png", "reconstructions.png", "loss.png", "latent_map.png"):
        assert (tmp_path / name).stat().st_size > 0
    out = capsys.readouterr().out
    words = next(line for line in out.splitlines() if line.startswith("step")).split()
    loss, reconstruction, kl = (float(words[i + 1]) for i in (words.index("loss"),
                                                               words.index("reconstruction"), words.index("KL")))
    assert abs(loss - (reconstruction + kl)) <= 0.011          # each printed to 2 decimals
    assert f"pictures in {tmp_path}" in out


def test_ddpm_demo_writes_its_pictures(tmp_path, capsys):
    loss = load_demo("ddpm").main(["--steps", "3", "--batch-size", "4", "--base-channels", "8",
                                   "--ddim-steps", "2", "--out", str(tmp_path)])
    for name in ("forward_noising.png", "samples.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert 0 < loss < 10
    assert f"pictures in {tmp_path}" in capsys.readouterr().out


def test_wgan_gp_demo_writes_its_pictures(tmp_path, capsys):
    gaps = load_demo("wgan_gp").main(["--steps", "4", "--n-critic", "2", "--feature-dim", "4",
                                      "--latent-dim", "8", "--batch-size", "4", "--out", str(tmp_path)])
    assert len(gaps) == 4 and all(numpy.isfinite(gaps))
    for name in ("samples.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert f"pictures in {tmp_path}" in capsys.readouterr().out


def test_ae_pca_demo_compares_the_autoencoder_with_pca(tmp_path, capsys):
    pca_error, ae_error = load_demo("ae_pca").main(["--steps", "3", "--code-size", "4", "--batch-size", "16",
                                                    "--train-images", "2000", "--out", str(tmp_path)])
    assert 0 < pca_error < 0.1 and 0 < ae_error < 1
    for name in ("reconstructions.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert f"pictures in {tmp_path}" in capsys.readouterr().out


def test_pixelcnn_demo_writes_its_pictures(tmp_path, capsys):
    nll = load_demo("pixelcnn").main(["--steps", "3", "--batch-size", "4", "--hidden", "4", "--blocks", "1",
                                      "--eval-images", "20", "--out", str(tmp_path)])
    for name in ("samples.png", "completions.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert 0 < nll < 2 * 784 * 0.6932          # within twice the NLL of fair coin flips after 3 steps
    assert f"pictures in {tmp_path}" in capsys.readouterr().out


def test_flow_demo_writes_its_pictures(tmp_path, capsys):
    test_nll = load_demo("flow").main(["--steps", "30", "--hidden", "8", "--couplings", "2",
                                       "--out", str(tmp_path)])
    for name in ("density.png", "temperatures.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert 0 < test_nll < 10
    assert f"pictures in {tmp_path}" in capsys.readouterr().out


def test_pixelrnn_demo_draws_the_receptive_fields_and_trains(tmp_path, capsys):
    nll = load_demo("pixelrnn").main(["--steps", "3", "--batch-size", "4", "--hidden", "4", "--layers", "1",
                                      "--eval-images", "20", "--out", str(tmp_path)])
    for name in ("receptive_fields.png", "samples.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert 0 < nll < 2 * 784 * 0.6932          # within twice the NLL of fair coin flips after 3 steps
    assert f"pictures in {tmp_path}" in capsys.readouterr().out
