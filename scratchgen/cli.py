"""The command line: ``python -m scratchgen list | train | sample | eval`` (also ``scratchgen ...``).

    python -m scratchgen list
    python -m scratchgen train dcgan --steps 3000 --out runs/dcgan
    python -m scratchgen sample runs/dcgan --n 64 --out samples.png
    python -m scratchgen eval runs/dcgan --json
    python -m scratchgen eval runs/ddpm --set ddim_eta=1      # another sampler setting than the run's
"""
import argparse
import json
import sys
import traceback
import warnings

from .data import DATASETS
from .train import registry

MAX_SAMPLES = 100_000    # `sample --n`: a bound on what one command draws


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line, ``scratchgen <command>: <what>``, exit status 2."""

    def error(self, message):
        raise UsageError(message)


class UsageError(ValueError):
    """Bad command-line input: one line on stderr, exit status 2."""


def bounded_count(text, high=MAX_SAMPLES):
    """An integer from 1 to ``high``, for the flags of sample and eval (train's flags go
    through the settings schema instead)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 1 <= value <= high:
        raise argparse.ArgumentTypeError(f"must be from 1 to {high}, got {text}")
    return value


def seed_value(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be from 0 to 2**32 - 1, got {text}")
    return value


def setting(text):
    """KEY=VALUE; the value stays text, parsed later by the settings schema of the model."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.replace("-", "_"), value


def build_parser():
    parser = OneLineParser(prog="scratchgen", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="on an error, show the traceback too")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    commands.add_parser("list", help="the models and data sets")

    train = commands.add_parser("train", help="train a model into a run folder")
    train.add_argument("model", help="a model name from `scratchgen list`")
    train.add_argument("--data", help="a data set name from `scratchgen list` (default: mnist)")
    train.add_argument("--data-dir", help="a folder holding extra data sets (e.g. Fashion-MNIST's IDX files)")
    train.add_argument("--steps", metavar="VALUE")
    train.add_argument("--batch-size", metavar="VALUE")
    train.add_argument("--lr", metavar="VALUE")
    train.add_argument("--seed", metavar="VALUE")
    train.add_argument("--device", choices=["auto", "cpu", "cuda"])
    train.add_argument("--log-every", metavar="VALUE")
    train.add_argument("--sample-every", metavar="VALUE")
    train.add_argument("--checkpoint-every", metavar="VALUE")
    model_size = train.add_argument_group("model size (shorthands for --set, where the model has the setting)")
    model_size.add_argument("--image-size", metavar="VALUE")
    model_size.add_argument("--channels", metavar="VALUE",
                            help="image channels; must match the data (1 for MNIST, 3 for emoji)")
    model_size.add_argument("--latent-dim", metavar="VALUE")
    model_size.add_argument("--feature-dim", metavar="VALUE")
    train.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", type=setting,
                       help="a model setting, e.g. --set feature_dim=16 (see config.json for the keys)")
    train.add_argument("--quick", action="store_true",
                       help="the model's short preset (fewer steps); options given as well win")
    train.add_argument("--out", help="the run folder (default: runs/MODEL)")
    start = train.add_mutually_exclusive_group()
    start.add_argument("--resume", action="store_true", help="continue the run in --out")
    start.add_argument("--force", action="store_true", help="start over in an existing --out")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    sample = commands.add_parser("sample", help="draw samples from a trained run")
    sample.add_argument("run", help="a run folder")
    sample.add_argument("--n", type=bounded_count, default=64, help=f"how many (at most {MAX_SAMPLES})")
    sample.add_argument("--out", default="samples.png", help="FILE.png (a grid) or FILE.npz (array 'samples')")
    sample.add_argument("--seed", type=seed_value, default=0)
    sample.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    sample.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", type=setting,
                        help="sample with this setting instead of the run's (e.g. ddim_steps=100); repeatable")

    evaluate = commands.add_parser("eval", help="print a trained run's metrics")
    evaluate.add_argument("run", help="a run folder")
    evaluate.add_argument("--json", action="store_true", help="one JSON object on stdout")
    evaluate.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    evaluate.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", type=setting,
                          help="evaluate with this setting instead of the run's (e.g. ddim_eta=1); repeatable")
    return parser


def command_list():
    print("models:")
    for name in sorted(registry.FAMILIES):
        print(f"  {name:10s} {registry.family_class(name).description}")
    print("data sets:")
    for name, entry in DATASETS.items():
        print(f"  {name:16s} {entry.description}")


def quick_preset(model):
    """The settings of ``train MODEL --quick``: the family's ``quick`` dict."""
    preset = getattr(registry.family_class(model), "quick", None)
    if not preset:
        raise ValueError(f"{model} has no --quick preset")
    return preset


def command_train(args):
    from .train.run import train
    overrides = {"data": args.data, "data_dir": args.data_dir, "steps": args.steps,
                 "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed,
                 "device": args.device, "log_every": args.log_every,
                 "sample_every": args.sample_every, "checkpoint_every": args.checkpoint_every,
                 "channels": args.channels}
    shorthands = {"image_size": args.image_size, "latent_dim": args.latent_dim,
                  "feature_dim": args.feature_dim}
    overrides.update({k: v for k, v in shorthands.items() if v is not None})
    for key, value in args.set:
        if key in overrides and overrides[key] is not None:
            raise UsageError(f"{key} is given twice (a flag and --set, or --set twice)")
        overrides[key] = value
    if args.quick:
        overrides = {**quick_preset(args.model), **{k: v for k, v in overrides.items() if v is not None}}
    out = args.out if args.out is not None else f"runs/{args.model}"
    try:
        run = train(args.model, overrides, out, resume=args.resume, force=args.force,
                    progress=not args.quiet)
    except KeyboardInterrupt:
        return 130
    print(f"trained {args.model} for {run.step} steps; run folder: {out}")
    return 0


def command_sample(args):
    from .train.run import sample_run
    samples = sample_run(args.run, args.n, args.out, args.device, args.seed, dict(args.set))
    print(f"wrote {len(samples)} samples to {args.out}")
    return 0


def command_eval(args):
    from .train.run import evaluate_run
    metrics = evaluate_run(args.run, args.device, dict(args.set))
    if args.json:
        print(json.dumps(metrics))
    else:
        for key, value in metrics.items():
            print(f"{key:28s} {value:.4f}" if isinstance(value, float) else f"{key:28s} {value}")
    return 0


def main(argv=None):
    """Run one command; a failure is one line on stderr, ``scratchgen <command>: <what>``,
    with exit status 2 for bad input (``--debug`` shows the traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if a in ("list", "train", "sample", "eval")), "")
    debug = "--debug" in argv
    prefix = f"scratchgen {command}" if command else "scratchgen"
    warnings.formatwarning = lambda message, *rest, **options: f"{prefix}: warning: {message}\n"
    try:
        args = build_parser().parse_args(argv)
        if args.command == "list":
            command_list()
            return 0
        return {"train": command_train, "sample": command_sample, "eval": command_eval}[args.command](args)
    except Exception as err:   # noqa: BLE001 - every failure becomes one line (or a traceback with --debug)
        return report(command, err, debug)


def report(command, err, debug):
    """Print ``err`` as one line; 2 for bad input (a value, a file, a setting), 1 for a bug."""
    bad_input = isinstance(err, (ValueError, OSError, KeyError, MemoryError, RecursionError,
                                 UnicodeError))
    message = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, (KeyError,)) or not bad_input:
        message = f"{type(err).__name__}: {message}"
    if isinstance(err, MemoryError):
        message = "not enough memory for what was asked (a setting too large?)"
    if debug:
        traceback.print_exception(type(err), err, err.__traceback__)
    where = f"scratchgen {command}" if command else "scratchgen"
    hint = "" if bad_input or debug else " (an internal error: run again with --debug for the traceback)"
    print(f"{where}: {message}{hint}", file=sys.stderr)
    return 2 if bad_input else 1


if __name__ == "__main__":
    sys.exit(main())
