"""Convolution and transposed convolution: the im2col ops against their loop
definitions, and their first and second derivatives against finite differences,
over random valid configurations."""
import numpy
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd as torch
from autograd.nn import functional as F
from autograd.ops.conv import conv_output_size
from autograd.ops.conv_loops import conv2d_loops, conv_transpose2d_loops
from autograd.ops.im2col import is_batch_last


@st.composite
def conv_configs(draw, transposed=False, max_side=7):
    """A random valid (transposed) convolution: shapes, stride, padding, dilation, groups."""
    groups = draw(st.integers(1, 2))
    config = dict(
        batch=draw(st.integers(1, 3)),
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        kernel=(draw(st.integers(1, 5)), draw(st.integers(1, 5))),
        stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        padding=(draw(st.integers(0, 2)), draw(st.integers(0, 2))),
        dilation=(draw(st.integers(1, 2)), draw(st.integers(1, 2))),
        groups=groups,
        size=(draw(st.sampled_from([3, 5, 7][:max_side])), draw(st.integers(2, max_side))),
    )
    if transposed:
        config["output_padding"] = tuple(draw(st.integers(0, max(s, d) - 1))
                                         for s, d in zip(config["stride"], config["dilation"]))
        out = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in zip(
            config["size"], config["stride"], config["padding"], config["dilation"],
            config["kernel"], config["output_padding"])]
        assume(min(out) >= 1)
    else:
        out = [conv_output_size(n, k, s, p, d) for n, k, s, p, d in zip(
            config["size"], config["kernel"], config["stride"], config["padding"], config["dilation"])]
        assume(min(out) >= 1)
    return config


def make_inputs(config, transposed, rng):
    c, o, g = config["in_channels"], config["out_channels"], config["groups"]
    x = rng.standard_normal((config["batch"], c) + config["size"])
    weight_shape = (c, o // g) if transposed else (o, c // g)
    w = rng.standard_normal(weight_shape + config["kernel"])
    b = rng.standard_normal(o)
    return x, w, b


def conv_args(config):
    return dict(stride=config["stride"], padding=config["padding"], dilation=config["dilation"],
                groups=config["groups"])


def transpose_args(config):
    return dict(conv_args(config), output_padding=config["output_padding"])


@given(conv_configs(), st.integers(0, 2**16))
def test_conv2d_matches_its_loop_definition(config, seed):
    x, w, b = make_inputs(config, False, numpy.random.default_rng(seed))
    fast = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **conv_args(config))
    numpy.testing.assert_allclose(fast.numpy(), conv2d_loops(x, w, b, **conv_args(config)), atol=1e-12)


@given(conv_configs(transposed=True), st.integers(0, 2**16))
def test_conv_transpose2d_matches_its_loop_definition(config, seed):
    x, w, b = make_inputs(config, True, numpy.random.default_rng(seed))
    fast = F.conv_transpose2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **transpose_args(config))
    slow = conv_transpose2d_loops(x, w, b, **transpose_args(config))
    numpy.testing.assert_allclose(fast.numpy(), slow, atol=1e-12)


def leaves(*arrays):
    return tuple(torch.tensor(a, requires_grad=True) for a in arrays)


@settings(max_examples=15)
@given(conv_configs(), st.integers(0, 2**16))
def test_conv2d_gradient(config, seed):
    x, w, b = leaves(*make_inputs(config, False, numpy.random.default_rng(seed)))
    torch.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **conv_args(config)), (x, w, b))


@settings(max_examples=15)
@given(conv_configs(transposed=True), st.integers(0, 2**16))
def test_conv_transpose2d_gradient(config, seed):
    x, w, b = leaves(*make_inputs(config, True, numpy.random.default_rng(seed)))
    torch.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, **transpose_args(config)), (x, w, b))


@settings(max_examples=6)
@given(conv_configs(max_side=5), st.integers(0, 2**16))
def test_conv2d_second_derivative(config, seed):
    x, w, _ = leaves(*make_inputs(config, False, numpy.random.default_rng(seed)))
    torch.gradgradcheck(lambda x, w: F.conv2d(x, w, **conv_args(config)), (x, w))


@settings(max_examples=6)
@given(conv_configs(transposed=True, max_side=5), st.integers(0, 2**16))
def test_conv_transpose2d_second_derivative(config, seed):
    x, w, _ = leaves(*make_inputs(config, True, numpy.random.default_rng(seed)))
    torch.gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, **transpose_args(config)), (x, w))


def test_conv_transpose_is_the_input_gradient_of_conv():
    """<conv(x), y> = <x, conv_transpose(y)> for the same weight: the two are adjoint."""
    rng = numpy.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((2, 4, 9, 8)))
    w = torch.tensor(rng.standard_normal((6, 2, 3, 2)))
    args = dict(stride=2, padding=1, dilation=(1, 2), groups=2)
    y = torch.tensor(rng.standard_normal(F.conv2d(x, w, **args).shape))
    left = (F.conv2d(x, w, **args) * y).sum().item()
    right = (x * F.conv_transpose2d(y, w, output_padding=(0, 1), **args)).sum().item()
    assert left == pytest.approx(right, rel=1e-12)


def test_conv_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"conv2d: expected input \(N, 3, H, W\) for weight \(8, 3, 3, 3\)"):
        F.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(8, 3, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 3, 2, 2\) is too small"):
        F.conv2d(torch.zeros(1, 3, 2, 2), torch.zeros(8, 3, 3, 3))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(torch.zeros(1, 3, 4, 4), torch.zeros(3, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="groups=2 must divide"):
        F.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(3, 2, 3, 3), groups=2)


@st.composite
def stride_one_configs(draw):
    """Stride 1, one group and unequal channel counts: the configurations where conv2d and
    conv_transpose2d may take their dual route (the side with fewer channels)."""
    channels = draw(st.lists(st.integers(1, 4), min_size=2, max_size=2, unique=True))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(draw(st.integers(0, d * (k - 1))) for k, d in zip(kernel, dilation))
    size = (draw(st.integers(3, 6)), draw(st.integers(3, 6)))
    # both the convolution and the transposed convolution of these settings have an output
    assume(all(n - d * (k - 1) + 2 * p >= 1 and n + d * (k - 1) - 2 * p >= 1
               for n, k, p, d in zip(size, kernel, padding, dilation)))
    return dict(batch=draw(st.integers(1, 2)), in_channels=channels[0], out_channels=channels[1],
                kernel=kernel, stride=(1, 1), padding=padding, dilation=dilation, groups=1, size=size,
                output_padding=(0, 0))


@settings(max_examples=30)
@given(stride_one_configs(), st.integers(0, 2**16))
def test_stride_one_routes_match_the_loops_and_finite_differences(config, seed):
    """Narrowing or widening, both ops and all three gradients stay right on either route."""
    rng = numpy.random.default_rng(seed)
    for transposed, op, loops, args in ((False, F.conv2d, conv2d_loops, conv_args(config)),
                                        (True, F.conv_transpose2d, conv_transpose2d_loops,
                                         transpose_args(config))):
        x, w, b = make_inputs(config, transposed, rng)
        numpy.testing.assert_allclose(op(torch.tensor(x), torch.tensor(w), torch.tensor(b), **args).numpy(),
                                      loops(x, w, b, **args), atol=1e-12)
        torch.gradcheck(lambda x, w: op(x, w, **args), leaves(x, w))


def batch_last(array):
    """The same values, laid out in memory as (C, H, W, N), the order col2im writes."""
    return numpy.ascontiguousarray(array.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def values_and_gradients(op, x, w, gy, args):
    x, w = leaves(x, w)
    y = op(x, w, **args)
    y.backward(torch.tensor(gy))
    return y.detach().numpy(), x.grad.numpy(), w.grad.numpy()


@settings(max_examples=30)
@given(st.booleans(), st.data(), st.integers(0, 2**16))
def test_every_memory_order_of_input_and_gradient_gives_the_same_results(transposed, data, seed):
    """im2col lists output pixels batch-last or channel-major, chosen from the memory
    order of the arrays each op is handed: all four orders of (x, upstream gradient)
    must give the same output and gradients."""
    config = data.draw(conv_configs(transposed=transposed))
    op, args = (F.conv_transpose2d, transpose_args(config)) if transposed else (F.conv2d, conv_args(config))
    rng = numpy.random.default_rng(seed)
    x, w, _ = make_inputs(config, transposed, rng)
    gy = rng.standard_normal(op(torch.tensor(x), torch.tensor(w), **args).shape)
    reference = values_and_gradients(op, x, w, gy, args)
    for x_order in (x, batch_last(x)):
        for gy_order in (gy, batch_last(gy)):
            for ours, theirs in zip(values_and_gradients(op, x_order, w, gy_order, args), reference):
                numpy.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_strided_convolutions_hand_on_batch_last_outputs():
    """A stride-2 convolution gathers batch-last columns (runs of N contiguous numbers)
    and its output keeps that order, so that the next convolution's padded copy is a
    straight copy; stride 1 on a plain input, widening, stays channel-major."""
    rng = numpy.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((4, 3, 8, 8)))
    w1, w2 = torch.tensor(rng.standard_normal((5, 3, 4, 4))), torch.tensor(rng.standard_normal((6, 5, 3, 3)))
    h = F.conv2d(x, w1, stride=2, padding=1)
    assert is_batch_last(h.array)
    assert is_batch_last(F.conv2d(torch.nn.functional.leaky_relu(h, 0.2), w2, padding=1).array)
    assert not is_batch_last(F.conv2d(x, torch.tensor(rng.standard_normal((6, 3, 3, 3))), padding=1).array)
    # a transposed convolution writes batch-last, and cropping its padding keeps that
    assert is_batch_last(F.conv_transpose2d(h, w1, stride=2, padding=1).array)


@pytest.mark.parametrize("stride, dilation, output_padding", [(2, 1, 1), (3, 2, 0), (1, 1, 0)])
def test_transposed_convolution_to_few_channels_scatters_channel_major(stride, dilation, output_padding):
    """With more input channels than output rows to scatter (C_in >= C_out*KH*KW), col2im
    works in the input's own channel-major order instead of transposing it: the same
    values as the loops, and an output that is not batch-last."""
    rng = numpy.random.default_rng(1)
    x, w = rng.standard_normal((3, 20, 5, 4)), rng.standard_normal((20, 2, 3, 3))
    args = dict(stride=stride, padding=1, output_padding=output_padding, dilation=dilation)
    y = F.conv_transpose2d(torch.tensor(x), torch.tensor(w), **args)
    numpy.testing.assert_allclose(y.numpy(), conv_transpose2d_loops(x, w, None, **args), atol=1e-12)
    assert not is_batch_last(y.array)
    assert is_batch_last(F.conv_transpose2d(torch.tensor(batch_last(x)), torch.tensor(w), **args).array)


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.data())
def test_assign_copies_into_either_memory_order_from_either(n, c, h, w, data):
    """``_assign`` moves rows first when the target lies batch-last and x does not; the
    values must be those of a plain copy, for every pair of orders, crops included."""
    from autograd.ops.im2col import _assign
    x = numpy.random.default_rng(n * c * h * w).standard_normal((n, c, h, w))
    source = x if data.draw(st.booleans()) else batch_last(x)
    if data.draw(st.booleans()):
        target = numpy.zeros((c, h + 2, w + 3, n)).transpose(3, 0, 1, 2)[:, :, 1:-1, 2:-1]
    else:
        target = numpy.zeros((n, c, h + 2, w + 3))[:, :, 1:-1, 2:-1]
    _assign(target, source)
    numpy.testing.assert_array_equal(target, x)
