"""python -m autograd.exercises list | start NAME | check NAME | hint NAME | reveal NAME | status

Every command takes ``--dir DIR`` (default ``exercises``): the student's folder, which
holds their files, the figure of the last failing check and ``progress.json`` (the last
verdict of each exercise and how many hints were asked for).
"""
import argparse
import datetime
import json
import os
import pathlib
import shutil
import sys
import tempfile

from . import exercises, get, skeleton_path, solution_path
from .checker import check, load_student_file

PROGRESS = "progress.json"


# ----------------------------------------------------------------------------
# progress.json: {name: {"verdict": ..., "when": ..., "hints": k}}, written atomically
# ----------------------------------------------------------------------------
def read_progress(folder):
    path = pathlib.Path(folder) / PROGRESS
    try:
        progress = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}   # none yet, or damaged: start afresh rather than refuse to grade
    return progress if isinstance(progress, dict) else {}


def write_progress(folder, progress):
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".progress-", suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        json.dump(progress, stream, indent=1, sort_keys=True)
    os.replace(temporary, folder / PROGRESS)


def _update(folder, name, **fields):
    progress = read_progress(folder)
    entry = progress.get(name) if isinstance(progress.get(name), dict) else {}
    entry.update(fields)
    progress[name] = entry
    write_progress(folder, progress)
    return entry


# ----------------------------------------------------------------------------
# The commands
# ----------------------------------------------------------------------------
def list_exercises():
    print(f"{'name':<19} {'track':<11} {'level':<14} topic")
    for e in exercises():
        print(f"{e.name:<19} {e.track:<11} {e.level:<14} {e.topic}")


def start(name, folder, force=False):
    target = pathlib.Path(folder) / f"{get(name).name}.py"
    if target.exists() and not force:
        print(f"{target} already exists: edit it, or pass --force to start again")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(skeleton_path(name), target)
    print(f"wrote {target}: write the missing code, then run\n"
          f"  python -m autograd.exercises check {name} --dir {folder}")
    return 0


def check_file(name, folder, examples=None, quick=False):
    """Grade DIR/NAME.py.  Exit status 0 on a full PASS; 1 on FAIL, and on a PASS over
    fewer configurations than the exercise asks for unless ``quick`` says that is meant."""
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
    verdict = "PARTIAL" if outcome.partial else "PASS" if outcome.passed else "FAIL"
    _update(folder, exercise.name, verdict=verdict,
            when=datetime.datetime.now().isoformat(timespec="seconds"))
    if outcome.passed and not outcome.partial:
        following = _next_exercise(exercise.name)
        if following:
            print(f"Next: python -m autograd.exercises start {following} --dir {folder}")
        return 0
    if outcome.partial:
        print("(run without --examples for the full check" + ("" if quick else
              ", or pass --quick to accept a partial one") + ")")
        return 0 if quick else 1
    print(f"More help: python -m autograd.exercises hint {exercise.name} --dir {folder}")
    return 1


def _next_exercise(name):
    names = [e.name for e in exercises()]
    following = names[names.index(name) + 1:]
    return following[0] if following else None


def hint(name, folder):
    """The next of the exercise's three hints: the idea, the shape of the formula, the formula."""
    exercise = get(name)
    asked = int(read_progress(folder).get(exercise.name, {}).get("hints", 0) or 0)
    level = min(asked, len(exercise.steps) - 1)
    print(f"{exercise.name}, hint {level + 1} of {len(exercise.steps)}: {exercise.steps[level]}")
    if level + 1 < len(exercise.steps):
        print("(ask again for the next one)")
    else:
        print(f"(the whole solution: python -m autograd.exercises reveal {exercise.name})")
    _update(folder, exercise.name, hints=level + 1)
    return 0


def reveal(name, folder):
    """Print the reference solution, and note in progress.json that it was seen."""
    exercise = get(name)
    print(f"# The reference solution of {exercise.name} "
          f"(autograd/exercises/solutions/{exercise.name}.py).\n# Where its classes extend the "
          f"skeleton's, everything not shown (the forward) is as in the file you started from.\n")
    print(solution_path(name).read_text())
    _update(folder, exercise.name, revealed=True)
    return 0


def status(folder):
    """Every exercise with its last verdict, the hints asked for, and whether it was revealed."""
    progress = read_progress(folder)
    print(f"{'name':<19} {'track':<11} {'last check':<11} {'when':<20} hints")
    for e in exercises():
        entry = progress.get(e.name) if isinstance(progress.get(e.name), dict) else {}
        hints = f"{entry.get('hints', 0)} of {len(e.steps)}" + (", revealed" if entry.get("revealed") else "")
        print(f"{e.name:<19} {e.track:<11} {entry.get('verdict', '-'):<11} "
              f"{entry.get('when', '-'):<20} {hints}")
    done = sum(1 for e in exercises() if (progress.get(e.name) or {}).get("verdict") == "PASS")
    print(f"{done} of {len(exercises())} passed")
    return 0


def _parser():
    parser = argparse.ArgumentParser(prog="python -m autograd.exercises",
                                     description="Write the pieces of an autograd engine and of "
                                                 "generative models; have them checked.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the exercises, their track, topic and difficulty")
    helps = {"start": "write the skeleton file into DIR",
             "check": "grade DIR/NAME.py; exit status 0 on PASS, 1 on FAIL or a partial check",
             "hint": "the next hint: the idea, then the shape of the formula, then the formula",
             "reveal": "print the reference solution",
             "status": "every exercise with its last verdict"}
    for command, text in helps.items():
        sub = commands.add_parser(command, help=text)
        if command != "status":
            sub.add_argument("name")
        sub.add_argument("--dir", default="exercises", help="your exercise folder (default: exercises)")
        if command == "start":
            sub.add_argument("--force", action="store_true", help="overwrite an existing file")
        if command == "check":
            sub.add_argument("--examples", type=_positive_int,
                             help="configurations to draw (default: the exercise's; fewer is a "
                                  "partial check)")
            sub.add_argument("--quick", action="store_true",
                             help="accept a partial check (exit status 0 when it passes)")
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "list":
        list_exercises()
        return 0
    if args.command == "status":
        return status(args.dir)
    try:
        get(args.name)
    except KeyError as err:
        print(err.args[0])
        return 2
    if args.command == "start":
        return start(args.name, args.dir, args.force)
    if args.command == "hint":
        return hint(args.name, args.dir)
    if args.command == "reveal":
        return reveal(args.name, args.dir)
    return check_file(args.name, args.dir, args.examples, args.quick)


if __name__ == "__main__":
    sys.exit(main())
