"""What the suite's workload families share: the two libraries on one device,
moving data there, timing in turns with the right synchronisation, and the
rows of the results table.

A *family* (``conv``, ``flops``, ``dcgan``, ``memory``, ``overhead``) is one
module with a ``run(context)`` function that returns a list of ``Row``.  The
``Context`` says which libraries and device to use and how long to time.
"""
import math
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy

import autograd
from benchmarks.timing import summarize, time_interleaved

REPO_ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------
# Libraries and devices
# ----------------------------------------------------------------------------
def import_torch():
    """torch, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def load_libraries(device, with_torch=True):
    """{'autograd': autograd, 'torch': torch} for ``device`` ('cpu' or 'cuda');
    torch is left out when it is not installed (or ``with_torch`` is False).

    On 'cuda', autograd needs CuPy and torch needs a CUDA build: a missing piece
    is an error, not a silent fallback to the CPU."""
    libraries = {"autograd": autograd}
    torch = import_torch() if with_torch else None
    if device == "cuda":
        if not autograd.cuda.is_available():
            raise SystemExit("--device cuda: autograd needs CuPy and a visible GPU "
                             "(pip install -e '.[gpu]')")
        if torch is not None and not torch.cuda.is_available():
            raise SystemExit("--device cuda: the installed torch has no CUDA (or sees no GPU)")
        if torch is not None:
            # cuDNN's convolutions default to TF32 (10-bit mantissas) on Ampere and later;
            # CuPy's products are full float32, so hold PyTorch to full float32 as well
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False
    if torch is not None:
        libraries["torch"] = torch
    return libraries


def synchronizer(name, device):
    """A function that waits for library ``name``'s queued GPU work; None on the CPU."""
    if device != "cuda":
        return None
    if name == "torch":
        import torch
        return torch.cuda.synchronize
    import cupy
    return lambda: cupy.cuda.Device().synchronize()


def set_torch_threads(libraries, threads):
    """torch.set_num_threads(threads) when torch is there and ``threads`` is set."""
    torch = libraries.get("torch")
    if torch is not None and threads:
        torch.set_num_threads(threads)


def tensor(m, array, device, requires_grad=False):
    """A new leaf tensor of library ``m`` on ``device`` holding a copy of ``array``."""
    return m.tensor(numpy.asarray(array), device=device, requires_grad=requires_grad)


def as_numpy(t):
    """A NumPy copy of a tensor of either library (on either device)."""
    return numpy.array(t.detach().cpu().numpy(), copy=True)


def move_tensors(m, value, device):
    """``value`` (a tensor, or a list/tuple of them, nested) recreated as leaf tensors
    of library ``m`` on ``device``, keeping requires_grad."""
    if isinstance(value, (list, tuple)):
        return type(value)(move_tensors(m, v, device) for v in value)
    if hasattr(value, "requires_grad") and hasattr(value, "detach"):
        return tensor(m, as_numpy(value), device, value.requires_grad)
    return value


def assert_close(name, ours, theirs, rtol=1e-3):
    """Fail loudly when two arrays differ by more than ``rtol`` of the larger one's
    largest magnitude: then the libraries would not be computing the same thing."""
    ours, theirs = numpy.asarray(ours, dtype=numpy.float64), numpy.asarray(theirs, dtype=numpy.float64)
    if ours.shape != theirs.shape:
        raise RuntimeError(f"{name}: shapes differ between libraries: {ours.shape} vs {theirs.shape}")
    scale = max(numpy.abs(ours).max(initial=0.0), numpy.abs(theirs).max(initial=0.0), 1e-12)
    error = numpy.abs(ours - theirs).max(initial=0.0)
    if not error <= rtol * scale:
        raise RuntimeError(f"{name}: autograd and torch differ by {error:.3g} "
                           f"(largest magnitude {scale:.3g}, allowed {rtol:g} of it)")


# ----------------------------------------------------------------------------
# The run's settings
# ----------------------------------------------------------------------------
@dataclass
class Plan:
    """How long to time one family: ``rounds`` interleaved rounds of batches of
    about ``batch_seconds`` after ``warmup_seconds`` of warm-up (0: one call),
    with ``pause_seconds`` of sleep before each batch (see timing.py: on a
    machine with few cores, the threads of the library that ran last would
    otherwise still be spinning and take cores from the next)."""
    rounds: int
    batch_seconds: float
    warmup_seconds: float
    pause_seconds: float = 0.0


@dataclass
class Context:
    device: str                       # 'cpu' or 'cuda'
    libraries: dict                   # name -> module
    quick: bool = False
    tiny: bool = False                # the tests' sizes: the figures mean nothing
    torch_threads: Optional[int] = None   # None: each family's default
    shared: dict = field(default_factory=dict)   # results one family leaves for another

    @property
    def has_torch(self):
        return "torch" in self.libraries

    def syncs(self):
        return {name: synchronizer(name, self.device) for name in self.libraries}

    def sync(self, name):
        fn = synchronizer(name, self.device)
        if fn is not None:
            fn()


def time_libraries(context, contenders, plan):
    """{library: Summary} of zero-argument functions timed in turns (see timing.py)."""
    syncs = {name: s for name, s in context.syncs().items() if name in contenders}
    samples = time_interleaved(contenders, plan.rounds, plan.batch_seconds, plan.warmup_seconds,
                               syncs, plan.pause_seconds)
    return {name: summarize(s) for name, s in samples.items()}


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def vector_extensions():
    """The widest x86 vector units NumPy found on this CPU ('AVX512F AVX2 FMA3', or what
    of them there is): the project's machines differ, and the ratio to PyTorch with them,
    since PyTorch's convolutions use AVX-512 where it exists."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # another numpy layout, or not x86
        return None
    found = [name for name in ("AVX512F", "AVX2", "FMA3") if features.get(name)]
    return " ".join(found) or "none of AVX512F, AVX2, FMA3"


def git_revision():
    """The commit of the working tree, with '+changes' when it has uncommitted edits."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (head + ("+changes" if dirty else "")) or None


def blas_name():
    try:
        config = numpy.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # older numpy: no mode="dicts"
        return None


def settings(context):
    torch = context.libraries.get("torch")
    info = {"python": platform.python_version(), "numpy": numpy.__version__, "blas": blas_name(),
            "torch": torch.__version__ if torch else None,
            "device": context.device, "cpu": cpu_model(), "cpu_count": os.cpu_count(),
            "vector_extensions": vector_extensions(),
            "machine": platform.machine(), "git": git_revision(),
            "quick": context.quick, "tiny": context.tiny,
            "torch_threads": context.torch_threads}
    if context.device == "cuda":
        import cupy
        info["cupy"] = cupy.__version__
        name = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)["name"]
        info["gpu"] = name.decode() if isinstance(name, bytes) else str(name)
    return info


# ----------------------------------------------------------------------------
# Rows of the table
# ----------------------------------------------------------------------------
@dataclass
class Row:
    family: str
    workload: str
    library: str
    median: float
    iqr: float
    unit: str                      # 'ms', 'us', 'MiB' or 'GFLOP/s'
    ratio: Optional[float] = None  # this library's median / torch's
    note: str = ""                 # e.g. '123 GFLOP/s'
    target: str = ""               # e.g. '<= 1.5x torch'
    verdict: Optional[bool] = None  # met? (None: no target on this row, or no torch)
    score: Optional[float] = None  # the figure the target judges: a ratio or a percentage
    limit: Optional[float] = None  # the target's bound on the score
    at_most: bool = True           # the score must be at most the limit (else at least)

    def as_dict(self):
        def r(x):
            return None if x is None else round(x, 4)
        return {"family": self.family, "workload": self.workload, "library": self.library,
                "median": r(self.median), "iqr": r(self.iqr), "unit": self.unit,
                "ratio": r(self.ratio), "note": self.note, "target": self.target,
                "verdict": self.verdict, "score": r(self.score)}


def meets(score, limit, at_most):
    """A target's verdict on ``score``; None when there is no score (no torch)."""
    if score is None:
        return None
    return score <= limit if at_most else score >= limit


def set_target(row, text, score, limit, at_most=True):
    """Give ``row`` a target (``text``, e.g. '<= 1.5x torch') and its verdict on ``score``."""
    row.target, row.score, row.limit, row.at_most = text, score, limit, at_most
    row.verdict = meets(score, limit, at_most)


def format_score(score, target):
    """1.51 -> '1.51x' for a ratio target, 47.2 -> '47%' for a percentage one."""
    return f"{score:.0f}%" if "%" in target else f"{score:.2f}x"


UNIT_SCALE = {"ms": 1e-3, "us": 1.0}   # from the timing helper's microseconds


def timing_rows(family, workload, summaries, unit, max_ratio=None, notes=None):
    """One row per library from {library: Summary}; the autograd row carries the
    ratio to torch and, with ``max_ratio``, the verdict."""
    notes = notes or {}
    scale = UNIT_SCALE[unit]
    torch_median = summaries["torch"].median_us if "torch" in summaries else None
    rows = []
    for library, summary in summaries.items():
        ratio = summary.median_us / torch_median if torch_median else None
        row = Row(family, workload, library, summary.median_us * scale, summary.iqr_us * scale,
                  unit, ratio, notes.get(library, ""))
        if max_ratio is not None and library == "autograd":
            set_target(row, f"<= {max_ratio:g}x torch", ratio, max_ratio)
        rows.append(row)
    return rows


def format_number(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def verdict_text(row):
    if not row.target:
        return ""
    if row.verdict is None:
        return f"{row.target}: no torch"
    return f"{row.target}: {'met' if row.verdict else 'NOT met'}"


def print_table(rows, out=print):
    """The rows, grouped by family, in aligned columns."""
    width = max([len(r.workload) for r in rows] + [8]) + 2
    header = (f"{'workload':<{width}}{'library':<10}{'median':>9}{'IQR':>8} {'unit':<8}"
              f"{'x torch':>8}  {'note':<26}target")
    family = None
    for row in rows:
        if row.family != family:
            family = row.family
            out("")
            out(f"[{family}]")
            out(header)
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        line = (f"{row.workload:<{width}}{row.library:<10}{format_number(row.median):>9}"
                f"{format_number(row.iqr):>8} {row.unit:<8}{ratio:>8}  {row.note:<26}"
                f"{verdict_text(row)}")
        out(line.rstrip())


def print_verdicts(rows, out=print):
    """One line per target, then a count."""
    targets = [r for r in rows if r.target]
    if not targets:
        return
    out("")
    out("targets")
    for r in targets:
        shown = f" ({r.ratio:.2f}x)" if r.ratio is not None else f" ({r.note})" if r.note else ""
        out(f"  {r.family}/{r.workload}: {verdict_text(r)}{shown}")
    judged = [r for r in targets if r.verdict is not None]
    met = sum(r.verdict for r in judged)
    out(f"  {met} of {len(judged)} targets met" +
        (f" ({len(targets) - len(judged)} not judged: no torch)" if len(judged) < len(targets) else ""))
