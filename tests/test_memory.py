"""autograd.memory: freed memory is kept for reuse, and the switch that turns it off works."""
import json
import platform
import subprocess
import sys

import pytest

glibc_only = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="keep_freed_memory acts on glibc's malloc only")

# allocates and frees a 64 MB array ten times after `import autograd`; prints the page faults
# of the last nine and what keep_freed_memory reported
PROGRAM = """
import json, resource, numpy
import autograd
from autograd import memory
numpy.ones(1 << 24, dtype=numpy.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(9):
    numpy.ones(1 << 24, dtype=numpy.float32)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"kept": memory.keep_freed_memory(), "faults": faults}))
"""


def run(environment_value):
    env = {"AUTOGRAD_KEEP_FREED_MEMORY": environment_value, "PATH": ""}
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          env=env, check=True)
    return json.loads(done.stdout.splitlines()[-1])


@glibc_only
def test_import_keeps_freed_memory_so_a_repeated_large_array_costs_no_fresh_pages():
    kept, returned = run("1"), run("0")
    assert kept["kept"] is True and returned["kept"] is False
    # 64 MB is handed back and faulted in again each time unless kept (numpy asks for huge
    # pages for large arrays, so about 500 faults of 2 MB and 4 KB pages each time)
    assert returned["faults"] > 9 * 100
    assert kept["faults"] < returned["faults"] / 10


def test_the_switch_is_read_from_the_environment(monkeypatch):
    from autograd import memory
    monkeypatch.setattr(memory, "_done", False)
    monkeypatch.setenv("AUTOGRAD_KEEP_FREED_MEMORY", "0")
    assert memory.keep_freed_memory() is False
