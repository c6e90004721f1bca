"""One training step of each generative model, as ``python -m scratchgen train`` runs it.

The DCGAN suite (``python -m benchmarks``) compares the engine with PyTorch on the
seed's workloads; this script answers the question behind the models' time budgets:
how long does one step of each model's default configuration take here?  It builds
each family with its defaults (``make_config``, as the command line does), takes real
batches of the bundled MNIST, warms up, then times ``train_step`` for ``--seconds`` and
prints the median, the interquartile range and the images per second.

    python -m benchmarks.model_steps                       # ddpm, realnvp, pixelcnn, dcgan
    python -m benchmarks.model_steps --models ddpm --seconds 60
    python -m benchmarks.model_steps --models ddpm --set workers=1   # another setting, as `train --set`
    OPENBLAS_NUM_THREADS=1 python -m benchmarks.model_steps   # one core
    python -m benchmarks.model_steps --device cuda          # on a GPU, through CuPy

autograd only: the models are written on this engine, so there is no PyTorch twin.
"""
import argparse
import statistics
import time

import numpy

import autograd
from scratchgen.cli import setting
from scratchgen.train.registry import family_class
from scratchgen.train.run import _data_channels, _prepare_data, make_config

MODELS = ("ddpm", "realnvp", "pixelcnn", "dcgan")


def build_family(model, device="cpu", overrides=None):
    """The family with its default configuration on MNIST (``overrides`` changed), and its
    prepared training images, made by the same steps as ``build_run``."""
    config = make_config(model, overrides or {})
    family_type = family_class(model)
    data = _prepare_data(family_type, config, "train")
    config["channels"] = _data_channels(data, config)
    autograd.manual_seed(config["seed"])
    return family_type(config, device), data, config["batch_size"]


def time_steps(model, seconds, warmup_steps=3, device="cpu", overrides=None):
    """Per-step seconds of ``model``'s train_step over about ``seconds`` of steps.
    Each step ends in the loss's ``.item()``, which waits for a GPU to finish."""
    family, data, batch_size = build_family(model, device, overrides)
    rng = numpy.random.default_rng(0)

    def step(number):
        batch = data[rng.integers(0, len(data), batch_size)]
        start = time.perf_counter()
        family.train_step(autograd.tensor(batch, device=device), number)
        return time.perf_counter() - start

    for number in range(warmup_steps):
        step(number)
    times, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 5:
        times.append(step(warmup_steps + len(times)))
    return times, batch_size


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.model_steps",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, from " + ", ".join(MODELS))
    parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per model")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", type=setting,
                        help="a model setting instead of its default, as for `scratchgen train`")
    args = parser.parse_args(argv)
    print(f"device: {args.device}")
    print(f"{'model':10s} {'batch':>5s} {'steps':>5s} {'median s/step':>14s} {'IQR':>8s} {'images/s':>9s}")
    for model in args.models.split(","):
        times, batch = time_steps(model.strip(), args.seconds, device=args.device, overrides=dict(args.set))
        quartiles = statistics.quantiles(times, n=4)
        median = statistics.median(times)
        print(f"{model:10s} {batch:5d} {len(times):5d} {median:14.3f} {quartiles[2] - quartiles[0]:8.3f} "
              f"{batch / median:9.1f}")


if __name__ == "__main__":
    main()
