"""python -m autograd.exercises list | start NAME [--dir DIR] | check NAME [--dir DIR]"""
import argparse
import pathlib
import shutil
import sys

from . import exercises, get, skeleton_path
from .checker import check, load_student_file


def list_exercises():
    print(f"{'name':<17} {'level':<14} topic")
    for e in exercises():
        print(f"{e.name:<17} {e.level:<14} {e.topic}")


def start(name, folder, force=False):
    target = pathlib.Path(folder) / f"{get(name).name}.py"
    if target.exists() and not force:
        print(f"{target} already exists: edit it, or pass --force to start again")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(skeleton_path(name), target)
    print(f"wrote {target}: write the backward pass, then run\n"
          f"  python -m autograd.exercises check {name} --dir {folder}")
    return 0


def check_file(name, folder, examples=None):
    exercise = get(name)
    folder = pathlib.Path(folder)
    try:
        module = load_student_file(exercise, folder / f"{exercise.name}.py")
    except Exception as err:  # a missing file, a syntax error: say it plainly
        print(f"{name}: FAIL: could not load your file: {type(err).__name__}: {err}")
        return 1
    outcome = check(exercise, module, examples, figure=folder / f"{exercise.name}_check.png",
                    shrink=True)
    print(outcome.report())
    if outcome.passed:
        names = [e.name for e in exercises()]
        following = names[names.index(exercise.name) + 1:]
        if following:
            print(f"Next: python -m autograd.exercises start {following[0]} --dir {folder}")
    return 0 if outcome.passed else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograd.exercises",
                                     description="Write backward passes; have them checked.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the exercises, their topic and difficulty")
    for command, text in (("start", "write the skeleton file into DIR"),
                          ("check", "grade DIR/NAME.py; exit status 0 on PASS, 1 on FAIL")):
        sub = commands.add_parser(command, help=text)
        sub.add_argument("name")
        sub.add_argument("--dir", default="exercises", help="your exercise folder (default: exercises)")
        if command == "start":
            sub.add_argument("--force", action="store_true", help="overwrite an existing file")
        else:
            sub.add_argument("--examples", type=int,
                             help="configurations to draw (default: the exercise's)")
    args = parser.parse_args(argv)
    if args.command == "list":
        list_exercises()
        return 0
    try:
        get(args.name)
    except KeyError as err:
        print(err.args[0])
        return 2
    if args.command == "start":
        return start(args.name, args.dir, args.force)
    return check_file(args.name, args.dir, args.examples)


if __name__ == "__main__":
    sys.exit(main())
