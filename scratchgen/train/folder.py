"""A run folder: everything one training run writes, in one place.

    runs/NAME/
        config.json        the full configuration (model, data, steps, seed, ...)
        log.jsonl          one JSON object per logged step
        checkpoints/       step-000500.ckpt, ... (autograd.save: atomic, no pickle)
        samples/           step-000500.png, ..., final.png
        loss.png           the loss curves
"""
import json
import os
import pathlib
import re

import autograd

CHECKPOINT_NAME = re.compile(r"step-(\d+)\.ckpt$")


class RunFolder:
    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.config_path = self.path / "config.json"
        self.log_path = self.path / "log.jsonl"
        self.checkpoints = self.path / "checkpoints"
        self.samples = self.path / "samples"
        self.loss_plot = self.path / "loss.png"

    def is_used(self):
        return self.path.exists() and any(self.path.iterdir())

    def create(self, force=False):
        """Make the folder; an existing run is only replaced with ``force``."""
        if self.is_used() and not force:
            raise FileExistsError(f"{self.path} already holds a run; pass --resume to continue it "
                                  "or --force to start over in it")
        if force and self.path.exists():
            for old in (self.log_path, self.config_path, self.loss_plot):
                old.unlink(missing_ok=True)
            for folder in (self.checkpoints, self.samples):
                for old in folder.glob("*"):
                    old.unlink()
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        self.samples.mkdir(parents=True, exist_ok=True)

    # -- configuration ------------------------------------------------------
    def write_config(self, config):
        _write_text_atomically(self.config_path, json.dumps(config, indent=2, sort_keys=True) + "\n")

    def read_config(self):
        if not self.config_path.exists():
            raise FileNotFoundError(f"{self.path} is not a run folder: it has no config.json")
        return json.loads(self.config_path.read_text())

    # -- log ----------------------------------------------------------------
    def append_log(self, record):
        with open(self.log_path, "a") as log:
            log.write(json.dumps(record) + "\n")

    def read_log(self):
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]

    def truncate_log(self, last_step):
        """Keep only records up to ``last_step`` (a resumed run logs the later ones again)."""
        kept = [r for r in self.read_log() if r["step"] <= last_step]
        _write_text_atomically(self.log_path, "".join(json.dumps(r) + "\n" for r in kept))

    # -- checkpoints --------------------------------------------------------
    def checkpoint_path(self, step):
        return self.checkpoints / f"step-{step:06d}.ckpt"

    def latest_checkpoint(self):
        found = [(int(m.group(1)), p) for p in self.checkpoints.glob("step-*.ckpt")
                 if (m := CHECKPOINT_NAME.search(p.name))]
        if not found:
            raise FileNotFoundError(f"{self.path} has no checkpoint in {self.checkpoints}")
        return max(found)[1]

    def save_checkpoint(self, step, state, keep=3):
        autograd.save(state, self.checkpoint_path(step))
        old = sorted(self.checkpoints.glob("step-*.ckpt"))[:-keep]
        for path in old:
            path.unlink()


def _write_text_atomically(path, text):
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
