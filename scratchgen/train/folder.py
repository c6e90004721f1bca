"""A run folder: everything one training run writes, in one place.

    runs/NAME/
        config.json        the full configuration (model, data, steps, seed, ...)
        log.jsonl          one JSON object per logged step
        checkpoints/       step-000500.ckpt, ... (autograd.save: atomic, no pickle)
        samples/           step-000500.png, ..., final.png, and each model's pictures
        loss.png           the loss curves

Every file is written atomically or appended whole, so an interrupted run leaves at
most a torn last line in log.jsonl, which resuming drops with a warning.  A damaged
file is reported with its path, and ``--force`` removes only the files above (the
project's own), nothing a user put beside them.
"""
import json
import os
import pathlib
import re
import warnings

import autograd as torch
from autograd.serialization import CheckpointError

CHECKPOINT_NAME = re.compile(r"^step-(\d+)\.ckpt$")
SAMPLE_FILES = ("*.png", "*.json")   # what the run and the families write into samples/


class RunFolderError(ValueError):
    """A run folder that cannot be used as asked; the message names the file."""


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

    def check_writable(self, force=False):
        """Raise before anything is written if this folder cannot take a new run."""
        if str(self.path) in ("", "."):
            raise RunFolderError("the run folder must be named (--out)")
        if self.path.exists() and not self.path.is_dir():
            raise RunFolderError(f"{self.path} exists and is not a folder")
        if self.is_used() and not force:
            raise RunFolderError(f"{self.path} already holds a run; pass --resume to continue it "
                                 "or --force to start over in it")
        for part in [self.checkpoints, self.samples]:
            if part.exists() and not part.is_dir():
                raise RunFolderError(f"{part} exists and is not a folder")
        existing = next((p for p in [self.path, *self.path.parents] if p.exists()), None)
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            raise RunFolderError(f"{existing} is not writable, so the run folder cannot be made there")

    def create(self, force=False):
        """Make the folder; an existing run is only replaced with ``force``, which removes
        the project's own files and leaves anything else."""
        self.check_writable(force)
        if force and self.path.exists():
            for old in self.project_files():
                old.unlink()
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        self.samples.mkdir(parents=True, exist_ok=True)

    def project_files(self):
        """The files a run writes here: what ``--force`` may remove."""
        files = [p for p in (self.log_path, self.config_path, self.loss_plot) if p.is_file()]
        if self.checkpoints.is_dir():
            files += [p for p in self.checkpoints.iterdir()
                      if p.is_file() and CHECKPOINT_NAME.match(p.name)]
        if self.samples.is_dir():
            files += [p for pattern in SAMPLE_FILES for p in self.samples.glob(pattern) if p.is_file()]
        return files

    # -- configuration ------------------------------------------------------
    def write_config(self, config):
        _write_text_atomically(self.config_path, json.dumps(config, indent=2, sort_keys=True) + "\n")

    def read_config(self):
        if not self.path.is_dir():
            raise FileNotFoundError(f"{self.path} is not a run folder")
        if not self.config_path.is_file():
            raise FileNotFoundError(f"{self.path} is not a run folder: it has no config.json")
        try:
            config = json.loads(self.config_path.read_text())
        except (ValueError, RecursionError) as err:
            raise RunFolderError(f"{self.config_path} is not valid JSON ({type(err).__name__})") from None
        if not isinstance(config, dict):
            raise RunFolderError(f"{self.config_path} does not hold a configuration (a JSON object)")
        return config

    # -- log ----------------------------------------------------------------
    def append_log(self, record):
        with open(self.log_path, "a") as log:
            log.write(json.dumps(record) + "\n")

    def read_log(self):
        """The records, each a dict with an int ``step``.  A torn last line (a kill
        during an append) is dropped with a warning; any other damage is an error."""
        if not self.log_path.exists():
            return []
        text = self.log_path.read_text(errors="replace")
        lines = text.split("\n")
        torn = lines[-1] != ""                     # the last write did not finish its line
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = _log_record(line)
            if record is None:
                if torn and number == len(lines):
                    warnings.warn(f"{self.log_path}: dropping the torn last line (line {number}), "
                                  "left by an interrupted write", stacklevel=2)
                    continue
                raise RunFolderError(f"{self.log_path}: line {number} is not a log record "
                                     "(a JSON object with an integer 'step')")
            records.append(record)
        return records

    def truncate_log(self, last_step):
        """Keep only records up to ``last_step`` (a resumed run logs the later ones again)."""
        kept = [r for r in self.read_log() if r["step"] <= last_step]
        _write_text_atomically(self.log_path, "".join(json.dumps(r) + "\n" for r in kept))

    # -- checkpoints --------------------------------------------------------
    def checkpoint_path(self, step):
        return self.checkpoints / f"step-{step:06d}.ckpt"

    def numbered_checkpoints(self):
        """(step, path) of every checkpoint file, in the order of their steps."""
        if not self.checkpoints.is_dir():
            return []
        found = [(int(m.group(1)), p) for p in self.checkpoints.iterdir()
                 if (m := CHECKPOINT_NAME.match(p.name))]
        return sorted(found)

    def latest_checkpoint(self):
        found = self.numbered_checkpoints()
        if not found:
            raise FileNotFoundError(f"{self.path} has no checkpoint in {self.checkpoints}")
        return found[-1][1]

    def load_latest_checkpoint(self):
        """(step its name says, the loaded state) of the latest checkpoint."""
        path = self.latest_checkpoint()
        state = torch.load(path)
        if not isinstance(state, dict):
            raise CheckpointError(f"{path} does not hold a training checkpoint (a dict)")
        return int(CHECKPOINT_NAME.match(path.name).group(1)), path, state

    def save_checkpoint(self, step, state, keep=3):
        torch.save(state, self.checkpoint_path(step))
        for _, old in self.numbered_checkpoints()[:-keep]:   # by step number, not by name
            old.unlink()


def _log_record(line):
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    step = record.get("step") if isinstance(record, dict) else None
    if isinstance(step, bool) or not isinstance(step, int):
        return None
    return record


def _write_text_atomically(path, text):
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
