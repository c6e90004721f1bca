"""Peak memory of one DCGAN training step, autograd beside PyTorch.

Both configurations of dcgan.py (dcgan64, dcgan32).  Each library runs in its
own fresh subprocess, so that neither sees the other's memory, and all of them
measure the same quantity:

    peak = (the most memory in use during one training step, after warm-up)
         - (the memory in use after the imports, the models, the optimisers and
            the fixed batch were built, before the first step)

It therefore counts everything training adds on top of the bare model: the
activations kept for backward, the gradients, Adam's two moments and the
temporaries of every op.

* CPU (the verdict): the process's resident set.  Baseline: VmRSS from
  /proc/self/status after construction.  Then ``--warmup`` steps, the
  high-water mark is reset (writing 5 to /proc/self/clear_refs), one step
  runs, and the peak is VmHWM minus the baseline.  Where the reset is not
  allowed, the high-water mark also spans the warm-up (said in the note).
  The children run with MALLOC_MMAP_THRESHOLD_=131072, so glibc gives every
  large buffer its own mapping and returns it when freed: the resident set then
  follows the bytes in use in both libraries, instead of keeping whatever the
  heap grew to.
* CPU, autograd only: tracemalloc, which sees NumPy's allocations (but not
  torch's allocator).  Tracing starts after construction; after the warm-up the
  peak is reset, one step runs, and the traced peak is reported.  A check on the
  RSS figure; it has no target.
* CUDA: autograd's CuPy memory pool (a memory hook adds up the bytes handed
  out and given back, from the pool's used bytes at the start) beside
  ``torch.cuda.max_memory_allocated`` after ``reset_peak_memory_stats``, each
  minus its bytes in use after construction.  Both count allocated blocks,
  not the cached free ones.

The project's target is at most 2x PyTorch's peak.

    python -m benchmarks --only memory
"""
import argparse
import json
import os
import subprocess
import sys

from benchmarks.common import REPO_ROOT, Row, import_torch, set_target

MAX_RATIO = 2.0
MIB = 2 ** 20
CHILD_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}


# ----------------------------------------------------------------------------
# In the child process
# ----------------------------------------------------------------------------
def _status_bytes(key):
    """A VmXXX line of /proc/self/status, in bytes (None where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_high_water_mark():
    """Reset VmHWM to the current VmRSS (Linux >= 4.0); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


class _CupyPoolPeak:
    """Highest bytes in use in CuPy's memory pool while active (a memory hook)."""

    def __init__(self):
        import cupy

        class Hook(cupy.cuda.MemoryHook):
            name = "benchmarks_pool_peak"

            def __init__(hook, start):
                hook.current = hook.peak = start

            def malloc_postprocess(hook, **kwargs):
                hook.current += kwargs["mem_size"]
                hook.peak = max(hook.peak, hook.current)

            def free_postprocess(hook, **kwargs):
                hook.current -= kwargs["mem_size"]

        self.pool = cupy.get_default_memory_pool()
        self.hook = Hook(self.pool.used_bytes())

    def __enter__(self):
        self.hook.__enter__()
        return self

    def __exit__(self, *exc):
        self.hook.__exit__(*exc)

    @property
    def peak(self):
        return self.hook.peak


def measure_in_process(library, config, device="cpu", method="rss", warmup=1, torch_threads=None):
    """Build, warm up and measure one step of ``config`` in this process.

    ``method``: 'rss' or 'tracemalloc' on the CPU, 'pool' on CUDA.  Returns a dict
    with ``peak_bytes`` (see the module docstring) and how it was measured."""
    import autograd
    from benchmarks import dcgan
    from benchmarks.common import synchronizer

    if library == "autograd":
        m = autograd
    else:
        m = import_torch()
        if torch_threads:
            m.set_num_threads(torch_threads)
    sync = synchronizer(library, device) or (lambda: None)
    weights = dcgan.reference_weights(config)
    state = dcgan.build(m, config, device, weights)
    del weights
    sync()
    result = {"library": library, "config": config.name, "device": device, "method": method,
              "warmup_steps": warmup}

    if method == "rss":
        baseline = _status_bytes("VmRSS")
        for _ in range(warmup):
            dcgan.dcgan_step(m, state)
        result["hwm_reset"] = _reset_high_water_mark()
        dcgan.dcgan_step(m, state)
        result["baseline_bytes"] = baseline
        result["peak_bytes"] = _status_bytes("VmHWM") - baseline
    elif method == "tracemalloc":
        import tracemalloc
        tracemalloc.start()
        for _ in range(warmup):
            dcgan.dcgan_step(m, state)
        tracemalloc.reset_peak()
        dcgan.dcgan_step(m, state)
        result["peak_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    elif method == "pool" and library == "torch":
        baseline = m.cuda.memory_allocated()
        for _ in range(warmup):
            dcgan.dcgan_step(m, state)
        sync()
        m.cuda.reset_peak_memory_stats()
        dcgan.dcgan_step(m, state)
        sync()
        result["baseline_bytes"] = baseline
        result["peak_bytes"] = m.cuda.max_memory_allocated() - baseline
    elif method == "pool":
        import cupy
        baseline = cupy.get_default_memory_pool().used_bytes()
        for _ in range(warmup):
            dcgan.dcgan_step(m, state)
        sync()
        with _CupyPoolPeak() as pool_peak:
            dcgan.dcgan_step(m, state)
            sync()
        result["baseline_bytes"] = baseline
        result["peak_bytes"] = pool_peak.peak - baseline
    else:
        raise ValueError(f"unknown method {method!r} for device {device!r}")
    return result


# ----------------------------------------------------------------------------
# In the parent process
# ----------------------------------------------------------------------------
def measure_in_subprocess(library, config_name, device, method, warmup, torch_threads=None,
                          timeout=900):
    """Run ``measure_in_process`` in a fresh interpreter; its result dict."""
    command = [sys.executable, "-m", "benchmarks.memory", "--child", library,
               "--config", config_name, "--device", device, "--method", method,
               "--warmup", str(warmup)]
    if torch_threads:
        command += ["--torch-threads", str(torch_threads)]
    env = dict(os.environ, **CHILD_ENV)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"memory child {library}/{config_name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def methods_for(device, libraries):
    """[(library, method)]: the compared measurement first for each library."""
    if device == "cuda":
        return [(name, "pool") for name in libraries]
    if not os.path.exists("/proc/self/status"):   # not Linux: no VmRSS / VmHWM to read
        print("note: no /proc/self/status here, so only autograd's tracemalloc peak is measured",
              file=sys.stderr)
        return [("autograd", "tracemalloc")]
    pairs = [(name, "rss") for name in libraries]
    return pairs + [("autograd", "tracemalloc")]


def run(context):
    from benchmarks import dcgan
    warmup = 1 if (context.quick or context.tiny) else 2
    rows = []
    for config in dcgan.configs_for(context):
        results = {}
        for library, method in methods_for(context.device, context.libraries):
            results[(library, method)] = measure_in_subprocess(
                library, config.name, context.device, method, warmup, context.torch_threads)
        compared = "pool" if context.device == "cuda" else "rss"
        torch_peak = results.get(("torch", compared), {}).get("peak_bytes")
        for (library, method), result in results.items():
            peak = result["peak_bytes"]
            workload = f"{config.name} step peak" + ("" if method == compared else f" ({method})")
            row = Row("memory", workload, library, peak / MIB, 0.0, "MiB",
                      note=method + ("" if result.get("hwm_reset", True) else ", incl. warm-up"))
            if method == compared and torch_peak:
                row.ratio = peak / torch_peak
            if method == compared and library == "autograd":
                set_target(row, f"<= {MAX_RATIO:g}x torch", row.ratio, MAX_RATIO)
            rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description="One memory measurement (run by python -m benchmarks)")
    parser.add_argument("--child", required=True, choices=["autograd", "torch"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--method", default="rss", choices=["rss", "tracemalloc", "pool"])
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--torch-threads", type=int, default=None)
    args = parser.parse_args(argv)
    from benchmarks import dcgan
    result = measure_in_process(args.child, dcgan.CONFIGS_BY_NAME[args.config], args.device,
                                args.method, args.warmup, args.torch_threads)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
