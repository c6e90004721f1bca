"""What a model family plugs into the training run.

A family (DCGAN, VAE, DDPM, ...) says how to build its networks and optimisers
from a config, how to turn a data batch into losses and an update, and how to
sample.  Everything else (data, logging, checkpoints, resuming, the command
line) is shared and lives in ``run.py``.
"""
import numpy

from autograd import no_grad


class ModelFamily:
    """Subclass this; set ``name``, ``description`` and ``defaults``, and write the
    methods marked as required."""
    name = ""
    description = ""
    data_kind = "image"   # "image" or "toy": which data sets the family accepts
    defaults = {}         # every config key the family reads, with its default value
    show_progress = True  # progress bars in long loops of the family's own; --quiet clears it

    def __init__(self, config, device):
        self.config, self.device = config, device
        self.modules = {}       # name -> nn.Module, saved in checkpoints
        self.optimizers = {}    # name -> Optimizer, saved in checkpoints
        self.build()

    # -- required ---------------------------------------------------------
    def build(self):
        """Create self.modules and self.optimizers from self.config."""
        raise NotImplementedError

    @classmethod
    def prepare(cls, images, config):
        """uint8 images (N, C, H, W) (or toy points) -> the float32 array the model trains on."""
        raise NotImplementedError

    def train_step(self, batch, step):
        """One update on ``batch`` (a Tensor); returns a dict of float losses."""
        raise NotImplementedError

    def sample(self, n):
        """n samples as a NumPy array: images (n, C, H, W) in [0, 1], or points (n, 2)."""
        raise NotImplementedError

    # -- optional ---------------------------------------------------------
    def batch_workers(self):
        """How many processes share each batch (``autograd.nn.parallel``): the ``workers``
        setting on a CPU, one on a GPU (one device that runs the whole batch at once).
        Families whose layers are too small for BLAS's threads use it: their second core
        only helps by taking half the batch."""
        c = self.config
        if self.device != "cpu":
            return 1
        if c["workers"] < 1 or c["batch_size"] % c["workers"]:
            raise ValueError(f"{self.name}: workers must be at least 1 and divide batch_size "
                             f"({c['batch_size']}), got {c['workers']}")
        return c["workers"]

    def evaluate(self, test_data):
        """Metrics on held-out data (prepared by ``prepare``); a dict of numbers."""
        return {}

    def save_pictures(self, folder):
        """At the end of a run, pictures beyond the sample grid (interpolations, ...) into
        ``folder``; called with every module in eval mode and no graph."""

    def save_pictures_in_eval_mode(self, folder):
        self.train(False)
        try:
            with no_grad():
                self.save_pictures(folder)
        finally:
            self.train(True)

    # -- shared -----------------------------------------------------------
    def state_dict(self):
        return {"modules": {k: m.state_dict() for k, m in self.modules.items()},
                "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()}}

    def load_state_dict(self, state):
        """Every module and optimizer is checked before the first is changed."""
        self.check_state_dict(state)
        for name, module in self.modules.items():
            module.load_state_dict(state["modules"][name])
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])

    def check_state_dict(self, state):
        """Raise ValueError naming the problem unless ``state`` fits this family exactly."""
        # a checkpoint may hold more than this configuration uses (sampling a GAN with
        # ema_decay=0 needs no weight average), never less
        expected = {"modules": sorted(self.modules), "optimizers": sorted(self.optimizers)}
        if not isinstance(state, dict) or set(state) != set(expected) or any(
                not isinstance(state[part], dict) or not set(names) <= set(state[part])
                for part, names in expected.items()):
            raise ValueError(f"{self.name}: the checkpoint does not hold this model's parts "
                             f"(expected modules {expected['modules']} and optimizers "
                             f"{expected['optimizers']}); it was written by another model")
        for name, module in self.modules.items():
            try:
                module.check_state_dict(state["modules"][name])
            except RuntimeError as err:
                raise ValueError(f"{self.name}, module {name!r}: {err}") from None
        for name, optimizer in self.optimizers.items():
            try:
                optimizer.check_state_dict(state["optimizers"][name])
            except (ValueError, TypeError) as err:
                raise ValueError(f"{self.name}, optimizer {name!r}: {err}") from None

    def train(self, mode=True):
        for module in self.modules.values():
            module.train(mode)

    def sample_in_eval_mode(self, n, batch_size=256):
        """Samples with every module in eval mode and no graph, in batches."""
        self.train(False)
        try:
            with no_grad():
                parts = [self.sample(min(batch_size, n - start)) for start in range(0, n, batch_size)]
        finally:
            self.train(True)
        return numpy.concatenate(parts)
