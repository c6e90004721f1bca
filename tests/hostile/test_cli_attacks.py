"""The command line under attack (issue [2 of 7]): random bad values for every flag and
every ``--set`` key, damaged run files and odd paths.  Every attack must end with exit
status 2, exactly one line on stderr (``scratchgen <command>: ...``), no traceback, and
the run folder byte for byte as it was (or, for a new run, not created at all)."""
import json
import math
import os
import pathlib
import shutil
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratchgen.cli import main
from scratchgen.train import settings as schema_module
from scratchgen.train.gan import DCGAN

TINY = ["--batch-size", "8", "--log-every", "1", "--sample-every", "2", "--checkpoint-every", "2",
        "--quiet", "--set", "feature_dim=4", "--set", "latent_dim=8"]
SCHEMA = schema_module.schema(DCGAN)
FLAGS = {"--steps": "steps", "--batch-size": "batch_size", "--lr": "lr", "--seed": "seed",
         "--log-every": "log_every", "--sample-every": "sample_every",
         "--checkpoint-every": "checkpoint_every", "--image-size": "image_size",
         "--channels": "channels", "--latent-dim": "latent_dim", "--feature-dim": "feature_dim"}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile") / "run"
    assert main(["train", "dcgan", "--out", str(out), "--steps", "4", *TINY]) == 0
    return out


@pytest.fixture
def run_copy(finished_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(finished_run, copy)
    return copy


def snapshot(folder):
    folder = pathlib.Path(folder)
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def refused(argv, capsys):
    """Run the command line; return its stderr after checking it refused in one line."""
    capsys.readouterr()
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, f"{argv}: status {status}, stderr {err!r}"
    assert err.count("\n") == 1 and err.startswith("scratchgen "), f"{argv}: {err!r}"
    assert "Traceback" not in err
    return err


# ----------------------------------------------------------------------------
# Random bad values, by the kind of the setting
# ----------------------------------------------------------------------------
WORDS = st.text(alphabet=string.ascii_letters + "_-/ äé", min_size=1, max_size=12).filter(
    lambda t: t.strip().lower() not in ("null", "none", "true", "false", "nan", "infinity", "inf", ""))


def bad_text(setting):
    """Text that the setting must refuse (it becomes the argument of a flag or of --set)."""
    if setting.kind == "count":
        low = int(setting.low)
        return st.one_of(st.integers(-10 ** 12, low - 1).map(str),
                         st.integers(int(setting.high) + 1, 10 ** 15).map(str),
                         st.floats(allow_nan=True).filter(lambda f: not (math.isfinite(f) and f.is_integer()))
                         .map(repr).map(lambda t: t.replace("nan", "NaN").replace("inf", "Infinity")),
                         WORDS, st.just("true"), st.just("[1]"), st.just('{"a": 1}'))
    if setting.kind == "number":
        outside = st.floats(allow_nan=False, allow_infinity=False).filter(
            lambda f: (setting.low is not None and (f < setting.low or (setting.open_low and f == setting.low)))
            or (setting.high is not None and f > setting.high))
        return st.one_of(outside.map(repr), st.sampled_from(["NaN", "Infinity", "-Infinity", "true", "[0.5]"]),
                         WORDS)
    if setting.kind == "choice":
        return WORDS.filter(lambda t: t not in setting.choices)
    if setting.kind == "flag":
        return st.one_of(st.integers().map(str), WORDS)
    return st.one_of(WORDS, st.just("[]"), st.just("[0]"), st.just("[-1, 2]"))   # lists


SETTABLE = sorted(key for key in SCHEMA if key not in ("data", "data_dir"))


@st.composite
def bad_argument(draw):
    """(command-line arguments carrying one bad value, the setting it is for)."""
    if draw(st.booleans()):
        flag = draw(st.sampled_from(sorted(FLAGS)))
        key = FLAGS[flag]
        return [f"{flag}={draw(bad_text(SCHEMA[key]))}"], key   # = form: a value may start with '-' 
    key = draw(st.sampled_from(SETTABLE))
    return ["--set", f"{key}={draw(bad_text(SCHEMA[key]))}"], key


def without(key, arguments):
    """TINY without its own value for ``key`` (so the bad value is the only one)."""
    flag = {v: k for k, v in FLAGS.items()}.get(key)
    kept, skip = [], False
    for i, a in enumerate(arguments):
        if skip:
            skip = False
            continue
        if a == flag or (a == "--set" and arguments[i + 1].startswith(f"{key}=")):
            skip = True
            continue
        kept.append(a)
    return kept


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attack=bad_argument())
def test_a_bad_value_for_a_new_run_is_refused_before_anything_is_written(attack, tmp_path, capsys):
    arguments, key = attack
    out = tmp_path / f"new-{abs(hash(tuple(arguments)))}"
    err = refused(["train", "dcgan", "--out", str(out), *without(key, TINY), *arguments], capsys)
    assert f"(setting {key})" in err
    assert not out.exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attack=bad_argument(), start=st.sampled_from(["--force", "--resume"]))
def test_a_bad_value_never_touches_an_existing_run(attack, start, finished_run, capsys):
    arguments, key = attack
    before = snapshot(finished_run)
    refused(["train", "dcgan", "--out", str(finished_run), *without(key, TINY), start, *arguments], capsys)
    assert snapshot(finished_run) == before


@pytest.mark.parametrize("arguments, message", [
    (["--set", "model=vae"], "the model is the command's first argument"),
    (["--set", "no_such=1"], "unknown setting(s) no_such"),
    (["--set", "steps"], "expected KEY=VALUE"),
    (["--set", "feature_dim=5"], "given twice"),
    (["--steps", "5", "--set", "steps=6"], "given twice"),
    (["--device", "tpu"], "invalid choice"),
    (["--data", "cifar"], "unknown data set 'cifar'"),
    (["--resume", "--force"], "not allowed with argument"),
    (["--no-such-flag"], "unrecognized arguments"),
])
def test_misused_arguments_are_refused_in_one_line(arguments, message, run_copy, capsys):
    before = snapshot(run_copy)
    err = refused(["train", "dcgan", "--out", str(run_copy), *TINY, "--force", *arguments], capsys)
    assert message in err
    assert snapshot(run_copy) == before


def test_sample_and_eval_refuse_bad_values(run_copy, tmp_path, capsys):
    before = snapshot(run_copy)
    for argv, message in [
            (["sample", str(run_copy), "--n", str(10 ** 12)], "must be from 1 to 100000"),
            (["sample", str(run_copy), "--n", "0"], "must be from 1 to 100000"),
            (["sample", str(run_copy), "--seed", "-1"], "must be from 0"),
            (["sample", str(run_copy), "--out", str(tmp_path / "x.txt")], "must end in .png"),
            (["eval", str(run_copy), "--set", "ema_decay=5"], "(setting ema_decay)"),
            (["eval", str(run_copy), "--set", "no_such=1"], "no setting(s) no_such"),
            (["eval", str(tmp_path / "missing")], "is not a run folder"),
            (["eval", str(run_copy / "config.json")], "is not a run folder")]:
        assert message in refused(argv, capsys), argv
    assert snapshot(run_copy) == before


# ----------------------------------------------------------------------------
# Damaged files in the run folder
# ----------------------------------------------------------------------------
def edit_config(folder, change):
    config = json.loads((folder / "config.json").read_text())
    change(config)
    (folder / "config.json").write_text(json.dumps(config))


CONFIG_ATTACKS = {
    "changed_setting": (lambda f: edit_config(f, lambda c: c.update(feature_dim=8)),
                        "config.json differs from the configuration its checkpoint was trained with"),
    "beta_and_lr": (lambda f: edit_config(f, lambda c: c.update(beta1=0.9, lr=0.1)), "beta1"),
    "not_json": (lambda f: (f / "config.json").write_text("{broken"), "config.json is not valid JSON"),
    "not_an_object": (lambda f: (f / "config.json").write_text("[1, 2]"), "does not hold a configuration"),
    "deep": (lambda f: (f / "config.json").write_text("[" * 100000 + "]" * 100000), "config.json"),
    "missing": (lambda f: (f / "config.json").unlink(), "has no config.json"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_ATTACKS))
def test_a_damaged_or_edited_config_stops_resume_without_change(name, run_copy, capsys):
    damage, message = CONFIG_ATTACKS[name]
    damage(run_copy)
    before = snapshot(run_copy)
    assert message in refused(["train", "dcgan", "--out", str(run_copy), "--resume", "--quiet"], capsys)
    assert snapshot(run_copy) == before


LOG_ATTACKS = {
    "garbage_line": ("garbage\n{\"step\": 9}\n", "line 5 is not a log record"),
    "record_without_step": ('{"loss": 1.0}\n', "line 5 is not a log record"),
    "step_as_text": ('{"step": "3"}\n', "line 5 is not a log record"),
}


@pytest.mark.parametrize("name", sorted(LOG_ATTACKS))
def test_a_damaged_log_stops_resume_naming_the_file_and_line(name, run_copy, capsys):
    text, message = LOG_ATTACKS[name]
    with open(run_copy / "log.jsonl", "a") as log:
        log.write(text)
    before = snapshot(run_copy)
    err = refused(["train", "dcgan", "--out", str(run_copy), "--resume", "--quiet"], capsys)
    assert "log.jsonl" in err and message in err
    assert snapshot(run_copy) == before


def test_a_torn_last_log_line_is_dropped_with_a_warning_and_the_run_resumes(run_copy, capsys):
    with open(run_copy / "log.jsonl", "a") as log:
        log.write('{"step": 5, "loss')              # what a kill during an append leaves
    capsys.readouterr()
    with pytest.warns(UserWarning, match="log.jsonl: dropping the torn last line"):
        assert main(["train", "dcgan", "--out", str(run_copy), "--resume", "--steps", "6", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    import warnings      # what the command line prints for a warning: one line, like its errors
    assert warnings.formatwarning("m", UserWarning, "f.py", 1) == "scratchgen train: warning: m\n"
    steps = [json.loads(line)["step"] for line in (run_copy / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]


def latest(folder):
    return sorted((folder / "checkpoints").iterdir())[-1]


CHECKPOINT_ATTACKS = {
    "truncated": (lambda f: latest(f).write_bytes(latest(f).read_bytes()[:300]), "step-000004.ckpt"),
    "emptied": (lambda f: latest(f).write_bytes(b""), "step-000004.ckpt"),
    "directory": (lambda f: (f / "checkpoints" / "step-000009.ckpt").mkdir(), "is a directory"),
    "fifo": (lambda f: os.mkfifo(f / "checkpoints" / "step-000009.ckpt"), "not a regular file"),
    "wrong_step": (lambda f: shutil.copy(latest(f), f / "checkpoints" / "step-000009.ckpt"),
                   "its name says step 9, but it holds step 4"),
    "all_removed": (lambda f: [p.unlink() for p in (f / "checkpoints").iterdir()], "has no checkpoint"),
}


@pytest.mark.parametrize("command", ["resume", "eval", "sample"])
@pytest.mark.parametrize("name", sorted(CHECKPOINT_ATTACKS))
def test_a_damaged_checkpoint_is_one_line_and_changes_nothing(name, command, run_copy, tmp_path, capsys):
    damage, message = CHECKPOINT_ATTACKS[name]
    damage(run_copy)
    before = snapshot(run_copy)
    argv = {"resume": ["train", "dcgan", "--out", str(run_copy), "--resume", "--quiet"],
            "eval": ["eval", str(run_copy)],
            "sample": ["sample", str(run_copy), "--n", "2", "--out", str(tmp_path / "s.png")]}[command]
    if name == "wrong_step" and command != "resume":
        assert main(argv) == 0          # eval and sample just use the weights; no step is resumed
        return
    assert message in refused(argv, capsys)
    assert snapshot(run_copy) == before


def test_a_checkpoint_of_another_model_is_refused(run_copy, tmp_path, capsys):
    other = tmp_path / "vae"
    assert main(["train", "vae", "--out", str(other), "--steps", "2", "--batch-size", "8",
                 "--checkpoint-every", "2", "--quiet"]) == 0
    shutil.copy(latest(other), run_copy / "checkpoints" / "step-000009.ckpt")
    before = snapshot(run_copy)
    err = refused(["train", "dcgan", "--out", str(run_copy), "--resume", "--quiet"], capsys)
    assert "step-000009.ckpt" in err or "differs" in err
    assert snapshot(run_copy) == before


# ----------------------------------------------------------------------------
# Paths that are files, missing, or not folders
# ----------------------------------------------------------------------------
def test_odd_output_paths_are_refused_in_one_line(run_copy, tmp_path, capsys):
    (tmp_path / "a_file").write_text("hello")
    for out, message in [("", "must be named"), (str(run_copy / "config.json"), "is not a folder"),
                         (str(tmp_path / "a_file"), "is not a folder"),
                         (str(tmp_path / "a_file" / "run"), "a_file")]:
        assert message in refused(["train", "dcgan", "--out", out, "--steps", "2", *TINY], capsys), out
    assert (tmp_path / "a_file").read_text() == "hello"


def test_force_checks_first_and_removes_only_the_projects_files(run_copy, capsys):
    notes = run_copy / "checkpoints" / "my-notes.txt"
    notes.write_text("keep me")
    (run_copy / "samples" / "README.txt").write_text("mine too")
    before = snapshot(run_copy)
    refused(["train", "dcgan", "--out", str(run_copy), *TINY, "--force", "--set", "n_critic=0"], capsys)
    assert snapshot(run_copy) == before
    assert main(["train", "dcgan", "--out", str(run_copy), "--steps", "2", *TINY, "--force"]) == 0
    assert notes.read_text() == "keep me" and (run_copy / "samples" / "README.txt").exists()
    assert sorted(p.name for p in (run_copy / "checkpoints").iterdir()) == ["my-notes.txt", "step-000002.ckpt"]


def test_checkpoints_rotate_by_step_number_not_by_name(run_copy):
    from scratchgen.train.folder import RunFolder
    folder = RunFolder(run_copy)
    state = {"step": 0}
    for step in (999_999, 1_000_000, 1_000_001, 1_000_002):
        folder.save_checkpoint(step, state)
    names = sorted(p.name for p in (run_copy / "checkpoints").iterdir())
    assert names == ["step-1000000.ckpt", "step-1000001.ckpt", "step-1000002.ckpt"]
