"""python -m autograd.viz graph EXPR [--shape NAME=2,3 ...] [--out graph.png]

Draws the computation graph of a small expression over named tensors, e.g.

    python -m autograd.viz graph "(a * b).sum() + a.exp().mean()" --shape a=2,3 --shape b=3

Every name in EXPR other than ``torch`` (autograd) and ``F`` (autograd.nn.functional)
becomes a random tensor that requires grad, of shape 2,3 unless --shape says otherwise.
"""
import argparse
import ast
import sys

import autograd
from autograd.nn import functional

from .graph import draw_graph

MODULES = {"torch": autograd, "F": functional}


def tensors_for(expression, shapes, default=(2, 3)):
    """A random tensor for every free name of ``expression``."""
    tree = ast.parse(expression, mode="eval")
    free = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(MODULES))
    unknown = set(shapes) - set(free)
    if unknown:
        raise ValueError(f"--shape names {sorted(unknown)} do not appear in {expression!r}")
    return {name: autograd.randn(*shapes.get(name, default), requires_grad=True) for name in free}


def evaluate(expression, tensors):
    """The value of ``expression`` with only the tensors and MODULES in scope."""
    result = eval(compile(expression, "<expression>", "eval"),  # noqa: S307 (a local teaching tool)
                  {"__builtins__": {}, **MODULES}, dict(tensors))
    if not isinstance(result, autograd.Tensor):
        raise TypeError(f"the expression gave a {type(result).__name__}, not a Tensor")
    return result


def parse_shape(text):
    name, _, sizes = text.partition("=")
    if not name or not sizes:
        raise argparse.ArgumentTypeError(f"--shape expects NAME=SIZES such as a=2,3, got {text!r}")
    return name, tuple(int(s) for s in sizes.split(",") if s)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograd.viz")
    commands = parser.add_subparsers(dest="command", required=True)
    graph = commands.add_parser("graph", help="draw the computation graph of an expression")
    graph.add_argument("expression")
    graph.add_argument("--shape", action="append", type=parse_shape, default=[],
                       help="NAME=SIZES, e.g. a=2,3 (default shape 2,3)")
    graph.add_argument("--out", default="graph.png")
    args = parser.parse_args(argv)
    tensors = tensors_for(args.expression, dict(args.shape))
    result = evaluate(args.expression, tensors)
    path = draw_graph(result, args.out, names=tensors, title=args.expression)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
