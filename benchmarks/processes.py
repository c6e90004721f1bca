"""Each library in its own process: how ratios against PyTorch are measured.

Running both libraries in one process flatters the slower one: the other's thread
pool, caches and allocator are disturbed by its neighbour's step (issue [4 of 7]
measured 1.05x in one process where each alone gives 1.85x).  So here

1. every measurement is a fresh ``python -m benchmarks.processes --child`` process
   that imports one library only, builds the workload, warms up, then times
   ``steps`` consecutive steps and reports seconds per step and its peak resident
   memory (``ru_maxrss``: the whole process, imports included);
2. the processes alternate, A B A B ..., so slow drift of the machine falls on both;
3. each pair gives a ratio (autograd / PyTorch); the figures reported are medians
   over the pairs, of each library's time and of the ratios.

A workload is a function ``build(torch) -> step`` in ``WORKLOADS``: ``torch`` is the
library's module (``autograd`` is imported as ``torch``, exactly as a user's program
would do), and ``step()`` runs one training step.  The same source builds both.

    python -m benchmarks.processes lstm                 # 5 pairs, 30 steps each
    python -m benchmarks.processes dcgan                # a family's default step (twins.py)
    python -m benchmarks.processes lstm --pairs 7 --steps 50 --json lstm.json
"""
import argparse
import importlib
import json
import resource
import statistics
import subprocess
import sys
import time

LIBRARIES = ("autograd", "torch")


def lstm(torch):
    """Sequential MNIST's shape: a 2-layer LSTM, hidden 128, over 28 steps of 28 features,
    batch 64, a linear head on the last output, cross-entropy, Adam."""
    torch.manual_seed(0)
    rnn = torch.nn.LSTM(28, 128, num_layers=2, batch_first=True)
    head = torch.nn.Linear(128, 10)
    optimizer = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    x, labels = torch.randn(64, 28, 28), torch.randint(0, 10, (64,))

    def step():
        output, _ = rnn(x)
        loss = torch.nn.functional.cross_entropy(head(output[:, -1]), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


WORKLOADS = {"lstm": lstm}

# each scratchgen family's default model and train_step against its PyTorch twin (twins.py):
# ``python -m benchmarks.processes dcgan`` (also vae, pixelcnn, realnvp, wgan-gp, ddpm)
from .twins import FAMILIES as _TWIN_FAMILIES, SEED_DCGAN, workload as _twin_workload  # noqa: E402
WORKLOADS.update({name: _twin_workload(name) for name in _TWIN_FAMILIES})
WORKLOADS["dcgan-seed64"] = _twin_workload("dcgan", settings=SEED_DCGAN)   # the seed's 64x64 RGB DCGAN


def child(workload, library, steps, warmup):
    """Run in a fresh process: time ``steps`` steps after ``warmup``; print one JSON line."""
    torch = importlib.import_module(library)
    step = WORKLOADS[workload](torch)
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - start) / steps
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: kilobytes
    print(json.dumps({"library": library, "seconds_per_step": seconds, "peak_rss_mb": peak_mb}))


def run_child(workload, library, steps, warmup, env=None):
    """``child`` in a fresh process (with ``env`` as its environment, if given): its JSON line."""
    command = [sys.executable, "-m", "benchmarks.processes", workload, "--child", library,
               "--steps", str(steps), "--warmup", str(warmup)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{library} {workload} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(workload, pairs=5, steps=30, warmup=5):
    """Alternate the libraries' processes ``pairs`` times; medians and pairwise ratios."""
    runs = {library: [] for library in LIBRARIES}
    for pair in range(pairs):
        order = LIBRARIES if pair % 2 == 0 else LIBRARIES[::-1]    # A B, then B A, ...
        for library in order:
            runs[library].append(run_child(workload, library, steps, warmup))
    ratios = [a["seconds_per_step"] / t["seconds_per_step"] for a, t in zip(runs["autograd"], runs["torch"])]
    summary = {library: {"median_seconds_per_step": statistics.median(r["seconds_per_step"] for r in rs),
                         "median_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs)}
               for library, rs in runs.items()}
    return {"workload": workload, "pairs": pairs, "steps": steps, "warmup": warmup, "runs": runs,
            "ratios": ratios, "median_ratio": statistics.median(ratios), **summary}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--child", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.child:
        return child(args.workload, args.child, args.steps, args.warmup)
    result = compare(args.workload, args.pairs, args.steps, args.warmup)
    for library in LIBRARIES:
        print(f"{library:9s} {1000 * result[library]['median_seconds_per_step']:8.1f} ms/step  "
              f"peak RSS {result[library]['median_peak_rss_mb']:7.0f} MB   (median of {args.pairs})")
    print(f"autograd / torch, pair by pair: {', '.join(f'{r:.2f}' for r in result['ratios'])}; "
          f"median {result['median_ratio']:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    main()
