"""One training run: data, the step loop, logging, samples, checkpoints, resuming.

The loop is the same for every model family (see ``family.py``)::

    for step in 1..steps:
        losses = family.train_step(next batch, step)
        every log_every steps:        a line in log.jsonl (and the progress bar)
        every sample_every steps:     samples/step-N.png
        every checkpoint_every steps: checkpoints/step-N.ckpt

A checkpoint holds the models, the optimisers, the step, the random generator
state and the data loader's position, so ``--resume`` continues exactly where
the run stopped: an interrupted and resumed run logs the same losses as one
that was never interrupted.  Ctrl-C lets the current step finish, writes a
checkpoint, then stops.
"""
import signal
import threading
import time

import numpy
from tqdm import tqdm

import autograd as torch
from autograd import backend

from .. import viz
from ..data import DATASETS, DataLoader, canonical_name, load_dataset
from . import settings
from .folder import RunFolder
from .registry import family_class
from .settings import SettingError

RUN_DEFAULTS = {"data": "mnist", "steps": 1000, "batch_size": 64, "seed": 0, "device": "cpu",
                "log_every": 10, "sample_every": 500, "checkpoint_every": 500, "data_dir": None,
                "channels": None}  # channels: taken from the data; a value given must match it


def resolve_device(device):
    if device == "auto":
        return "cuda" if torch.cuda_is_available() else "cpu"
    return backend.normalize_device(device)


def make_config(model, overrides):
    """Run defaults, then the family's, then what the user asked for (None = not given),
    every value asked for parsed and checked by the settings schema."""
    family = family_class(model)
    if "model" in overrides:
        raise SettingError("model", "the model is the command's first argument, not a setting")
    config = {"model": model, **RUN_DEFAULTS, **family.defaults}
    unknown = sorted(k for k in overrides if k not in config)
    if unknown:
        raise ValueError(f"{model}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(config))}")
    schema = settings.schema(family)
    config.update({k: schema[k].value(k, v) for k, v in overrides.items() if v is not None})
    canonical_name(config["data"])   # an unknown data set is refused here, with the known ones
    return config


def checked_config(config, where):
    """A stored configuration (config.json, a checkpoint's) checked whole by the schema."""
    if not isinstance(config, dict) or not isinstance(config.get("model"), str):
        raise ValueError(f"{where} holds no configuration with a model name")
    family = family_class(config["model"])
    schema = settings.schema(family)
    expected = set(schema) | {"model"}
    if set(config) != expected:
        extra, missing = sorted(set(config) - expected), sorted(expected - set(config))
        raise ValueError(f"{where}: the configuration of {config['model']} has unknown setting(s) "
                         f"{extra} and lacks {missing}")
    try:
        return {"model": config["model"], **{k: schema[k].value(k, config[k]) for k in schema}}
    except SettingError as err:
        raise ValueError(f"{where}: {err}") from None


def config_differences(stored, requested):
    """Keys whose values differ between a stored run and a resume request (those that
    may change on resume aside)."""
    schema = settings.schema(family_class(stored["model"]))
    return sorted(k for k, v in requested.items()
                  if not (k in schema and schema[k].resumable) and k in stored and stored[k] != v)


class TrainingRun:
    def __init__(self, folder, config, family, loader):
        self.folder, self.config, self.family, self.loader = folder, config, family, loader
        self.step = 0

    def checkpoint_state(self):
        return {"family": self.family.state_dict(), "step": self.step,
                "rng": torch.get_rng_state(), "loader": self.loader.state_dict(),
                "config": self.config}

    def restore(self, state):
        """Continue from a checkpoint's state, every part checked before any is applied."""
        self.check_state(state)
        self.family.load_state_dict(state["family"])
        self.loader.load_state_dict(state["loader"])
        torch.set_rng_state(state["rng"])
        self.step = state["step"]

    def check_state(self, state):
        expected = {"family", "step", "rng", "loader", "config"}
        if set(state) != expected:
            raise ValueError(f"a training checkpoint holds {sorted(expected)}, this one "
                             f"{sorted(map(str, state))}")
        self.family.check_state_dict(state["family"])
        self.loader.check_state_dict(state["loader"])
        backend.check_rng_state(state["rng"])

    def save_checkpoint(self):
        self.folder.save_checkpoint(self.step, self.checkpoint_state())

    def save_samples(self, name):
        samples = self.family.sample_in_eval_mode(64)
        if samples.ndim == 4:
            viz.save_image_grid(samples, self.folder.samples / f"{name}.png")
        else:
            viz.scatter_2d(self.folder.samples / f"{name}.png", samples=samples)

    def loop(self, progress=True):
        c = self.config
        self.family.show_progress = progress   # for the family's own slow loops (PixelCNN sampling)
        bar = tqdm(total=c["steps"], initial=self.step, disable=not progress, desc=c["model"])
        batches = self.loader.batches()
        started, images_seen = time.perf_counter(), 0
        with _StopRequest() as stop:
            while self.step < c["steps"]:
                batch = next(batches)
                self.step += 1
                losses = self.family.train_step(batch, self.step)
                images_seen += batch.shape[0]
                if self.step % c["log_every"] == 0 or self.step == c["steps"]:
                    rate = images_seen / (time.perf_counter() - started)
                    self.folder.append_log({"step": self.step, **losses, "images_per_s": round(rate, 1)})
                    bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()} | {"img/s": f"{rate:.0f}"})
                if self.step % c["sample_every"] == 0:
                    self.save_samples(f"step-{self.step:06d}")
                if self.step % c["checkpoint_every"] == 0:
                    self.save_checkpoint()
                bar.update(1)
                if stop.requested:  # Ctrl-C: the step just finished is the last one
                    bar.close()
                    self.save_checkpoint()
                    print(f"\ninterrupted: checkpoint saved at step {self.step}; continue with --resume")
                    raise KeyboardInterrupt
        bar.close()
        self.finish()

    def finish(self):
        self.save_checkpoint()
        self.save_samples("final")
        self.family.save_pictures_in_eval_mode(self.folder.samples)
        records = self.folder.read_log()
        if records:
            viz.plot_losses(records, self.folder.loss_plot)


def dataset_kind(name):
    return DATASETS[canonical_name(name)].kind


def _accepted_kinds(family_type):
    """A family's ``data_kind``, "image" or "toy", or a tuple of both (a flow models either)."""
    kind = family_type.data_kind
    return kind if isinstance(kind, tuple) else (kind,)


class _StopRequest:
    """Turns Ctrl-C (SIGINT) into a request that the loop honours between steps, so that
    the checkpoint it writes is the state after a whole step and resuming stays exact."""

    def __enter__(self):
        self.requested = False
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._request)
        return self

    def _request(self, signum, frame):
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def _prepare_data(family_type, config, split):
    # emoji come at 32 or 64 pixels, so load them at the model's size; MNIST-like sets are
    # 28 x 28 and the family pads them
    native_size = config.get("image_size") if canonical_name(config["data"]) == "emoji" else None
    data, _ = load_dataset(config["data"], split, data_dir=config["data_dir"], size=native_size)
    return family_type.prepare(data, config)


def _data_channels(train_data, config):
    channels = int(train_data.shape[1]) if train_data.ndim == 4 else 0
    if config.get("channels") not in (None, channels):
        raise ValueError(f"{config['data']} has {channels} channel(s), but channels={config['channels']} "
                         f"was asked for")
    return channels


def build_run(model, overrides, out, resume=False, force=False):
    """Everything a run needs, restored from its last checkpoint when resuming.
    Nothing in the folder changes until the configuration and checkpoint are known good."""
    folder = RunFolder(out)
    if resume:
        config, state = _resumed_config(folder, model, overrides)
    else:
        config, state = make_config(model, overrides), None
        folder.check_writable(force)

    family_type = family_class(config["model"])
    kinds = _accepted_kinds(family_type)
    if dataset_kind(config["data"]) not in kinds:
        raise ValueError(f"{config['model']} trains on {' or '.join(kinds)} data, but "
                         f"{config['data']!r} is {dataset_kind(config['data'])} data")
    torch.manual_seed(config["seed"])
    device = resolve_device(config["device"])
    train_data = _prepare_data(family_type, config, "train")
    config["channels"] = _data_channels(train_data, config)
    family = family_type(config, device)
    loader = DataLoader(train_data, config["batch_size"], shuffle=True, drop_last=True,
                        seed=config["seed"], device=device)
    run = TrainingRun(folder, config, family, loader)
    if state is not None:
        run.restore(state)
        folder.truncate_log(run.step)
        folder.write_config(config)
    else:
        folder.create(force=force)
        folder.write_config(config)
    return run


def _resumed_config(folder, model, overrides):
    """The configuration to continue with, and the checkpoint's state.

    The checkpoint's own configuration is what the run was trained with: config.json
    must agree with it (an edited config.json is refused, not trusted), and of what
    is asked for now only the settings that may change on resume may differ."""
    stored_json = folder.read_config()
    step, path, state = folder.load_latest_checkpoint()
    if state.get("step") != step or isinstance(state.get("step"), bool):
        raise ValueError(f"{path}: its name says step {step}, but it holds step "
                         f"{state.get('step')!r:.40} (a damaged or edited checkpoint)")
    config = checked_config(state.get("config"), f"{path}")
    schema = settings.schema(family_class(config["model"]))
    edited = sorted(k for k in set(config) | set(stored_json)
                    if not (k in schema and schema[k].resumable) and stored_json.get(k) != config.get(k))
    if edited:
        details = "; ".join(f"{k}: config.json has {stored_json.get(k)!r}, the checkpoint "
                            f"{config.get(k)!r}" for k in edited)
        raise ValueError(f"cannot resume {folder.path}: {folder.config_path} differs from the "
                         f"configuration its checkpoint was trained with ({details})")
    requested = make_config(model, overrides)
    given = {k: requested[k] for k, v in overrides.items() if v is not None}
    differing = config_differences(config, {**given, "model": model})
    if differing:
        details = "; ".join(f"{k}: run has {config[k]!r}, asked for {requested[k]!r}" for k in differing)
        raise ValueError(f"cannot resume {folder.path}: the configuration differs ({details})")
    return {**config, **{k: v for k, v in given.items() if schema[k].resumable}}, state


def train(model, overrides, out, resume=False, force=False, progress=True):
    run = build_run(model, overrides, out, resume, force)
    run.loop(progress)
    return run


def load_run(path, device="cpu", overrides=None):
    """The family of a finished (or checkpointed) run, with its latest weights.

    overrides: settings to use instead of the run's own, for evaluating or sampling it
    another way (``{"ddim_eta": 1.0}``); a key the run does not have is refused, and
    every value is checked by the settings schema."""
    folder = RunFolder(path)
    folder.read_config()
    _, checkpoint, state = folder.load_latest_checkpoint()
    config = checked_config(state.get("config"), f"{checkpoint}")
    schema = settings.schema(family_class(config["model"]))
    unknown = sorted(set(overrides or {}) - set(schema))
    if unknown:
        raise ValueError(f"{path}: the run has no setting(s) {', '.join(unknown)}; "
                         f"it has: {', '.join(sorted(schema))}")
    config.update({k: schema[k].value(k, v) for k, v in (overrides or {}).items()})
    family = family_class(config["model"])(config, resolve_device(device))
    family.load_state_dict(state["family"])
    return family, config, state["step"]


def evaluate_run(path, device="cpu", overrides=None):
    family, config, step = load_run(path, device, overrides)
    torch.manual_seed(config["seed"] + 1)
    test_data = _prepare_data(type(family), config, "test")
    metrics = family.evaluate(test_data)
    return {"run": str(path), "model": config["model"], "step": step, **(overrides or {}), **metrics}


def sample_run(path, n, out_path, device="cpu", seed=0, overrides=None):
    family, config, _ = load_run(path, device, overrides)
    torch.manual_seed(seed)
    samples = family.sample_in_eval_mode(n)
    out_path = str(out_path)
    if out_path.endswith(".npz"):
        numpy.savez(out_path, samples=samples.astype(numpy.float32))
    elif samples.ndim == 4:
        viz.save_image_grid(samples, out_path)
    else:
        viz.scatter_2d(out_path, samples=samples)
    return samples
