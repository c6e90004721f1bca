"""How close the largest convolutions come to the machine's matrix-product rate.

autograd's convolutions are im2col designs: they rearrange the input and do
one big matrix product.  Their ceiling is therefore the rate of a large
float32 matrix product in the same array library, measured here in the same
run (NumPy on the CPU, CuPy on a GPU): a 2048 x 2048 by 2048 x 2048 product,
2 * 2048^3 FLOPs.  The machines drift by 10-15% within minutes, so when the
conv family ran first, the rate is the median of samples taken before each of
its layers, spanning the same minutes as the timings it is compared with.

For the largest layers of the seed's DCGAN (those with at least half the
heaviest layer's FLOPs; see conv.py for how FLOPs are counted), the rows give
the achieved GFLOP/s of fwd+bwd and fwd, and the note the percentage of the
matrix-product rate.  The project's target: fwd+bwd at least 60% of it.  The
conv family's timings are reused when it ran in the same invocation; otherwise
these layers are timed here.

    python -m benchmarks --only flops
"""
import statistics
import time

import numpy

from benchmarks import conv
from benchmarks.common import Row, set_target

MIN_PERCENT = 60.0
MATMUL_SIZE = 2048


def matmul_gflops(xp=numpy, size=MATMUL_SIZE, repeats=7, sync=None):
    """Median GFLOP/s of a size x size float32 matrix product in array module ``xp``."""
    rng = numpy.random.default_rng(0)
    a = xp.asarray(rng.standard_normal((size, size), dtype=numpy.float32))
    b = xp.asarray(rng.standard_normal((size, size), dtype=numpy.float32))
    out = a @ b                                   # warm-up (threads, caches, cuBLAS handle)
    if sync is not None:
        sync()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = xp.matmul(a, b, out=out)
        if sync is not None:
            sync()
        seconds.append(time.perf_counter() - start)
    return 2 * size ** 3 / statistics.median(seconds) / 1e9


def array_module(context):
    if context.device == "cuda":
        import cupy
        return cupy
    return numpy


def matmul_size(context):
    return 256 if context.tiny else MATMUL_SIZE


def ceiling_sample(context, repeats=None):
    """One measurement of the matrix-product rate on the context's device."""
    xp = array_module(context)
    sync = None
    if context.device == "cuda":
        import cupy
        sync = cupy.cuda.Device().synchronize
    if repeats is None:
        repeats = 2 if context.tiny else 3
    return matmul_gflops(xp, matmul_size(context), repeats, sync)


def run(context):
    shared = context.shared.get("conv")
    samples = list(shared["matmul_gflops"]) if shared else []
    samples.append(ceiling_sample(context, None if context.tiny or context.quick else 9))
    ceiling = statistics.median(samples)
    size = matmul_size(context)
    rows = [Row("flops", f"matmul {size}x{size} float32", array_module(context).__name__, ceiling,
                0.0, "GFLOP/s", note=f"the im2col ceiling, median of {len(samples)}")]

    if shared is None:                 # the conv family did not run: time the largest layers here
        layers, batch = conv.sizes_for(context)
        plan = conv.plan_for(context)
        timings = {}
        for layer in conv.largest_layers(layers, batch):
            conv.check_layer(layer, context.libraries, batch, context.device)
            for pass_name in conv.PASSES:
                summaries = conv.measure_layer(context, layer, batch, plan, pass_name)
                timings[(layer.name, pass_name)] = {n: s.median_us for n, s in summaries.items()}
    else:
        layers, batch, timings = shared["layers"], shared["batch"], shared["median_us"]

    for layer in conv.largest_layers(layers, batch):
        for pass_name, (_, flop_factor) in conv.PASSES.items():
            flops = layer.forward_flops(batch) * flop_factor
            for library, median_us in timings[(layer.name, pass_name)].items():
                rate = flops / (median_us * 1e3)
                percent = 100 * rate / ceiling
                row = Row("flops", f"{layer.label} {pass_name}", library, rate, 0.0, "GFLOP/s",
                          note=f"{percent:.0f}% of matmul")
                if library == "autograd" and pass_name == "fwd+bwd":
                    set_target(row, f">= {MIN_PERCENT:g}% of matmul", percent, MIN_PERCENT,
                               at_most=False)
                rows.append(row)
    return rows
