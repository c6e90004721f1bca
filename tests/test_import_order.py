"""The engine's files read in one order, in which each imports only the files before it.

docs/TOUR.md draws the order; ``ORDER`` below is the same list.  Each module is
imported alone in a fresh interpreter, past the package's ``__init__`` (which
imports everything), and must not have pulled in a module that comes after it.
"""
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

ORDER = [
    "backend", "devices", "typing_aliases", "dtypes", "grad_mode",
    "tensor", "creation",
    "function", "tensor_hooks",
    "engine", "autograd",
    "ops.shape", "ops.elementwise", "ops.activation", "ops.reduce", "ops.linalg", "ops.matrix",
    "ops.norm", "ops.loss", "ops.im2col", "ops.conv", "ops.conv_loops", "ops.pool",
    "ops.recurrent",
    "inplace",
    "typed_tensors", "tensor_methods",
]

# Run in a fresh interpreter: an empty module stands for the package, so that importing
# autograd.X runs X and what X imports, and not autograd/__init__.py.
IMPORT_ALONE = """
import importlib, json, sys, types
package = types.ModuleType("autograd")
package.__path__ = [sys.argv[1]]
sys.modules["autograd"] = package
importlib.import_module("autograd." + sys.argv[2])
print(json.dumps([name[len("autograd."):] for name in sys.modules if name.startswith("autograd.")]))
"""


@pytest.mark.parametrize("position, module", list(enumerate(ORDER)), ids=ORDER)
def test_a_module_imports_no_module_read_after_it(position, module):
    run = subprocess.run([sys.executable, "-c", IMPORT_ALONE, str(ROOT / "autograd"), module],
                         capture_output=True, text=True, check=True)
    loaded = set(json.loads(run.stdout))
    assert module in loaded
    later = [m for m in ORDER[position + 1:] if m in loaded]
    assert not later, f"autograd.{module} imports {later}, which come after it in the order"


def test_the_tour_draws_the_same_order():
    """The tour's map: one line per file, the file first, from backend.py to tensor_methods.py."""
    text = (ROOT / "docs" / "TOUR.md").read_text(encoding="utf-8")
    drawn = re.findall(r"^ {4}([\w/]+)\.py ", text, re.MULTILINE)
    drawn = drawn[drawn.index("backend"):drawn.index("tensor_methods") + 1]
    assert [name.replace("/", ".") for name in drawn] == ORDER
