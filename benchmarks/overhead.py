"""Per-op overhead: autograd beside PyTorch CPU on two tiny workloads.

On tensors this small the arithmetic costs next to nothing; what is timed is
the bookkeeping around each op (wrapping arrays, recording the graph, walking
it backwards).  The project's goal is at most 3x PyTorch's time on both:

* elementwise: forward and backward of ((x * y + exp(x)) / (y + 2)).tanh().sum()
  with x, y of 10 elements that require grad;
* mlp_step: one training step of a 2 -> 64 -> 64 -> 1 tanh network on a batch
  of 64 points: MSE loss, backward, plain SGD update under no_grad.

Each workload is written once and called with the library as a parameter
(``m=autograd`` or ``m=torch``), so both run exactly the same code.

    python -m benchmarks.overhead            # about 6 s
    python -m benchmarks.overhead --quick    # a smoke run, about 2 s
    python -m benchmarks.overhead --json results.json
"""
import argparse
import functools
import json
import math
import os
import platform
import sys
from dataclasses import dataclass
from typing import Callable

import numpy

import autograd
from benchmarks.timing import summarize, time_interleaved

GOAL_RATIO = 3.0  # autograd may take at most this many times PyTorch's time

# ----------------------------------------------------------------------------
# The workloads.  ``m`` is the library: autograd or torch.
# ----------------------------------------------------------------------------
ELEMENTWISE_SIZE = 10
LAYER_SIZES = (2, 64, 64, 1)
BATCH_SIZE = 64
LEARNING_RATE = 0.05


def elementwise_inputs(m):
    """x and y of 10 elements, requiring grad; y + 2 stays in [1, 3]."""
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-1, 1, ELEMENTWISE_SIZE).astype(numpy.float32)
    y = rng.uniform(-1, 1, ELEMENTWISE_SIZE).astype(numpy.float32)
    return m.tensor(x, requires_grad=True), m.tensor(y, requires_grad=True)


def elementwise_step(m, x, y):
    """Forward and backward of a small expression of 7 ops."""
    x.grad = None
    y.grad = None
    loss = ((x * y + x.exp()) / (y + 2)).tanh().sum()
    loss.backward()
    return loss


def mlp_inputs(m):
    """Parameters [w1, b1, w2, b2, w3, b3] (weights shaped (out, in), as PyTorch's
    Linear, uniform in +-1/sqrt(in)), a batch of 2-D points and their targets."""
    rng = numpy.random.default_rng(0)
    params = []
    for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]):
        bound = 1 / math.sqrt(n_in)
        weight = rng.uniform(-bound, bound, (n_out, n_in)).astype(numpy.float32)
        bias = rng.uniform(-bound, bound, n_out).astype(numpy.float32)
        params += [m.tensor(weight, requires_grad=True), m.tensor(bias, requires_grad=True)]
    points = rng.standard_normal((BATCH_SIZE, 2)).astype(numpy.float32)
    targets = numpy.sin(points[:, :1]) * numpy.cos(points[:, 1:])  # a smooth surface
    return params, m.tensor(points), m.tensor(targets)


def mlp_forward(params, x):
    """Linear layers (x @ w.T + b) with tanh between them, none after the last."""
    layers = list(zip(params[0::2], params[1::2]))
    h = x
    for index, (weight, bias) in enumerate(layers):
        h = h @ weight.T + bias
        if index < len(layers) - 1:
            h = h.tanh()
    return h


def mlp_step(m, params, x, y):
    """One training step: MSE loss, backward, SGD update of every parameter."""
    for p in params:
        p.grad = None
    loss = ((mlp_forward(params, x) - y) ** 2).mean()
    loss.backward()
    with m.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-LEARNING_RATE)  # p -= lr * grad, as torch.optim.SGD does
    return loss


@dataclass
class Workload:
    name: str
    description: str
    make_inputs: Callable   # m -> tuple of arguments for step
    step: Callable          # (m, *arguments) -> loss


WORKLOADS = [
    Workload("elementwise", "((x*y + exp x) / (y+2)).tanh().sum(), 10 elements, fwd+bwd",
             elementwise_inputs, elementwise_step),
    Workload("mlp_step", "2-64-64-1 tanh MLP, batch 64: MSE, backward, SGD",
             mlp_inputs, mlp_step),
]


# ----------------------------------------------------------------------------
# Running and reporting
# ----------------------------------------------------------------------------
def load_libraries(torch_threads):
    """{'autograd': autograd, 'torch': torch}, without torch when it is not installed."""
    libraries = {"autograd": autograd}
    try:
        import torch
    except ImportError:
        return libraries
    torch.set_num_threads(torch_threads)
    libraries["torch"] = torch
    return libraries


def bound_step(workload, m):
    """A zero-argument function that runs one step of ``workload`` with library ``m``."""
    return functools.partial(workload.step, m, *workload.make_inputs(m))


def check_same_loss(workload, libraries):
    """Fail loudly if the libraries disagree: then they would not compute the same thing."""
    losses = {name: bound_step(workload, m)().item() for name, m in libraries.items()}
    reference = losses["autograd"]
    for name, loss in losses.items():
        if not math.isclose(loss, reference, rel_tol=1e-4, abs_tol=1e-6):
            raise RuntimeError(f"{workload.name}: the first loss differs between libraries: {losses}")


def measure(workload, libraries, rounds, batch_seconds, warmup_seconds):
    """{library name: Summary} for one workload, the libraries timed in turns."""
    check_same_loss(workload, libraries)
    contenders = {name: bound_step(workload, m) for name, m in libraries.items()}
    samples = time_interleaved(contenders, rounds, batch_seconds, warmup_seconds)
    return {name: summarize(s) for name, s in samples.items()}


def result_rows(workload, summaries):
    """One row per library; ``ratio`` is that library's median over torch's (None without torch)."""
    torch_median = summaries["torch"].median_us if "torch" in summaries else None
    rows = []
    for library, summary in summaries.items():
        ratio = summary.median_us / torch_median if torch_median else None
        rows.append({"workload": workload.name, "library": library,
                     "median_us": round(summary.median_us, 2), "iqr_us": round(summary.iqr_us, 2),
                     "ratio": None if ratio is None else round(ratio, 3)})
    return rows


def print_table(rows):
    print(f"{'workload':<13}{'library':<10}{'median us':>11}{'IQR us':>9}{'x torch':>9}")
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        print(f"{row['workload']:<13}{row['library']:<10}{row['median_us']:>11.1f}"
              f"{row['iqr_us']:>9.1f}{ratio:>9}")


def print_goal(rows):
    """Say, per workload, whether autograd is within GOAL_RATIO of torch."""
    for row in rows:
        if row["library"] == "autograd" and row["ratio"] is not None:
            verdict = "met" if row["ratio"] <= GOAL_RATIO else "NOT met"
            print(f"goal <= {GOAL_RATIO:g}x torch on {row['workload']}: {verdict} "
                  f"({row['ratio']:.2f}x)")


def settings(libraries, args, rounds):
    """What the figures depend on, stored beside them in the JSON file."""
    torch = libraries.get("torch")
    return {"python": platform.python_version(), "numpy": numpy.__version__,
            "torch": torch.__version__ if torch else None,
            "torch_threads": torch.get_num_threads() if torch else None,
            "cpu_count": os.cpu_count(), "machine": platform.machine(),
            "rounds": rounds, "quick": args.quick}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds (a smoke run)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch.set_num_threads (default 1; see benchmarks/README.md)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rounds, batch_seconds, warmup_seconds = (6, 0.005, 0.05) if args.quick else (40, 0.02, 0.3)
    libraries = load_libraries(args.torch_threads)
    if "torch" not in libraries:
        print("note: PyTorch is not installed, so autograd's figures are shown alone "
              "(pip install torch==2.13.0 for the comparison)\n")
    for workload in WORKLOADS:
        print(f"{workload.name}: {workload.description}")
    print(f"median and interquartile range over {rounds} interleaved rounds, "
          f"microseconds per step\n")

    rows = []
    for workload in WORKLOADS:
        summaries = measure(workload, libraries, rounds, batch_seconds, warmup_seconds)
        rows += result_rows(workload, summaries)
    print_table(rows)
    print()
    print_goal(rows)

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"benchmark": "overhead", "settings": settings(libraries, args, rounds),
                       "results": rows}, f, indent=2)
        print(f"wrote {args.json}")


# ----------------------------------------------------------------------------
# As a family of the suite (python -m benchmarks --only overhead)
# ----------------------------------------------------------------------------
def run(context):
    """The suite's rows: both workloads on ``context.device``, torch on
    ``context.torch_threads`` threads (default 1, as above)."""
    from benchmarks.common import Plan, move_tensors, set_torch_threads, time_libraries, timing_rows
    set_torch_threads(context.libraries, context.torch_threads or 1)
    if context.tiny:
        plan = Plan(rounds=1, batch_seconds=0.0, warmup_seconds=0.0)
    elif context.quick:
        plan = Plan(rounds=6, batch_seconds=0.005, warmup_seconds=0.05)
    else:
        plan = Plan(rounds=40, batch_seconds=0.02, warmup_seconds=0.3)

    def bound(workload, m):
        inputs = move_tensors(m, workload.make_inputs(m), context.device)
        return functools.partial(workload.step, m, *inputs)

    rows = []
    for workload in WORKLOADS:
        losses = {name: bound(workload, m)().item() for name, m in context.libraries.items()}
        if not all(math.isclose(loss, losses["autograd"], rel_tol=1e-4, abs_tol=1e-6)
                   for loss in losses.values()):
            raise RuntimeError(f"{workload.name}: the first loss differs between libraries: {losses}")
        contenders = {name: bound(workload, m) for name, m in context.libraries.items()}
        summaries = time_libraries(context, contenders, plan)
        rows += timing_rows("overhead", workload.name, summaries, "us", GOAL_RATIO)
    return rows


if __name__ == "__main__":
    sys.exit(main())
