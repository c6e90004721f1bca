"""The benchmark suite: autograd beside PyTorch on the seed's DCGAN workloads.

    python -m benchmarks                      # everything, about 10 minutes on 2 cores
    python -m benchmarks --quick              # a smoke run, under about 2 minutes
    python -m benchmarks --only conv,flops    # some families (conv flops dcgan memory overhead)
    python -m benchmarks --device cuda        # on a GPU: CuPy beside torch CUDA
    python -m benchmarks --json results.json  # also write every figure
    python -m benchmarks --repeat 3           # three passes; each target judged on the median

Families (one module each, see benchmarks/README.md):

  conv      each convolution and transposed convolution of the seed's DCGAN, fwd and fwd+bwd
  flops     GFLOP/s of the largest of them against the float32 matrix-product rate
  dcgan     a full DCGAN training step, 64x64x3 (the seed's) and 32x32x1
  memory    peak memory of those training steps, each library in its own process
  overhead  per-op overhead on tiny tensors (benchmarks/overhead.py)

Every workload runs the same code in both libraries, on the same float32
weights and inputs, and both libraries are checked to agree before timing.
The libraries take turns (benchmarks/timing.py); the table gives medians, IQRs
and the ratio autograd / torch, and the last lines say which targets are met.
"""
import argparse
import json
import sys
import time

from benchmarks import common, conv, dcgan, flops, memory, overhead, repeats

FAMILIES = {"conv": conv, "flops": flops, "dcgan": dcgan, "memory": memory, "overhead": overhead}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="families: " + ", ".join(FAMILIES))
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--only", metavar="NAME[,NAME]",
                        help="run only these families: " + ", ".join(FAMILIES))
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads for every family (default: torch's own "
                             "default, and 1 for overhead)")
    parser.add_argument("--no-torch", action="store_true", help="autograd alone, even with torch installed")
    parser.add_argument("--tiny", action="store_true",
                        help="tiny sizes and one round, for the tests: the figures mean nothing")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the families N times over and judge every target on the median "
                             "of its N figures (the machine's speed drifts between runs)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat: expected a number of passes of at least 1, got {args.repeat}")
    names = list(FAMILIES) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        parser.error(f"--only: unknown families {unknown}; choose from {', '.join(FAMILIES)}")
    args.families = names
    return args


def describe(context, out):
    s = common.settings(context)
    out(f"machine: {s['cpu']}, {s['cpu_count']} cores ({s['machine']}, {s['vector_extensions']}); "
        f"python {s['python']}, "
        f"numpy {s['numpy']} ({s['blas']}), torch {s['torch'] or 'not installed'}; "
        f"git {s['git']}")
    if context.device == "cuda":
        out(f"device: cuda ({s['gpu']}), cupy {s['cupy']}")
    torch = context.libraries.get("torch")
    if torch is not None:
        out(f"torch threads: {context.torch_threads or torch.get_num_threads()} "
            f"(overhead: {context.torch_threads or 1})")
    else:
        out("note: PyTorch is not installed (or --no-torch), so autograd's figures are shown alone "
            "and no ratio target is judged (pip install torch==2.13.0 for the comparison)")
    mode = "tiny (test sizes)" if context.tiny else "quick (few rounds)" if context.quick else "full"
    out(f"mode: {mode}; median and IQR over interleaved rounds; x torch = autograd / torch")


def run_pass(context, families, default_threads, out):
    """Every family once: (rows, {family: seconds}); prints each family's table."""
    context.shared = {}                       # what one family leaves for another, this pass only
    rows, seconds = [], {}
    for name in families:
        print(f"... {name}", file=sys.stderr, flush=True)
        common.set_torch_threads(context.libraries, context.torch_threads or default_threads)
        family_start = time.perf_counter()
        family_rows = FAMILIES[name].run(context)
        seconds[name] = round(time.perf_counter() - family_start, 1)
        common.print_table(family_rows, out)
        rows += family_rows
    common.set_torch_threads(context.libraries, context.torch_threads or default_threads)
    common.print_verdicts(rows, out)
    return rows, seconds


def main(argv=None, out=print):
    args = parse_args(argv)
    libraries = common.load_libraries(args.device, with_torch=not args.no_torch)
    context = common.Context(args.device, libraries, quick=args.quick, tiny=args.tiny,
                             torch_threads=args.torch_threads)
    torch = libraries.get("torch")
    default_threads = torch.get_num_threads() if torch is not None else None
    describe(context, out)

    started = time.perf_counter()
    passes, seconds = [], []
    for k in range(args.repeat):
        if args.repeat > 1:
            out(f"\n=== pass {k + 1} of {args.repeat}")
        pass_rows, pass_seconds = run_pass(context, args.families, default_threads, out)
        passes.append(pass_rows)
        seconds.append(pass_seconds)
    summary = repeats.summarize_passes(passes) if args.repeat > 1 else None
    if summary:
        repeats.print_summary(summary, out)
    total = time.perf_counter() - started
    family_seconds = {name: round(sum(s[name] for s in seconds), 1) for name in args.families}
    out(f"\ntook {total:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in family_seconds.items()) + ")")

    rows = [row for pass_rows in passes for row in pass_rows]
    if args.json:
        results = [dict(row.as_dict(), **{"pass": k + 1})
                   for k, pass_rows in enumerate(passes) for row in pass_rows]
        report = {"benchmark": "suite", "settings": common.settings(context),
                  "families": args.families, "passes": args.repeat,
                  "seconds": family_seconds, "results": results}
        if summary:
            report["targets_over_passes"] = summary
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
        out(f"wrote {args.json}")
    return rows


if __name__ == "__main__":
    main()
    sys.exit(0)
