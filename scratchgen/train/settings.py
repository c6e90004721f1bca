"""Every setting of a run, with its type and range: one schema for the command line's
flags, ``--set KEY=VALUE``, ``config.json`` and resuming.

A value is checked before anything is written or deleted: ``--set n_critic=0`` or
``--lr inf`` stop the command with one line naming the setting, where they used to
surface as a division by zero in the middle of a run.  Text (from the command line)
is parsed by the setting's kind; values already typed (from config.json, a
checkpoint, or Python) are checked the same way.

Settings that may change when a run is resumed are marked ``resumable``: how long it
runs and how often it logs, not what it is.
"""
import json
import math
from dataclasses import dataclass

MAX_COUNT = 10 ** 9


class SettingError(ValueError):
    """A setting's value that the schema refuses; the message names the setting."""

    def __init__(self, key, problem):
        super().__init__(f"{problem} (setting {key})")
        self.key = key


@dataclass(frozen=True)
class Setting:
    """kind: 'count' (an int in [low, high]), 'number' (a finite float in [low, high],
    ``open_low`` excluding low), 'flag', 'choice' (one of ``choices``), 'text',
    'counts' / 'numbers' (a non-empty list of those)."""
    kind: str
    low: float = None
    high: float = None
    open_low: bool = False
    choices: tuple = ()
    optional: bool = False      # None allowed (the family then picks a value)
    resumable: bool = False

    def describe(self):
        what = {"count": "an integer", "number": "a number", "flag": "true or false",
                "choice": f"one of {', '.join(self.choices)}", "text": "a non-empty text",
                "counts": "a list of integers", "numbers": "a list of numbers"}[self.kind]
        if self.kind in ("count", "counts") and self.low is not None and self.high is not None:
            what += f" from {_plain(self.low)} to {_plain(self.high)}"
        elif self.kind in ("number", "numbers"):
            bounds = []
            if self.low is not None:
                bounds.append(f"{'>' if self.open_low else '>='} {_plain(self.low)}")
            if self.high is not None:
                bounds.append(f"<= {_plain(self.high)}")
            what += (" " + " and ".join(bounds)) if bounds else ""
        return what + (" (or null)" if self.optional else "")

    def value(self, key, given):
        """``given`` (text from the command line, or an already typed value) as this
        setting's type, or SettingError."""
        if given is None or (isinstance(given, str) and given.lower() in ("null", "none")
                             and self.optional):
            if self.optional:
                return None
            raise SettingError(key, f"expected {self.describe()}, got nothing")
        if isinstance(given, str) and self.kind not in ("choice", "text"):
            given = _parsed_text(given)
        if self.kind in ("counts", "numbers"):
            if not isinstance(given, (list, tuple)) or not given:
                raise SettingError(key, f"expected {self.describe()}, got {_shown(given)}")
            single = Setting(self.kind[:-1], self.low, self.high, self.open_low)
            return [single.value(key, item) for item in given]
        return self._scalar(key, given)

    def _scalar(self, key, given):
        problem = f"expected {self.describe()}, got {_shown(given)}"
        if self.kind == "flag":
            if not isinstance(given, bool):
                raise SettingError(key, problem)
            return given
        if self.kind in ("choice", "text"):
            if not isinstance(given, str) or not given or (self.choices and given not in self.choices):
                raise SettingError(key, problem)
            return given
        is_number = isinstance(given, (int, float)) and not isinstance(given, bool)
        if not is_number or not math.isfinite(given):
            raise SettingError(key, problem)
        if self.kind == "count" and isinstance(given, float):
            raise SettingError(key, problem)
        too_low = self.low is not None and (given <= self.low if self.open_low else given < self.low)
        if too_low or (self.high is not None and given > self.high):
            raise SettingError(key, problem)
        return int(given) if self.kind == "count" else float(given)


def _parsed_text(text):
    """Command-line text as JSON where it parses (3, 0.5, true, [1, 2]), else as it is."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _plain(bound):
    """1000000000 rather than 1e+09; 0.5 as it is."""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


def _shown(value):
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def count(low=1, high=MAX_COUNT, **options):
    return Setting("count", low, high, **options)


def number(low=None, high=None, open_low=False, **options):
    return Setting("number", low, high, open_low, **options)


RATE = number(0, 10, open_low=True)             # a learning rate
FRACTION = number(0, 1)
SIZE = count(1, 4096)                           # widths, channels, latent sizes
IMAGE = count(4, 1024)

# The run's own settings, shared by every family
RUN = {
    "data": Setting("text"),
    "data_dir": Setting("text", optional=True, resumable=True),
    "steps": count(resumable=True),
    "batch_size": count(1, 65536),
    "seed": count(0, 2 ** 32 - 1),
    "device": Setting("choice", choices=("auto", "cpu", "cuda"), resumable=True),
    "log_every": count(resumable=True),
    "sample_every": count(resumable=True),
    "checkpoint_every": count(resumable=True),
    "channels": count(0, 4, optional=True),     # 0 for 2-D points
}

# The families' settings, by name; a name means the same thing in every family that has it
FAMILY = {
    "image_size": IMAGE, "latent_dim": SIZE, "feature_dim": SIZE, "code_size": SIZE,
    "width": SIZE, "hidden": SIZE, "output_hidden": SIZE, "base_channels": SIZE,
    "toy_hidden": SIZE, "channel_mults": Setting("counts", 1, 16),
    "lr": RATE, "lr_final": number(0, 1, open_low=True), "decay_fraction": number(0, 1, open_low=True),
    "beta1": number(0, 1), "beta2": number(0, 1), "ema_decay": number(0, 1),
    "n_critic": count(1, 100), "clip": number(0, 10, open_low=True), "gp_weight": number(0, 1e6),
    "arch": Setting("choice", choices=("mlp", "conv", "linear")),
    "likelihood": Setting("choice", choices=("bernoulli", "gaussian")),
    "beta": number(0, 1e6, open_low=True),
    "grad_clip": number(0, 1e9, open_low=True, optional=True), "workers": count(1, 64),   # grad_clip null: none
    "timesteps": count(2, 100_000), "schedule": Setting("choice", choices=("linear", "cosine")),
    "reverse_variance": Setting("choice", choices=("beta", "posterior")),
    "blocks_per_level": count(1, 16), "attention": Setting("flag"),
    "ddim_steps": count(1, 100_000), "ddim_eta": number(0, 1), "clip_denoised": Setting("flag"),
    "ancestral_samples": count(1, 10_000), "eval_samples": count(2, 1_000_000),
    "bound_images": count(1, 1_000_000), "bound_strata": count(1, 100_000),
    "levels": count(1, 8), "blocks": count(0, 64), "first_kernel": count(1, 31),
    "block_kernel": count(1, 31), "completions": count(0, 1000), "layers": count(1, 64),
    "eval_images": count(1, 10 ** 7, optional=True), "eval_seed": count(0, 2 ** 32 - 1),
    "eval_k": count(1, 100_000),
    "coupling": Setting("choice", choices=("affine", "additive")),
    "couplings": count(1, 64), "final_couplings": count(0, 64), "initial_squeeze": Setting("flag"),
    "norm": Setting("flag"), "alpha": number(0, 0.5, open_low=True),
    "toy_couplings": count(1, 64), "mmd_points": count(2, 1_000_000),
    "temperatures": Setting("numbers", 0, 10, open_low=True),
}


def schema(family_type):
    """{key: Setting} for every key a run of ``family_type`` has."""
    keys = dict(RUN)
    for key, default in family_type.defaults.items():
        if key in RUN:
            continue
        if key not in FAMILY:
            raise KeyError(f"{family_type.name}: setting {key!r} has no entry in settings.FAMILY")
        setting = FAMILY[key]
        if setting.kind == "count" and isinstance(default, list):   # ae's hidden: one width per layer
            setting = Setting("counts", setting.low, setting.high)
        if default is None and not setting.optional:                # dcgan's lr: None picks one
            setting = Setting(setting.kind, setting.low, setting.high, setting.open_low,
                              setting.choices, optional=True, resumable=setting.resumable)
        keys[key] = setting
    return keys
