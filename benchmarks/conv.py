"""Every convolution and transposed convolution of the seed's DCGAN, one at a time.

The seed's DCGAN (latent 100, feature_dim 64, 64x64 RGB, batch 64) has four
transposed convolutions in the generator (k5 s2 p2, output_padding 1, no bias
except the last) and five convolutions in the discriminator (k4 s2 p1, then a
final k4 on the 4x4 map).  For each layer, both libraries time, on the same
float32 weights and inputs:

* fwd:     the layer's forward pass under no_grad;
* fwd+bwd: forward, then backward of a fixed upstream gradient, which fills
  the gradients of the input and the weight (the bias, where the layer has
  one, is added but needs no gradient).

The project's target is fwd+bwd at most 1.5x PyTorch's time on every layer.
The note column gives the achieved GFLOP/s (see ``ConvLayer.forward_flops``).

    python -m benchmarks --only conv
"""
import functools
from dataclasses import dataclass

import numpy

from benchmarks.common import Plan, as_numpy, assert_close, tensor, time_libraries, timing_rows

MAX_RATIO = 1.5
BATCH = 64
PAUSE = 0.1   # seconds of sleep before each timed batch (see timing.py)


@dataclass(frozen=True)
class ConvLayer:
    name: str             # where it sits in the model, e.g. 'G.l2_5.0' (state_dict prefix)
    kind: str             # 'conv' (Conv2d) or 'deconv' (ConvTranspose2d)
    c_in: int
    c_out: int
    size: int             # input height = width
    kernel: int
    stride: int
    padding: int
    output_padding: int = 0
    bias: bool = True

    @property
    def out_size(self):
        if self.kind == "conv":
            return (self.size + 2 * self.padding - self.kernel) // self.stride + 1
        return (self.size - 1) * self.stride - 2 * self.padding + self.kernel + self.output_padding

    @property
    def weight_shape(self):
        """PyTorch's layouts: Conv2d (out, in, k, k), ConvTranspose2d (in, out, k, k)."""
        first, second = (self.c_out, self.c_in) if self.kind == "conv" else (self.c_in, self.c_out)
        return (first, second, self.kernel, self.kernel)

    @property
    def label(self):
        kind = "conv" if self.kind == "conv" else "deconv"
        return f"{self.name} {kind} {self.c_in}->{self.c_out} {self.size}->{self.out_size}"

    def forward_flops(self, batch):
        """Multiply-adds x 2 of one forward pass: 2 * N * OH * OW * Cout * Cin * KH * KW
        for a convolution.  A transposed convolution is the input-gradient of the
        convolution that maps its output back to its input, so it is counted as that
        convolution: 2 * N * H * W * Cin * Cout * KH * KW with H, W its *input*
        size (the taps that would fall on inserted zeros are not counted).  A
        backward pass (input and weight gradients) is twice the forward."""
        pixels = self.out_size ** 2 if self.kind == "conv" else self.size ** 2
        return 2 * batch * pixels * self.c_in * self.c_out * self.kernel ** 2


def dcgan_conv_layers(feature_dim=64, channels=3, image_size=64):
    """The convolutions of scratchgen's Generator / Discriminator (in call order)."""
    blocks = {32: 2, 64: 3}[image_size]
    width = feature_dim << blocks
    layers = []
    size = 4
    for i in range(blocks):
        layers.append(ConvLayer(f"G.l2_5.{i}.0", "deconv", width >> i, width >> (i + 1), size,
                                5, 2, 2, 1, bias=False))
        size *= 2
    layers.append(ConvLayer(f"G.l2_5.{blocks}", "deconv", feature_dim, channels, size, 5, 2, 2, 1))
    layers.append(ConvLayer("D.ls.0", "conv", channels, feature_dim, image_size, 4, 2, 1))
    size = image_size // 2
    for i in range(blocks):
        layers.append(ConvLayer(f"D.ls.{i + 2}.0", "conv", feature_dim << i, feature_dim << (i + 1),
                                size, 4, 2, 1))
        size //= 2
    layers.append(ConvLayer(f"D.ls.{blocks + 2}", "conv", feature_dim << blocks, 1, size, 4, 1, 0))
    return layers


def largest_layers(layers, batch=BATCH):
    """The layers with at least half the forward FLOPs of the heaviest one: those
    where an im2col design should get closest to the matrix-product rate."""
    most = max(layer.forward_flops(batch) for layer in layers)
    return [layer for layer in layers if layer.forward_flops(batch) >= most / 2]


# ----------------------------------------------------------------------------
# The workloads.  ``m`` is the library: autograd or torch.
# ----------------------------------------------------------------------------
def layer_arrays(layer, batch, seed=0):
    """float32 input, weight (N(0, 0.02), as DCGAN's init), bias (or None) and
    upstream gradient of one layer."""
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((batch, layer.c_in, layer.size, layer.size), dtype=numpy.float32)
    weight = (0.02 * rng.standard_normal(layer.weight_shape)).astype(numpy.float32)
    bias = (0.1 * rng.standard_normal(layer.c_out)).astype(numpy.float32) if layer.bias else None
    gy = rng.standard_normal((batch, layer.c_out, layer.out_size, layer.out_size), dtype=numpy.float32)
    return x, weight, bias, gy


def layer_inputs(m, layer, batch, device, seed=0):
    """(x, weight, bias, gy) as tensors of library ``m``; x and weight require grad."""
    x, weight, bias, gy = layer_arrays(layer, batch, seed)
    return (tensor(m, x, device, requires_grad=True), tensor(m, weight, device, requires_grad=True),
            None if bias is None else tensor(m, bias, device), tensor(m, gy, device))


def apply_layer(m, layer, x, weight, bias):
    F = m.nn.functional
    if layer.kind == "conv":
        return F.conv2d(x, weight, bias, stride=layer.stride, padding=layer.padding)
    return F.conv_transpose2d(x, weight, bias, stride=layer.stride, padding=layer.padding,
                              output_padding=layer.output_padding)


def forward(m, layer, x, weight, bias, gy):
    """The layer's forward pass, recording nothing for backward."""
    with m.no_grad():
        return apply_layer(m, layer, x, weight, bias)


def forward_backward(m, layer, x, weight, bias, gy):
    """Forward, then backward of ``gy``: fills x.grad and weight.grad."""
    x.grad = None
    weight.grad = None
    y = apply_layer(m, layer, x, weight, bias)
    y.backward(gy)
    return y


PASSES = {"fwd": (forward, 1), "fwd+bwd": (forward_backward, 3)}   # function, FLOPs / forward's


def check_layer(layer, libraries, batch, device):
    """Both libraries give the same output and gradients on this layer."""
    results = {}
    for name, m in libraries.items():
        x, weight, bias, gy = layer_inputs(m, layer, batch, device)
        y = forward_backward(m, layer, x, weight, bias, gy)
        results[name] = [as_numpy(y), as_numpy(x.grad), as_numpy(weight.grad)]
    if "torch" in results:
        for what, ours, theirs in zip(("output", "input grad", "weight grad"),
                                      results["autograd"], results["torch"]):
            assert_close(f"{layer.label}: {what}", ours, theirs)
    return results


def gflops_note(flops, median_us):
    return f"{flops / (median_us * 1e3):.1f} GFLOP/s"


def measure_layer(context, layer, batch, plan, pass_name):
    """{library: Summary} for one pass of one layer."""
    step, _ = PASSES[pass_name]
    contenders = {name: functools.partial(step, m, layer, *layer_inputs(m, layer, batch, context.device))
                  for name, m in context.libraries.items()}
    return time_libraries(context, contenders, plan)


def plan_for(context):
    if context.tiny:
        return Plan(rounds=1, batch_seconds=0.0, warmup_seconds=0.0)
    if context.quick:
        return Plan(rounds=3, batch_seconds=0.05, warmup_seconds=0.0, pause_seconds=PAUSE)
    return Plan(rounds=12, batch_seconds=0.25, warmup_seconds=0.2, pause_seconds=PAUSE)


def sizes_for(context):
    """(layers, batch): the seed's, or tiny ones for the tests."""
    if context.tiny:
        return dcgan_conv_layers(feature_dim=4, channels=3, image_size=32), 2
    return dcgan_conv_layers(), BATCH


def run(context):
    layers, batch = sizes_for(context)
    plan = plan_for(context)
    rows, timings, ceilings = [], {}, []
    from benchmarks.flops import ceiling_sample   # here: flops.py imports this module
    for layer in layers:
        # the flops family's matrix-product rate, sampled beside every layer so that
        # it spans the same minutes of machine drift as the layers' timings
        ceilings.append(ceiling_sample(context))
        check_layer(layer, context.libraries, batch, context.device)
        for pass_name, (_, flop_factor) in PASSES.items():
            summaries = measure_layer(context, layer, batch, plan, pass_name)
            flops = layer.forward_flops(batch) * flop_factor
            notes = {name: gflops_note(flops, s.median_us) for name, s in summaries.items()}
            timings[(layer.name, pass_name)] = {name: s.median_us for name, s in summaries.items()}
            rows += timing_rows("conv", f"{layer.label} {pass_name}", summaries, "ms",
                                MAX_RATIO if pass_name == "fwd+bwd" else None, notes)
    context.shared["conv"] = {"layers": layers, "batch": batch, "median_us": timings,
                              "matmul_gflops": ceilings}
    return rows
