"""kill -9 at any moment (issue [2 of 7]): during training and in the middle of saving a
checkpoint.  Resuming then gives the same run as one never interrupted, bit for bit
(the same logged losses), and the next save removes what the killed save left."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

RUN = ["train", "dcgan", "--steps", "12", "--batch-size", "8", "--log-every", "1",
       "--sample-every", "100", "--checkpoint-every", "2", "--quiet",
       "--set", "feature_dim=4", "--set", "latent_dim=8"]

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("kill -9 is POSIX", allow_module_level=True)


def command(out, *extra):
    return [sys.executable, "-m", "scratchgen", *RUN, "--out", str(out), *extra]


def losses(out):
    records = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines() if line.strip()]
    return [{k: v for k, v in r.items() if k != "images_per_s"} for r in records]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("kill") / "reference"
    subprocess.run(command(out), check=True, capture_output=True)
    return losses(out)


def kill_when(process, ready, timeout=60):
    """SIGKILL ``process`` as soon as ``ready()`` holds (or it ends by itself)."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.005)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def finish(out):
    """Resume after a kill (or start over if it died before its first checkpoint)."""
    has_checkpoint = any((out / "checkpoints").glob("step-*.ckpt")) if (out / "checkpoints").exists() else False
    subprocess.run(command(out, "--resume" if has_checkpoint else "--force"), check=True, capture_output=True)


def logged_lines(out):
    path = out / "log.jsonl"
    return path.read_text().count("\n") if path.exists() else 0


@pytest.mark.parametrize("after_lines", [1, 4, 9])
def test_a_run_killed_during_training_resumes_bit_for_bit(after_lines, reference, tmp_path):
    out = tmp_path / "run"
    process = subprocess.Popen(command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(process, lambda: logged_lines(out) >= after_lines)
    finish(out)
    assert losses(out) == reference


SLOW_SAVE = """
import os, sys, time
import safetensors.numpy
real_save = safetensors.numpy.save_file
count = [0]

def save_then_hang(tensors, filename, metadata=None):
    count[0] += 1
    real_save(tensors, filename, metadata=metadata)
    if count[0] == 3:                       # the third checkpoint: hang half-written
        with open(filename, "r+b") as file:
            file.truncate(os.path.getsize(filename) // 2)
        open(os.environ["SAVE_STARTED"], "w").close()
        time.sleep(60)

safetensors.numpy.save_file = save_then_hang
from scratchgen.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_run_killed_mid_save_resumes_and_the_next_save_removes_the_leftover(reference, tmp_path):
    out, started = tmp_path / "run", tmp_path / "started"
    process = subprocess.Popen([sys.executable, "-c", SLOW_SAVE, *RUN, "--out", str(out)],
                               env={**os.environ, "SAVE_STARTED": str(started)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(process, started.exists)
    leftovers = [p.name for p in (out / "checkpoints").iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1                      # the half-written temporary file
    assert sorted(p.name for p in (out / "checkpoints").glob("step-*.ckpt")) == \
        ["step-000002.ckpt", "step-000004.ckpt"]    # the finished ones are whole
    finish(out)
    assert losses(out) == reference
    assert not [p for p in (out / "checkpoints").iterdir() if p.name.endswith(".tmp")]
