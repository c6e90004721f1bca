"""Whole training jobs, as users run them: ``python -m scratchgen train MODEL --steps N``
beside a plain PyTorch loop over the family's twin (``twins.py``) for the same N steps.

Each pair of measurements runs three fresh processes, alternating which library goes first:

* ``job``: the README's command, ``python -m scratchgen train MODEL --steps N`` into a
  temporary run folder (its default logging, sample and checkpoint intervals, the final
  checkpoint, samples and pictures included); the whole process is timed from the
  outside, and the run's own log gives the loop's rate (every step with its data, logging,
  samples and checkpoints, without start-up and the closing samples);
* ``twin``: a plain PyTorch program doing the same training: load MNIST, prepare it as the
  family does, shuffle each epoch, N twin steps (the family's optimisers and weight
  average; each step reads its losses as numbers, as the family's does), the weights
  saved at the end;
* ``bare``: the family's own ``train_step`` on one fixed batch in a loop
  (``processes.py``'s autograd child), so that ``job loop / (N * bare step)`` is what the
  loop around the step costs.

Peak memory is each process's maximum resident set, from the operating system (``wait4``).

    python -m benchmarks.jobs dcgan --steps 300 --pairs 5
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy

from .processes import run_child
from .twins import DEFAULTS, FAMILIES

MNIST = pathlib.Path(__file__).resolve().parents[1] / "scratchgen" / "data" / "mnist.npz"


def run_measured(command):
    """Run ``command``: (wall seconds, peak RSS in MB, stdout); a failure raises with its stderr."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = subprocess.Popen(command, stdout=out, stderr=err).pid
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{err.read()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read()


def scratchgen_job(name, steps):
    """The README's command for ``steps`` steps: wall seconds, peak MB, the loop's images/s."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "scratchgen", "train", name, "--steps", str(steps),
                   "--out", folder + "/run", "--quiet"]
        seconds, peak_mb, _ = run_measured(command)
        log = pathlib.Path(folder, "run", "log.jsonl").read_text().splitlines()
        rate = json.loads(log[-1])["images_per_s"]
    return {"seconds": seconds, "peak_rss_mb": peak_mb, "loop_images_per_s": rate}


def twin_job(name, steps):
    command = [sys.executable, "-m", "benchmarks.jobs", name, "--steps", str(steps), "--child-twin"]
    seconds, peak_mb, stdout = run_measured(command)
    return {"seconds": seconds, "peak_rss_mb": peak_mb, **json.loads(stdout.splitlines()[-1])}


# ------------------------------------------------------------------------------------------------
# The PyTorch side: a plain training program over the twin (imports torch and numpy only)
# ------------------------------------------------------------------------------------------------
def prepared_mnist(name, config):
    """MNIST's training images as the family's ``prepare`` gives them (float32)."""
    with numpy.load(MNIST, allow_pickle=False) as archive:
        images = archive["x_train"][:, None]
    if name in ("dcgan", "wgan-gp", "ddpm"):                    # [-1, 1], padded with -1
        x = images.astype(numpy.float32) / 127.5 - 1
        pad = (config["image_size"] - x.shape[-1]) // 2
        return numpy.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-1.0)
    if name == "realnvp":                                      # pixel values 0..255
        return images.astype(numpy.float32)
    return images.astype(numpy.float32) / 255                   # intensities in [0, 1]


def child_twin(name, steps):
    """Train the twin for ``steps`` steps as a plain PyTorch program; print its loop's rate."""
    import torch
    from .twins import TWIN_STEPS, build_twin
    config = dict(DEFAULTS[name])
    torch.manual_seed(config["seed"])
    data = torch.from_numpy(prepared_mnist(name, config))
    twin = build_twin(name, config)
    batch_size, started = config["batch_size"], time.perf_counter()
    order, position = torch.randperm(len(data)), 0
    for step in range(1, steps + 1):
        if position + batch_size > len(data):                  # a new epoch
            order, position = torch.randperm(len(data)), 0
        batch = data[order[position: position + batch_size]]
        position += batch_size
        TWIN_STEPS[name](twin, batch, None, step)              # returns its losses as floats
    rate = steps * batch_size / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as folder:
        torch.save({key: module.state_dict() for key, module in twin.modules.items()},
                   pathlib.Path(folder, "weights.pt"))
    print(json.dumps({"loop_images_per_s": rate}))


# ------------------------------------------------------------------------------------------------
def compare(name, steps, pairs, bare_count, warmup):
    measure = {"job": lambda: scratchgen_job(name, steps),
               "twin": lambda: twin_job(name, steps),
               "bare": lambda: run_child(name, "autograd", bare_count, warmup)}
    runs = {kind: [] for kind in measure}
    for pair in range(pairs):
        first, second = ("job", "twin") if pair % 2 == 0 else ("twin", "job")
        for kind in (first, second, "bare"):
            runs[kind].append(measure[kind]())
        print(f"pair {pair + 1}: " + ", ".join(f"{k} {json.dumps(v[-1])}" for k, v in runs.items()),
              flush=True)
    return summarise(name, steps, runs)


def summarise(name, steps, runs):
    batch = DEFAULTS[name]["batch_size"]
    pairs = list(zip(runs["job"], runs["twin"], runs["bare"]))
    median = statistics.median
    return {
        "family": name, "steps": steps, "pairs": len(pairs), "runs": runs,
        "job_seconds": median(j["seconds"] for j in runs["job"]),
        "twin_seconds": median(t["seconds"] for t in runs["twin"]),
        "job_over_twin": median(j["seconds"] / t["seconds"] for j, t, _ in pairs),
        "loop_ms_per_step": median(1000 * batch / j["loop_images_per_s"] for j in runs["job"]),
        "twin_loop_ms_per_step": median(1000 * batch / t["loop_images_per_s"] for t in runs["twin"]),
        "loop_over_twin_loop": median(t["loop_images_per_s"] / j["loop_images_per_s"] for j, t, _ in pairs),
        "bare_ms_per_step": median(1000 * b["seconds_per_step"] for b in runs["bare"]),
        "loop_over_bare": median(batch / j["loop_images_per_s"] / b["seconds_per_step"] for j, _, b in pairs),
        "job_peak_rss_mb": median(j["peak_rss_mb"] for j in runs["job"]),
        "twin_peak_rss_mb": median(t["peak_rss_mb"] for t in runs["twin"]),
        "memory_ratio": median(j["peak_rss_mb"] / t["peak_rss_mb"] for j, t, _ in pairs),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("family", choices=FAMILIES)
    parser.add_argument("--steps", type=int, default=300, help="steps of each job")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--bare-steps", type=int, default=30, help="timed steps of the bare loop")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps before the bare loop")
    parser.add_argument("--child-twin", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.child_twin:
        return child_twin(args.family, args.steps)
    result = compare(args.family, args.steps, args.pairs, args.bare_steps, args.warmup)
    print(f"{args.family}, {args.steps} steps, medians of {args.pairs} pairs:\n"
          f"  whole job   scratchgen {result['job_seconds']:7.1f} s   PyTorch loop {result['twin_seconds']:7.1f} s"
          f"   ratio {result['job_over_twin']:.2f}x\n"
          f"  loop        {result['loop_ms_per_step']:7.1f} ms/step   PyTorch {result['twin_loop_ms_per_step']:7.1f}"
          f" ms/step   ratio {result['loop_over_twin_loop']:.2f}x\n"
          f"  bare step   {result['bare_ms_per_step']:7.1f} ms   loop / bare {result['loop_over_bare']:.2f}x\n"
          f"  peak RSS    {result['job_peak_rss_mb']:7.0f} MB   PyTorch {result['twin_peak_rss_mb']:7.0f} MB"
          f"   ratio {result['memory_ratio']:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    main()
