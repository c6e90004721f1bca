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

from .data import DATASETS
from .train import registry


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {text}")
    return value


def setting(text):
    """KEY=VALUE, the value read as JSON when it parses (numbers, true/false), else as text."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key.replace("-", "_"), json.loads(value)
    except json.JSONDecodeError:
        return key.replace("-", "_"), value


def build_parser():
    parser = argparse.ArgumentParser(prog="scratchgen", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="the models and data sets")

    train = commands.add_parser("train", help="train a model into a run folder")
    train.add_argument("model", help="a model name from `scratchgen list`")
    train.add_argument("--data", help="a data set name from `scratchgen list` (default: mnist)")
    train.add_argument("--data-dir", help="a folder holding extra data sets (e.g. Fashion-MNIST's IDX files)")
    train.add_argument("--steps", type=positive_int)
    train.add_argument("--batch-size", type=positive_int)
    train.add_argument("--lr", type=positive_float)
    train.add_argument("--seed", type=non_negative_int)
    train.add_argument("--device", choices=["auto", "cpu", "cuda"])
    train.add_argument("--log-every", type=positive_int)
    train.add_argument("--sample-every", type=positive_int)
    train.add_argument("--checkpoint-every", type=positive_int)
    model_size = train.add_argument_group("model size (shorthands for --set, where the model has the setting)")
    model_size.add_argument("--image-size", type=positive_int)
    model_size.add_argument("--channels", type=positive_int,
                            help="image channels; must match the data (1 for MNIST, 3 for emoji)")
    model_size.add_argument("--latent-dim", type=positive_int)
    model_size.add_argument("--feature-dim", type=positive_int)
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
    sample.add_argument("--n", type=positive_int, default=64)
    sample.add_argument("--out", default="samples.png", help="FILE.png (a grid) or FILE.npz (array 'samples')")
    sample.add_argument("--seed", type=non_negative_int, default=0)
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
    for name, description in registry.PLANNED.items():
        print(f"  {name:10s} (not built yet) {description}")
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
    overrides.update(dict(args.set))
    if args.quick:
        overrides = {**quick_preset(args.model), **{k: v for k, v in overrides.items() if v is not None}}
    out = args.out or f"runs/{args.model}"
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
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            command_list()
            return 0
        return {"train": command_train, "sample": command_sample, "eval": command_eval}[args.command](args)
    except (ValueError, FileNotFoundError, FileExistsError) as err:
        print(f"scratchgen {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
