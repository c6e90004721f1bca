"""A full DCGAN training step, in autograd and in PyTorch, on the same weights and data.

One step, as the seed's training loop does it: the generator makes a batch of
fakes; the discriminator is trained on the real batch (label 1) and on the
detached fakes (label 0) with binary cross-entropy, then the generator is
trained to make the discriminator say 1 on its fakes.  Both optimisers are
Adam(lr 2e-4, betas (0.5, 0.999)).  Batch 64, two configurations:

* dcgan64: the seed's, 64x64 RGB, latent 100, feature_dim 64;
* dcgan32: 32x32 grey (MNIST-sized), latent 64, feature_dim 32.

The step is written once, ``dcgan_step(m, state)``, and run with m = autograd
on scratchgen's Generator / Discriminator and with m = torch on a twin built by
executing the very same class source with ``nn`` bound to ``torch.nn``.  The
twin's state_dict keys and shapes are checked against autograd's, the weights
are copied over, and the first step's two losses must agree before timing.
The project's target is at most 1.5x PyTorch's time per step.

    python -m benchmarks --only dcgan
    python -m benchmarks.dcgan --profile [--config dcgan32]   # cProfile of autograd's step
"""
import argparse
import functools
import inspect
import math
from dataclasses import dataclass

import numpy

import autograd
from benchmarks.common import Plan, as_numpy, tensor, time_libraries, timing_rows

MAX_RATIO = 1.5
PAUSE = 0.1   # seconds of sleep before each timed batch (see timing.py)
LEARNING_RATE = 2e-4
BETAS = (0.5, 0.999)


@dataclass(frozen=True)
class DCGANConfig:
    name: str
    latent_dim: int
    feature_dim: int
    channels: int
    image_size: int
    batch: int = 64

    @property
    def description(self):
        return (f"{self.image_size}x{self.image_size}x{self.channels}, latent {self.latent_dim}, "
                f"feature_dim {self.feature_dim}, batch {self.batch}")


CONFIGS = [DCGANConfig("dcgan64", 100, 64, 3, 64), DCGANConfig("dcgan32", 64, 32, 1, 32)]
TINY_CONFIG = DCGANConfig("tiny", 8, 4, 1, 32, batch=4)
CONFIGS_BY_NAME = {c.name: c for c in CONFIGS + [TINY_CONFIG]}


# ----------------------------------------------------------------------------
# The models: scratchgen's for autograd, the same source on torch.nn for torch
# ----------------------------------------------------------------------------
def torch_twin_classes(torch):
    """(Generator, Discriminator): scratchgen.models.gan's classes, their source
    executed again with ``nn`` bound to ``torch.nn``."""
    from scratchgen.models import gan
    namespace = {"nn": torch.nn, "math": math, "__name__": "benchmarks.dcgan_torch_twin"}
    for obj in (gan._blocks, gan.dcgan_init_, gan.Generator, gan.Discriminator):
        exec(inspect.getsource(obj), namespace)
    return namespace["Generator"], namespace["Discriminator"]


def model_classes(m):
    if m is autograd:
        from scratchgen.models.gan import Discriminator, Generator
        return Generator, Discriminator
    return torch_twin_classes(m)


def reference_weights(config, seed=0):
    """The starting weights of both models as NumPy state dicts (autograd's init, seeded)."""
    Generator, Discriminator = model_classes(autograd)
    autograd.manual_seed(seed)
    G = Generator(config.latent_dim, config.feature_dim, config.channels, config.image_size)
    D = Discriminator(config.channels, config.feature_dim, config.image_size)
    return ({k: as_numpy(v) for k, v in G.state_dict().items()},
            {k: as_numpy(v) for k, v in D.state_dict().items()})


def load_weights(m, model, weights):
    """Copy NumPy ``weights`` into ``model`` after checking keys and shapes match."""
    own = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    given = [(k, tuple(v.shape)) for k, v in weights.items()]
    if own != given:
        raise RuntimeError(f"{type(model).__name__}: the torch twin's parameters differ from "
                           f"autograd's: {sorted(set(own) ^ set(given))}")
    model.load_state_dict({k: m.tensor(numpy.array(v)) for k, v in weights.items()})


def batch_arrays(config, seed=1):
    """A fixed 'real' batch in [-1, 1] and a fixed batch of latent vectors (float32)."""
    rng = numpy.random.default_rng(seed)
    shape = (config.batch, config.channels, config.image_size, config.image_size)
    real = rng.uniform(-1, 1, shape).astype(numpy.float32)
    z = rng.standard_normal((config.batch, config.latent_dim), dtype=numpy.float32)
    return real, z


@dataclass
class TrainState:
    G: object
    D: object
    opt_G: object
    opt_D: object
    real: object
    z: object
    batch: int
    device: str


def build(m, config, device="cpu", weights=None):
    """Models (with ``weights``, default the reference ones), optimisers and a fixed
    batch for library ``m`` on ``device``."""
    Generator, Discriminator = model_classes(m)
    G = Generator(config.latent_dim, config.feature_dim, config.channels, config.image_size)
    D = Discriminator(config.channels, config.feature_dim, config.image_size)
    g_weights, d_weights = weights or reference_weights(config)
    load_weights(m, G, g_weights)
    load_weights(m, D, d_weights)
    G.to(device)
    D.to(device)
    opt_G = m.optim.Adam(G.parameters(), lr=LEARNING_RATE, betas=BETAS)
    opt_D = m.optim.Adam(D.parameters(), lr=LEARNING_RATE, betas=BETAS)
    real, z = batch_arrays(config)
    return TrainState(G, D, opt_G, opt_D, tensor(m, real, device), tensor(m, z, device),
                      config.batch, device)


# ----------------------------------------------------------------------------
# The step, written once for both libraries
# ----------------------------------------------------------------------------
def dcgan_step(m, s):
    """One DCGAN training step: D on real and detached fake, then G.  Returns
    (loss_D, loss_G) as tensors (no .item(): that would wait for a GPU)."""
    bce = m.nn.functional.binary_cross_entropy
    ones = m.ones(s.batch, device=s.device)
    zeros = m.zeros(s.batch, device=s.device)

    fake = s.G(s.z)
    loss_D = (bce(s.D(s.real), ones) + bce(s.D(fake.detach()), zeros)) / 2
    s.opt_D.zero_grad()
    loss_D.backward()
    s.opt_D.step()

    loss_G = bce(s.D(fake), ones)
    s.opt_G.zero_grad()
    loss_G.backward()
    s.opt_G.step()
    return loss_D, loss_G


def check_first_losses(states, libraries, rtol=2e-3):
    """Run one step per library; the losses must agree.  Returns {library: (loss_D, loss_G)}."""
    losses = {name: tuple(float(as_numpy(l)) for l in dcgan_step(libraries[name], s))
              for name, s in states.items()}
    if "torch" in losses:
        for i, what in enumerate(("loss_D", "loss_G")):
            ours, theirs = losses["autograd"][i], losses["torch"][i]
            if not math.isclose(ours, theirs, rel_tol=rtol, abs_tol=1e-5):
                raise RuntimeError(f"DCGAN: the first step's {what} differs between libraries: "
                                   f"{losses}")
    return losses


def plan_for(context, config):
    if context.tiny:
        return Plan(rounds=1, batch_seconds=0.0, warmup_seconds=0.0)
    if context.quick:
        return Plan(rounds=2, batch_seconds=0.0, warmup_seconds=0.0, pause_seconds=PAUSE)
    return Plan(rounds=15 if config.image_size == 64 else 20, batch_seconds=0.5, warmup_seconds=0.0,
                pause_seconds=PAUSE)


def configs_for(context):
    return [TINY_CONFIG] if context.tiny else CONFIGS


def run(context):
    rows = []
    for config in configs_for(context):
        weights = reference_weights(config)
        states = {name: build(m, config, context.device, weights)
                  for name, m in context.libraries.items()}
        check_first_losses(states, context.libraries)
        contenders = {name: functools.partial(dcgan_step, context.libraries[name], s)
                      for name, s in states.items()}
        summaries = time_libraries(context, contenders, plan_for(context, config))
        rows += timing_rows("dcgan", f"{config.name} step", summaries, "ms",
                            MAX_RATIO)
        del states, contenders
    return rows


# ----------------------------------------------------------------------------
# Profiling autograd's side
# ----------------------------------------------------------------------------
def profile(config, steps=3, top=30, sort="tottime"):
    """cProfile of ``steps`` autograd steps (after one warm-up step), printed."""
    import cProfile
    import pstats
    state = build(autograd, config)
    dcgan_step(autograd, state)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        dcgan_step(autograd, state)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(sort).print_stats(top)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Profile autograd's DCGAN step "
                                     "(the timing itself runs from python -m benchmarks)")
    parser.add_argument("--profile", action="store_true", required=True)
    parser.add_argument("--config", default="dcgan64", choices=sorted(CONFIGS_BY_NAME))
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    profile(CONFIGS_BY_NAME[args.config], args.steps, args.top, args.sort)


if __name__ == "__main__":
    main()
