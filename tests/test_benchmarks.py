"""The benchmark suite's workloads run, and agree between autograd and PyTorch.

No timing is asserted: these run the smallest pieces once, at tiny sizes, so
that the benchmark code cannot rot unnoticed.  The comparisons with PyTorch
run when torch is installed and are skipped otherwise.
"""
import json
import sys
from pathlib import Path

import numpy
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ lives at the root

import autograd  # noqa: E402
from benchmarks import common, conv, dcgan, flops, memory, overhead, processes, repeats  # noqa: E402
from benchmarks.__main__ import main  # noqa: E402
from scratchgen.models.gan import Discriminator, Generator  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def libraries(with_torch):
    return common.load_libraries("cpu", with_torch=with_torch)


# ----------------------------------------------------------------------------
# conv: the layer list is the models' layer list, and the workloads run
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("image_size, channels", [(64, 3), (32, 1)])
def test_conv_layer_specs_are_the_models_convolutions(image_size, channels):
    feature_dim = 4
    specs = conv.dcgan_conv_layers(feature_dim, channels, image_size)
    G = Generator(8, feature_dim, channels, image_size)
    D = Discriminator(channels, feature_dim, image_size)
    modules = {f"G.{name}": module for name, module in G.named_modules()}
    modules.update({f"D.{name}": module for name, module in D.named_modules()})
    convolutions = [name for name, module in modules.items()
                    if type(module).__name__ in ("Conv2d", "ConvTranspose2d")]
    assert [spec.name for spec in specs] == convolutions
    for spec in specs:
        module = modules[spec.name]
        assert type(module).__name__ == ("Conv2d" if spec.kind == "conv" else "ConvTranspose2d")
        assert tuple(module.weight.shape) == spec.weight_shape
        assert module.stride == (spec.stride,) * 2 and module.padding == (spec.padding,) * 2
        assert getattr(module, "output_padding", (0, 0)) == (spec.output_padding,) * 2
        assert (module.bias is not None) == spec.bias
    # the sizes chain: G grows 4x4 into the image, D shrinks the image to 1x1
    generator = [s for s in specs if s.name.startswith("G.")]
    discriminator = [s for s in specs if s.name.startswith("D.")]
    for chain, first, last in ((generator, 4, image_size), (discriminator, image_size, 1)):
        assert chain[0].size == first and chain[-1].out_size == last
        assert all(a.out_size == b.size for a, b in zip(chain, chain[1:]))


def test_seed_conv_flop_counts():
    layers = {layer.name: layer for layer in conv.dcgan_conv_layers()}
    assert layers["G.l2_5.0.0"].forward_flops(64) == 2 * 64 * 4 * 4 * 512 * 256 * 25
    assert layers["D.ls.2.0"].forward_flops(64) == 2 * 64 * 16 * 16 * 128 * 64 * 16
    largest = [layer.name for layer in conv.largest_layers(list(layers.values()))]
    assert largest == ["G.l2_5.0.0", "G.l2_5.1.0", "G.l2_5.2.0", "D.ls.2.0", "D.ls.3.0", "D.ls.4.0"]


@pytest.mark.parametrize("with_torch", [False, pytest.param(True, marks=needs_torch)])
def test_conv_workloads_run_and_agree(with_torch):
    libs = libraries(with_torch)
    for layer in conv.dcgan_conv_layers(feature_dim=4, channels=3, image_size=32):
        results = conv.check_layer(layer, libs, batch=2, device="cpu")   # compares when torch is there
        out, x_grad, w_grad = results["autograd"]
        assert out.shape == (2, layer.c_out, layer.out_size, layer.out_size)
        assert x_grad.shape == (2, layer.c_in, layer.size, layer.size)
        assert w_grad.shape == layer.weight_shape
        for name, m in libs.items():
            y = conv.forward(m, layer, *conv.layer_inputs(m, layer, 2, "cpu"))
            numpy.testing.assert_allclose(common.as_numpy(y), out, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------
# dcgan: the torch twin has autograd's parameters; the first losses agree
# ----------------------------------------------------------------------------
@needs_torch
def test_torch_twin_has_the_seed_models_parameters():
    TorchG, TorchD = dcgan.torch_twin_classes(torch)
    for ours, theirs in ((Generator(100, 64, 3, 64), TorchG(100, 64, 3, 64)),
                         (Discriminator(3, 64, 64), TorchD(3, 64, 64))):
        assert ([(k, tuple(v.shape)) for k, v in ours.state_dict().items()] ==
                [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()])


@pytest.mark.parametrize("with_torch", [False, pytest.param(True, marks=needs_torch)])
def test_dcgan_step_runs_and_first_losses_agree(with_torch):
    libs = libraries(with_torch)
    config = dcgan.TINY_CONFIG
    weights = dcgan.reference_weights(config)
    states = {name: dcgan.build(m, config, "cpu", weights) for name, m in libs.items()}
    losses = dcgan.check_first_losses(states, libs)                      # raises if they differ
    assert all(numpy.isfinite(pair).all() for pair in losses.values())
    before = common.as_numpy(states["autograd"].G.l1[0].weight)
    dcgan.dcgan_step(autograd, states["autograd"])
    assert not numpy.array_equal(before, common.as_numpy(states["autograd"].G.l1[0].weight))


# ----------------------------------------------------------------------------
# memory, flops, overhead
# ----------------------------------------------------------------------------
has_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")


@pytest.mark.parametrize("library, method", [
    pytest.param("autograd", "rss", marks=has_proc), ("autograd", "tracemalloc"),
    pytest.param("torch", "rss", marks=[needs_torch, has_proc])])
def test_memory_measurement_in_process(library, method):
    result = memory.measure_in_process(library, dcgan.TINY_CONFIG, "cpu", method, warmup=1)
    assert result["config"] == "tiny" and result["library"] == library
    if method == "tracemalloc":
        assert result["peak_bytes"] > 0
    else:
        # in this long-lived process the step may fit in memory freed since the baseline was
        # read, so the difference can be 0 or even negative; the benchmark itself measures in
        # a fresh process per library, where it is the step's growth
        assert result["baseline_bytes"] > 0 and isinstance(result["peak_bytes"], int)


def test_matmul_rate_is_positive():
    assert flops.matmul_gflops(numpy, size=64, repeats=2) > 0


def test_matmul_ceiling_is_sampled_beside_every_conv_layer():
    """The flops family compares the layers with the median of matrix-product rates
    taken beside each of them (one per layer, one of its own), not with one reading
    that machine drift may have put high or low."""
    context = common.Context("cpu", libraries(False), tiny=True)
    conv_rows = conv.run(context)
    samples = context.shared["conv"]["matmul_gflops"]
    assert len(samples) == len(conv.sizes_for(context)[0]) and all(s > 0 for s in samples)
    ceiling = flops.run(context)[0]
    assert ceiling.note.endswith(f"median of {len(samples) + 1}") and conv_rows


@pytest.mark.parametrize("with_torch", [False, pytest.param(True, marks=needs_torch)])
def test_overhead_family_runs(with_torch):
    context = common.Context("cpu", libraries(with_torch), tiny=True)
    rows = overhead.run(context)
    assert [r.workload for r in rows if r.library == "autograd"] == [w.name for w in overhead.WORKLOADS]


def test_whole_suite_runs_at_tiny_sizes(tmp_path):
    lines = []
    path = tmp_path / "results.json"
    rows = main(["--tiny", "--json", str(path)], out=lines.append)
    results = json.loads(path.read_text())
    assert set(results["families"]) == {"conv", "flops", "dcgan", "memory", "overhead"}
    assert {r["family"] for r in results["results"]} == set(results["families"])
    assert len(results["results"]) == len(rows)
    assert any(line.startswith("targets") for line in lines)
    expected_libraries = {"autograd", "torch"} if torch is not None else {"autograd"}
    assert {r["library"] for r in results["results"] if r["family"] == "dcgan"} == expected_libraries
    if torch is not None:
        assert all(r["ratio"] is not None for r in results["results"]
                   if r["family"] in ("conv", "dcgan", "overhead"))


def test_suite_runs_without_torch(tmp_path):
    rows = main(["--tiny", "--no-torch", "--only", "dcgan,memory,overhead"], out=lambda line: None)
    assert {r.library for r in rows} == {"autograd"}
    assert all(r.ratio is None and (r.verdict is None) for r in rows)


def target_row(workload, score, text="<= 1.5x torch", limit=1.5, at_most=True):
    row = common.Row("conv", workload, "autograd", 1.0, 0.0, "ms")
    common.set_target(row, text, score, limit, at_most)
    return row


def test_repeats_judge_each_target_on_the_median_of_its_passes():
    """A ratio met in one pass of three but missed on the median is NOT met; a percentage
    target (at least 60%) is judged the other way round; no torch gives no verdict."""
    passes = [[target_row("layer", ratio), target_row("rate", percent, ">= 60% of matmul", 60, False),
               target_row("alone", None)]
              for ratio, percent in [(1.40, 55.0), (1.60, 62.0), (1.55, 65.0)]]
    assert [r.verdict for r in passes[0]] == [True, False, None]
    layer, rate, alone = repeats.summarize_passes(passes)
    assert (layer["median"], layer["verdict"], layer["met_in"], layer["passes"]) == (1.55, False, 1, 3)
    assert layer["scores"] == [1.4, 1.6, 1.55]
    assert (rate["median"], rate["verdict"], rate["met_in"]) == (62.0, True, 2)
    assert alone["median"] is None and alone["verdict"] is None
    lines = []
    repeats.print_summary([layer, rate, alone], lines.append)
    assert any("NOT met (median 1.55x; passes 1.40x 1.60x 1.55x; met in 1 of 3)" in line for line in lines)
    assert any("met (median 62%" in line for line in lines)
    assert lines[-1].strip() == "1 of 2 targets met on the median"


def test_repeat_runs_every_family_again_and_writes_every_pass(tmp_path):
    lines = []
    path = tmp_path / "results.json"
    rows = main(["--tiny", "--only", "overhead", "--repeat", "2", "--json", str(path)], out=lines.append)
    results = json.loads(path.read_text())
    one_pass = len(overhead.WORKLOADS) * (2 if torch is not None else 1)
    assert results["passes"] == 2 and len(rows) == 2 * one_pass
    assert [r["pass"] for r in results["results"]] == [1] * one_pass + [2] * one_pass
    over_passes = results["targets_over_passes"]
    assert [t["workload"] for t in over_passes] == [w.name for w in overhead.WORKLOADS]
    assert all(t["passes"] == 2 for t in over_passes)
    assert any(line.startswith("targets over 2 passes") for line in lines)


def test_repeat_refuses_fewer_than_one_pass():
    with pytest.raises(SystemExit):
        main(["--repeat", "0"], out=lambda line: None)


def test_only_rejects_an_unknown_family():
    with pytest.raises(SystemExit):
        main(["--only", "nonsense"], out=lambda line: None)


def test_model_steps_times_a_real_training_step():
    """benchmarks.model_steps builds the family with its defaults and times train_step."""
    from benchmarks import model_steps
    times, batch = model_steps.time_steps("realnvp", seconds=0, warmup_steps=1)
    assert batch == 32 and len(times) == 5 and all(t > 0 for t in times)


def test_model_steps_takes_settings_as_train_does():
    """--set changes the timed configuration, and an unknown key is refused by name."""
    from benchmarks import model_steps
    family, _, batch = model_steps.build_family("realnvp", overrides={"batch_size": 8})
    assert batch == 8 and family.config["batch_size"] == 8
    with pytest.raises(ValueError, match="no_such_key"):
        model_steps.build_family("realnvp", overrides={"no_such_key": 1})


def test_the_machine_line_names_the_vector_extensions():
    """Ratios to PyTorch depend on AVX-512, so the figures record which units the CPU has."""
    import platform
    from benchmarks import common
    found = common.vector_extensions()
    if platform.machine() in ("x86_64", "AMD64"):
        assert found is not None
    assert found is None or found.startswith("none") or set(found.split()) <= {"AVX512F", "AVX2", "FMA3"}


@needs_torch
def test_separate_processes_alternate_and_ratios_are_pair_by_pair():
    """One pair, one step each: both children run the same workload source, each reports its
    time and peak memory, and the ratio is the pair's own."""
    result = processes.compare("lstm", pairs=2, steps=1, warmup=0)
    assert [len(result["runs"][library]) for library in processes.LIBRARIES] == [2, 2]
    for runs in result["runs"].values():
        assert all(r["seconds_per_step"] > 0 and r["peak_rss_mb"] > 10 for r in runs)
    expected = [a["seconds_per_step"] / t["seconds_per_step"]
                for a, t in zip(result["runs"]["autograd"], result["runs"]["torch"])]
    assert result["ratios"] == pytest.approx(expected)


@needs_torch
def test_family_workload_runs_one_step_in_each_library():
    """A family's workload (twins.py): scratchgen's DCGAN under autograd, its PyTorch twin under
    torch, one child process each, one step each."""
    assert {"dcgan", "vae", "pixelcnn", "realnvp", "wgan-gp", "ddpm"} <= set(processes.WORKLOADS)
    for library in processes.LIBRARIES:
        run = processes.run_child("dcgan", library, steps=1, warmup=0)
        assert run["library"] == library and run["seconds_per_step"] > 0 and run["peak_rss_mb"] > 10


# ----------------------------------------------------------------------------
# jobs.py: whole training jobs against a plain PyTorch loop over the twin
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["dcgan", "vae", "pixelcnn", "realnvp", "wgan-gp", "ddpm"])
def test_the_twin_job_trains_on_the_data_the_family_prepares(family):
    """The PyTorch program reads MNIST itself (it may not import autograd): its array must be
    what the family's own ``prepare`` makes of the same images."""
    from benchmarks import jobs, twins
    from scratchgen.data import load_mnist
    from scratchgen.train.registry import family_class
    images = load_mnist("train")[0][:50, None]
    config = twins.DEFAULTS[family]
    theirs = jobs.prepared_mnist(family, config)[:50]
    ours = family_class(family).prepare(images, config)
    assert theirs.dtype == ours.dtype and theirs.shape == ours.shape
    numpy.testing.assert_array_equal(theirs, ours)


def test_job_summary_pairs_each_job_with_its_own_twin_and_bare_run():
    from benchmarks import jobs
    runs = {"job": [{"seconds": 10.0, "peak_rss_mb": 300, "loop_images_per_s": 640.0},
                    {"seconds": 30.0, "peak_rss_mb": 500, "loop_images_per_s": 320.0}],
            "twin": [{"seconds": 5.0, "peak_rss_mb": 600, "loop_images_per_s": 1280.0},
                     {"seconds": 10.0, "peak_rss_mb": 500, "loop_images_per_s": 640.0}],
            "bare": [{"seconds_per_step": 0.05}, {"seconds_per_step": 0.2}]}
    summary = jobs.summarise("dcgan", 100, runs)                 # batch 64
    assert summary["job_over_twin"] == pytest.approx((2.0 + 3.0) / 2)
    assert summary["loop_over_twin_loop"] == pytest.approx(2.0)
    assert summary["loop_ms_per_step"] == pytest.approx((100 + 200) / 2)
    assert summary["loop_over_bare"] == pytest.approx((2.0 + 1.0) / 2)   # 100/50 and 200/200
    assert summary["memory_ratio"] == pytest.approx((0.5 + 1.0) / 2)


@needs_torch
def test_a_job_pair_runs_the_readme_command_the_twin_and_the_bare_step():
    from benchmarks import jobs
    result = jobs.compare("vae", steps=3, pairs=1, bare_count=1, warmup=0)
    assert result["job_seconds"] > 0 and result["twin_seconds"] > 0 and result["bare_ms_per_step"] > 0
    assert result["job_peak_rss_mb"] > 10 and result["twin_peak_rss_mb"] > 10


def test_keep_memory_times_autograd_with_and_without_the_setting():
    from benchmarks import keep_memory
    for keep in (True, False):
        assert keep_memory.seconds_per_step("lstm", keep, steps=1, warmup=0) > 0
