"""The command line end to end: list, train a tiny model, resume it exactly, sample, evaluate,
and refuse bad input clearly."""
import json

import numpy
import pytest

from scratchgen.cli import main
from scratchgen.data import DATASETS
from scratchgen.train import registry
from scratchgen.train.folder import RunFolder

TINY = ["--steps", "6", "--batch-size", "8", "--log-every", "1", "--sample-every", "3",
        "--checkpoint-every", "3", "--quiet", "--set", "feature_dim=4", "--set", "latent_dim=8"]


def train(out, *extra):
    return main(["train", "dcgan", "--out", str(out), *TINY, *extra])


def losses(folder):
    return [{k: v for k, v in r.items() if k.startswith("loss")} for r in RunFolder(folder).read_log()]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    assert train(out) == 0
    return out


def test_list_shows_models_and_data_sets(capsys):
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert all(name in text for name in [*registry.FAMILIES, *DATASETS])


def test_train_writes_a_complete_run_folder(tiny_run):
    folder = RunFolder(tiny_run)
    config = folder.read_config()
    assert config["model"] == "dcgan" and config["feature_dim"] == 4 and config["steps"] == 6
    assert [r["step"] for r in folder.read_log()] == [1, 2, 3, 4, 5, 6]
    assert folder.latest_checkpoint().name == "step-000006.ckpt"
    assert (folder.samples / "final.png").exists() and folder.loss_plot.exists()


def test_an_interrupted_and_resumed_run_logs_the_same_losses(tmp_path, tiny_run):
    out = tmp_path / "resumed"
    assert main(["train", "dcgan", "--out", str(out), *TINY, "--steps", "3"]) == 0
    assert main(["train", "dcgan", "--out", str(out), *TINY, "--resume"]) == 0
    assert losses(out) == losses(tiny_run)


def test_sample_writes_an_array_in_unit_range(tmp_path, tiny_run):
    path = tmp_path / "samples.npz"
    assert main(["sample", str(tiny_run), "--n", "5", "--out", str(path)]) == 0
    samples = numpy.load(path, allow_pickle=False)["samples"]
    assert samples.shape == (5, 1, 32, 32) and 0 <= samples.min() and samples.max() <= 1


def test_eval_prints_one_json_object(capsys, tiny_run):
    assert main(["eval", str(tiny_run), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["model"] == "dcgan" and metrics["step"] == 6
    assert metrics["frechet_distance"] > 0 and metrics["num_samples"] == 10_000


def test_sample_and_eval_take_other_settings_than_the_run_and_refuse_unknown_ones(tmp_path, tiny_run, capsys):
    averaged, raw = tmp_path / "averaged.npz", tmp_path / "raw.npz"
    assert main(["sample", str(tiny_run), "--n", "4", "--out", str(averaged)]) == 0
    # ema_decay=0: sample from G's own weights instead of their moving average
    assert main(["sample", str(tiny_run), "--n", "4", "--out", str(raw), "--set", "ema_decay=0"]) == 0
    samples = [numpy.load(path, allow_pickle=False)["samples"] for path in (averaged, raw)]
    assert samples[0].shape == samples[1].shape and not numpy.allclose(samples[0], samples[1])
    capsys.readouterr()
    assert main(["eval", str(tiny_run), "--set", "no_such_setting=1"]) == 2
    error = capsys.readouterr().err
    assert "no_such_setting" in error and "latent_dim" in error


def test_unknown_model_and_data_list_the_valid_ones(tmp_path, capsys):
    assert main(["train", "gpt", "--out", str(tmp_path / "x")]) == 2
    message = capsys.readouterr().err
    assert "unknown model 'gpt'; available: " in message and "dcgan, " in message
    assert main(["train", "dcgan", "--data", "cifar", "--out", str(tmp_path / "y")]) == 2
    assert "unknown data set 'cifar'; available: mnist" in capsys.readouterr().err


def test_impossible_flags_are_rejected_with_the_reason(tmp_path, capsys):
    assert main(["train", "dcgan", "--steps", "0", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == ("scratchgen train: expected an integer from 1 to 1000000000, "
                                       "got 0 (setting steps)\n")
    assert main(["train", "dcgan", "--resume", "--force"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_an_existing_run_is_never_overwritten(tiny_run, capsys):
    before = RunFolder(tiny_run).read_log()
    assert train(tiny_run) == 2
    assert "pass --resume to continue it or --force" in capsys.readouterr().err
    assert RunFolder(tiny_run).read_log() == before


def test_resuming_with_another_configuration_names_the_keys(tiny_run, capsys):
    assert main(["train", "dcgan", "--out", str(tiny_run), *TINY[:-4], "--resume",
                 "--set", "feature_dim=8", "--lr", "0.001"]) == 2
    error = capsys.readouterr().err
    assert "configuration differs" in error and "feature_dim" in error and "lr" in error


def test_a_corrupt_checkpoint_stops_the_resume_and_leaves_the_folder_alone(tmp_path, capsys):
    out = tmp_path / "corrupt"
    assert train(out, "--steps", "3") == 0
    folder = RunFolder(out)
    checkpoint = folder.latest_checkpoint()
    checkpoint.write_bytes(checkpoint.read_bytes()[:100])
    files_before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert train(out, "--resume") == 2
    assert "truncated or corrupted" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == files_before


def test_ctrl_c_checkpoints_after_the_current_step_and_resumes_exactly(tmp_path, tiny_run, monkeypatch):
    import os
    import signal

    from scratchgen.train.gan import DCGAN
    original_step = DCGAN.train_step

    def interrupted_at_step_4(self, batch, step):
        if step == 4:
            os.kill(os.getpid(), signal.SIGINT)  # as if the user pressed Ctrl-C mid-step
        return original_step(self, batch, step)

    out = tmp_path / "interrupted"
    monkeypatch.setattr(DCGAN, "train_step", interrupted_at_step_4)
    assert train(out) == 130
    assert RunFolder(out).latest_checkpoint().name == "step-000004.ckpt"
    monkeypatch.setattr(DCGAN, "train_step", original_step)
    assert train(out, "--resume") == 0
    assert losses(out) == losses(tiny_run)


def test_model_size_flags_reach_the_config_and_channels_must_match_the_data(tmp_path, capsys):
    out = tmp_path / "sized"
    assert main(["train", "dcgan", "--out", str(out), "--steps", "1", "--batch-size", "4", "--quiet",
                 "--image-size", "64", "--feature-dim", "2", "--latent-dim", "3", "--channels", "1"]) == 0
    config = json.loads((out / "config.json").read_text())
    assert (config["image_size"], config["feature_dim"], config["latent_dim"], config["channels"]) == (64, 2, 3, 1)
    capsys.readouterr()
    assert main(["train", "dcgan", "--out", str(tmp_path / "rgb"), *TINY, "--channels", "3"]) == 2
    assert "mnist has 1 channel(s), but channels=3" in capsys.readouterr().err
