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


def test_two_layer_net_demo_learns_the_moons():
    loss, accuracy = load_demo("two_layer_net").main(["--steps", "300"])
    assert loss < 0.3 and accuracy > 0.9


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
