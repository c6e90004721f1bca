"""What ``autograd/memory.py`` is worth: autograd's step with freed memory kept (the default)
against ``AUTOGRAD_KEEP_FREED_MEMORY=0``, each in its own process (``processes.py``'s autograd
child), alternated, ratios pair by pair.

    python -m benchmarks.keep_memory pixelcnn --pairs 5
"""
import argparse
import os
import statistics

from .processes import WORKLOADS, run_child


def seconds_per_step(workload, keep, steps, warmup):
    env = dict(os.environ, AUTOGRAD_KEEP_FREED_MEMORY="1" if keep else "0")
    return run_child(workload, "autograd", steps, warmup, env)["seconds_per_step"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    kept, returned = [], []
    for pair in range(args.pairs):
        order = (True, False) if pair % 2 == 0 else (False, True)
        times = {keep: seconds_per_step(args.workload, keep, args.steps, args.warmup) for keep in order}
        kept.append(times[True])
        returned.append(times[False])
        print(f"pair {pair + 1}: kept {1000 * times[True]:.1f} ms, returned {1000 * times[False]:.1f} ms",
              flush=True)
    ratios = [k / r for k, r in zip(kept, returned)]
    print(f"{args.workload}: kept {1000 * statistics.median(kept):.1f} ms/step, returned "
          f"{1000 * statistics.median(returned):.1f} ms/step; kept / returned, median of pairs "
          f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
