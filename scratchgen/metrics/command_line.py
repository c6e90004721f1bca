"""``python -m scratchgen.metrics --floor``: the metrics of real MNIST against real MNIST."""
import argparse
import math
import time

from .sample_quality import floor_report


def _print_floor(num_train, seed):
    start = time.perf_counter()
    report = floor_report(num_train, seed)
    print("Floor: real MNIST against real MNIST, with the shipped classifier")
    print(f"  Frechet classifier distance, {report['num_train']:,} train images (seed {report['seed']}) "
          f"vs the {report['num_test']:,} test images: {report['fcd_train_vs_test']:.4f}")
    print(f"  classifier test accuracy: {report['test_accuracy']:.4f}")
    for name, part in (("test set", report["test"]), ("train sample", report["train_sample"])):
        shares = " ".join(f"{s:.3f}" for s in part["class_shares"])
        print(f"  {name}: confidence {part['confidence']:.4f}, classes covered (>= 5%) "
              f"{part['classes_covered']}/10, class entropy {part['class_entropy']:.4f} nats "
              f"(max {math.log(10):.4f})")
        print(f"    class shares 0..9: {shares}")
    print(f"  ({time.perf_counter() - start:.1f} s)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scratchgen.metrics",
                                     description="Evaluation metrics; --floor prints real-vs-real figures.")
    parser.add_argument("--floor", action="store_true",
                        help="Frechet classifier distance of real train vs test images, and "
                             "classifier confidence / coverage on real images")
    parser.add_argument("--num-train", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.floor:
        parser.print_help()
        return
    _print_floor(args.num_train, args.seed)
