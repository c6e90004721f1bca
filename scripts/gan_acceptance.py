"""Is a trained MNIST generator good enough?  The GAN issue's acceptance check.

    python scripts/gan_acceptance.py runs/dcgan [runs/wgan ...] [--samples 1000] [--json]

For each run, ``--samples`` images from its generator (the averaged weights where the
run keeps them, in eval mode) go through the shipped MNIST classifier
(``scratchgen/models/classifier.py``), and are compared with two baselines measured
the same way in the same call:

  real       the same number of MNIST training images: what a perfect generator scores
  untrained  the run's generator with freshly initialised weights: what learning adds

The criteria (all must hold):
  confidence   mean top-class probability >= 0.85 (the digits are clear)
  coverage     every digit is between 3% and 20% of the samples (no mode collapse)
  frechet      Frechet classifier distance to the 10,000 test images <= 10x the real baseline's

Exit status 0 when every run passes, 1 otherwise.
"""
import argparse
import json
import sys

import numpy

import autograd
from scratchgen.data import load_mnist
from scratchgen.metrics import image_quality
from scratchgen.train.registry import family_class
from scratchgen.train.run import load_run

MIN_CONFIDENCE = 0.85
SHARE_RANGE = (0.03, 0.20)
MAX_FRECHET_RATIO = 10.0


def in_unit_range(images):
    return images.reshape(-1, 1, 28, 28).astype(numpy.float64) / 255.0


def judge(report, real_frechet):
    ratio = report["frechet_distance"] / real_frechet
    return {"frechet_ratio": ratio,
            "confidence_ok": bool(report["confidence"] >= MIN_CONFIDENCE),
            "coverage_ok": bool(SHARE_RANGE[0] <= report["min_class_share"]
                                and report["max_class_share"] <= SHARE_RANGE[1]),
            "frechet_ok": bool(ratio <= MAX_FRECHET_RATIO)}


def generated(family, num_samples, seed):
    autograd.manual_seed(seed)
    return family.sample_in_eval_mode(num_samples)


def check_runs(paths, num_samples=1000, seed=0):
    """The reports of the real and untrained baselines and of each run, with verdicts."""
    test_images = in_unit_range(load_mnist("test")[0])
    train_images = load_mnist("train")[0]
    pick = numpy.random.default_rng(seed).choice(len(train_images), num_samples, replace=False)
    real = image_quality(in_unit_range(train_images[pick]), test_images)
    results = {"num_samples": num_samples, "real": real, "runs": {}}
    for path in paths:
        family, config, step = load_run(path)
        autograd.manual_seed(seed)
        untrained = family_class(config["model"])(config, family.device)
        runs = {"step": step,
                "trained": image_quality(generated(family, num_samples, seed), test_images),
                "untrained": image_quality(generated(untrained, num_samples, seed), test_images)}
        for key in ("trained", "untrained"):
            runs[key].update(judge(runs[key], real["frechet_distance"]))
        runs["passed"] = all(runs["trained"][k] for k in ("confidence_ok", "coverage_ok", "frechet_ok"))
        results["runs"][str(path)] = runs
    return results


def print_report(results):
    real = results["real"]
    print(f"{results['num_samples']:,} samples each; Frechet distance against the 10,000 test images")
    print(f"{'':34s} {'Frechet':>9s} {'x real':>7s} {'confidence':>10s} {'digit shares':>16s}  verdict")
    print(f"{'real training images':34s} {real['frechet_distance']:9.2f} {1:7.2f} {real['confidence']:10.3f} "
          f"{real['min_class_share']:7.1%} - {real['max_class_share']:5.1%}")
    for path, run in results["runs"].items():
        for key in ("untrained", "trained"):
            r = run[key]
            verdict = " ".join(f"{name}:{'ok' if r[name + '_ok'] else 'MISS'}"
                               for name in ("confidence", "coverage", "frechet"))
            label = f"{path} ({'untrained' if key == 'untrained' else 'step ' + str(run['step'])})"
            print(f"{label[-34:]:34s} {r['frechet_distance']:9.2f} {r['frechet_ratio']:7.2f} "
                  f"{r['confidence']:10.3f} {r['min_class_share']:7.1%} - {r['max_class_share']:5.1%}  {verdict}")
        print(f"  -> {path}: {'PASS' if run['passed'] else 'FAIL'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="run folders of MNIST generators")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    results = check_runs(args.runs, args.samples, args.seed)
    if args.json:
        print(json.dumps(results, default=float))
    else:
        print_report(results)
    return 0 if all(run["passed"] for run in results["runs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
