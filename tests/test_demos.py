"""Every demo runs end to end for a few steps and writes what it says it writes."""
import importlib.util
import pathlib

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
