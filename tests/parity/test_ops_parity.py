"""Every op, forward and backward, against PyTorch in float64 (rtol 1e-6).

Each case is one line: a name, a function written once against a module
namespace ``m`` (``autograd`` or ``torch``), the shapes of its inputs, and the
domain the inputs are drawn from (see ``helpers.DOMAINS``).  Domains keep the
inputs away from kinks and ties: ``nonzero`` for abs/relu, ``distinct`` for
max/min, ``positive`` for log/sqrt.

The whole module is skipped when torch is not installed.
"""
import math

import numpy
import pytest

pytest.importorskip("torch")

from .helpers import check_both_raise, check_parity, random_inputs  # noqa: E402

INF = math.inf


def case(name, fn, shapes, domain="real"):
    return pytest.param(fn, shapes, domain, id=name)


# ----------------------------------------------------------------------------
# Elementwise arithmetic, including broadcasting and Python-number operands
# ----------------------------------------------------------------------------
ELEMENTWISE = [
    case("add",                 lambda m, x, y: m.add(x, y),            [(3, 4), (3, 4)]),
    case("add_operator",        lambda m, x, y: x + y,                  [(3, 4), (3, 4)]),
    case("add_scalar",          lambda m, x: x + 2.5,                   [(3, 4)]),
    case("add_int_scalar",      lambda m, x: x + 2,                     [(3, 4)]),
    case("sub",                 lambda m, x, y: m.sub(x, y),            [(3, 4), (3, 4)]),
    case("rsub_scalar",         lambda m, x: 1.5 - x,                   [(3, 4)]),
    case("mul",                 lambda m, x, y: m.mul(x, y),            [(3, 4), (3, 4)]),
    case("mul_scalar",          lambda m, x: 3.0 * x,                   [(3, 4)]),
    case("div",                 lambda m, x, y: m.div(x, y),            [(3, 4), (3, 4)], "nonzero"),
    case("rdiv_scalar",         lambda m, x: 2.0 / x,                   [(3, 4)], "nonzero"),
    case("neg",                 lambda m, x: m.neg(x),                  [(3, 4)]),
    case("neg_operator",        lambda m, x: -x,                        [(3, 4)]),
    case("pow_tensor",          lambda m, x, y: m.pow(x, y),            [(3, 4), (3, 4)], "positive"),
    case("pow_scalar_int",      lambda m, x: x ** 3,                    [(3, 4)]),
    case("pow_scalar_float",    lambda m, x: m.pow(x, 2.5),             [(3, 4)], "positive"),
    case("pow_scalar_negative", lambda m, x: x ** -2,                   [(3, 4)], "nonzero"),
    case("rpow_scalar_base",    lambda m, x: 2.0 ** x,                  [(3, 4)]),
    case("exp",                 lambda m, x: m.exp(x),                  [(3, 4)]),
    case("log",                 lambda m, x: m.log(x),                  [(3, 4)], "positive"),
    case("log1p",               lambda m, x: m.log1p(x),                [(3, 4)], "above_minus_one"),
    case("sqrt",                lambda m, x: m.sqrt(x),                 [(3, 4)], "positive"),
    case("abs",                 lambda m, x: m.abs(x),                  [(3, 4)], "nonzero"),
    case("clamp_both",          lambda m, x: m.clamp(x, min=-0.5, max=0.5), [(4, 5)]),
    case("clamp_min_only",      lambda m, x: m.clamp(x, min=-0.3),      [(4, 5)]),
    case("clamp_max_method",    lambda m, x: x.clamp(max=0.2),          [(4, 5)]),
    case("maximum",             lambda m, x, y: m.maximum(x, y),        [(3, 4), (3, 4)]),
    case("minimum",             lambda m, x, y: m.minimum(x, y),        [(3, 4), (3, 4)]),
    case("where",               lambda m, x, y: m.where(x > 0, x, y),   [(3, 4), (3, 4)], "nonzero"),
    case("where_scalar_other",  lambda m, x: m.where(x > 0, x, 0.0),    [(3, 4)], "nonzero"),
    case("where_condition_only", lambda m, c, x, y: m.where(c > 0, x, y), [(3, 4), (3, 4), (3, 4)]),
    case("square_method",       lambda m, x: x.square(),                [(3, 4)]),
    case("chain",               lambda m, x, y: (m.exp(x) * y - x / 3).sqrt(), [(3, 4), (3, 4)], "positive"),
]

BROADCASTING = [
    case("add_row_col",         lambda m, x, y: x + y,                  [(3, 1), (1, 4)]),
    case("add_lower_rank",      lambda m, x, y: x + y,                  [(2, 3, 4), (4,)]),
    case("sub_scalar_tensor",   lambda m, x, y: x - y,                  [(3, 4), ()]),
    case("sub_lower_rank_left", lambda m, x, y: x - y,                  [(4,), (2, 3, 4)]),
    case("mul_middle_dim",      lambda m, x, y: x * y,                  [(2, 1, 4), (3, 1)]),
    case("div_broadcast",       lambda m, x, y: x / y,                  [(5, 1, 4), (3, 1)], "nonzero"),
    case("pow_broadcast",       lambda m, x, y: x ** y,                 [(3, 4), (4,)], "positive"),
    case("maximum_broadcast",   lambda m, x, y: m.maximum(x, y),        [(3, 1), (1, 4)]),
    case("minimum_broadcast",   lambda m, x, y: m.minimum(x, y),        [(2, 3, 4), (4,)]),
    case("where_broadcast",     lambda m, x, y: m.where(x > 0, x, y),   [(3, 4), (4,)], "nonzero"),
    case("where_broadcast_all", lambda m, c, x, y: m.where(c > 0, x, y), [(3, 4), (4,), (3, 1)]),
]

# ----------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------
REDUCTIONS = [
    case("sum_all",             lambda m, x: m.sum(x),                  [(3, 4)]),
    case("sum_dim",             lambda m, x: m.sum(x, dim=1),           [(3, 4)]),
    case("sum_negative_dim",    lambda m, x: x.sum(dim=-2),             [(2, 3, 4)]),
    case("sum_dim_tuple",       lambda m, x: m.sum(x, dim=(0, 2)),      [(2, 3, 4)]),
    case("sum_keepdim",         lambda m, x: m.sum(x, dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    case("mean_all",            lambda m, x: m.mean(x),                 [(3, 4)]),
    case("mean_dim",            lambda m, x: x.mean(dim=0),             [(3, 4)]),
    case("mean_dim_tuple_keepdim", lambda m, x: m.mean(x, dim=(1, 2), keepdim=True), [(2, 3, 4)]),
    case("var_all",             lambda m, x: m.var(x),                  [(3, 4)]),
    case("var_dim",             lambda m, x: m.var(x, dim=1),           [(3, 4)]),
    case("var_dim_tuple_keepdim", lambda m, x: m.var(x, dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    case("var_biased",          lambda m, x: m.var(x, dim=1, unbiased=False), [(3, 4)]),
    case("std_all",             lambda m, x: m.std(x),                  [(3, 4)]),
    case("std_dim",             lambda m, x: x.std(dim=0),              [(5, 4)]),
    case("std_dim_tuple_keepdim", lambda m, x: m.std(x, dim=(0, 1), keepdim=True), [(2, 3, 4)]),
    case("max_all",             lambda m, x: m.max(x),                  [(3, 4)], "distinct"),
    case("min_all",             lambda m, x: x.min(),                   [(3, 4)], "distinct"),
    case("max_dim",             lambda m, x: m.max(x, dim=1),           [(3, 4)], "distinct"),
    case("max_dim_keepdim",     lambda m, x: m.max(x, dim=0, keepdim=True), [(2, 3, 4)], "distinct"),
    case("min_dim",             lambda m, x: m.min(x, dim=-1),          [(2, 3, 4)], "distinct"),
    case("min_dim_method",      lambda m, x: x.min(dim=0),              [(3, 4)], "distinct"),
    case("max_dim_1d",          lambda m, x: m.max(x, 0),               [(5,)], "distinct"),
    case("max_two_tensors",     lambda m, x, y: m.max(x, y),            [(3, 4), (3, 4)]),
    case("amax_all",            lambda m, x: m.amax(x),                 [(3, 4)], "distinct"),
    case("amax_dim",            lambda m, x: m.amax(x, dim=1),          [(3, 4)], "distinct"),
    case("amax_dim_tuple",      lambda m, x: m.amax(x, dim=(0, 2), keepdim=True), [(2, 3, 4)], "distinct"),
    case("amin_dim",            lambda m, x: m.amin(x, dim=0),          [(3, 4)], "distinct"),
    case("amin_dim_tuple",      lambda m, x: x.amin(dim=(1, 2)),        [(2, 3, 4)], "distinct"),
    case("argmax_dim",          lambda m, x: m.argmax(x, dim=1),        [(3, 4)], "distinct"),
    case("argmin_all",          lambda m, x: m.argmin(x),               [(3, 4)], "distinct"),
    case("logsumexp_dim",       lambda m, x: m.logsumexp(x, dim=1),     [(3, 4)]),
    case("logsumexp_dim_tuple", lambda m, x: m.logsumexp(x, dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    case("logsumexp_negative_dim", lambda m, x: x.logsumexp(-1),       [(2, 3, 4)]),
    case("softmax",             lambda m, x: m.softmax(x, dim=1),       [(3, 4)]),
    case("softmax_dim0",        lambda m, x: x.softmax(0),              [(3, 4)]),
    case("softmax_3d",          lambda m, x: m.softmax(x, dim=-1),      [(2, 3, 4)]),
    case("log_softmax",         lambda m, x: m.log_softmax(x, dim=1),   [(3, 4)]),
    case("log_softmax_3d",      lambda m, x: x.log_softmax(0),          [(2, 3, 4)]),
    case("norm_2_all",          lambda m, x: m.norm(x),                 [(3, 4)]),
    case("norm_2_dim",          lambda m, x: m.norm(x, p=2, dim=1),     [(3, 4)]),
    case("norm_2_dim_keepdim",  lambda m, x: x.norm(p=2, dim=0, keepdim=True), [(3, 4)]),
    case("norm_2_dim_tuple",    lambda m, x: m.norm(x, dim=(0, 2)),     [(2, 3, 4)]),
    case("norm_1_all",          lambda m, x: m.norm(x, p=1),            [(3, 4)], "nonzero"),
    case("norm_1_dim",          lambda m, x: m.norm(x, p=1, dim=1),     [(3, 4)], "nonzero"),
    case("norm_inf_all",        lambda m, x: m.norm(x, p=INF),          [(3, 4)], "distinct"),
    case("norm_inf_dim",        lambda m, x: m.norm(x, p=INF, dim=1),   [(3, 4)], "distinct"),
    case("norm_3_dim",          lambda m, x: m.norm(x, p=3, dim=1),     [(3, 4)], "nonzero"),
]

# ----------------------------------------------------------------------------
# Shape ops and indexing
# ----------------------------------------------------------------------------
SHAPES = [
    case("reshape",             lambda m, x: m.reshape(x, (4, 3)),      [(3, 4)]),
    case("reshape_minus_one",   lambda m, x: x.reshape(2, -1),          [(2, 3, 4)]),
    case("view",                lambda m, x: x.view(6, 2),              [(3, 4)]),
    case("view_flat",           lambda m, x: x.view(-1),                [(2, 3, 4)]),
    case("transpose",           lambda m, x: m.transpose(x, 0, 1),      [(3, 4)]),
    case("transpose_3d",        lambda m, x: x.transpose(-1, 0),        [(2, 3, 4)]),
    case("T",                   lambda m, x: x.T,                       [(3, 4)]),
    case("permute",             lambda m, x: m.permute(x, (2, 0, 1)),   [(2, 3, 4)]),
    case("permute_method",      lambda m, x: x.permute(1, 2, 0),        [(2, 3, 4)]),
    case("squeeze_all",         lambda m, x: m.squeeze(x),              [(1, 3, 1, 4)]),
    case("squeeze_dim",         lambda m, x: x.squeeze(2),              [(1, 3, 1, 4)]),
    case("squeeze_dim_not_one", lambda m, x: x.squeeze(1),              [(1, 3, 1, 4)]),
    case("squeeze_dim_tuple",   lambda m, x: m.squeeze(x, (0, 2)),      [(1, 3, 1, 4)]),
    case("unsqueeze",           lambda m, x: m.unsqueeze(x, 1),         [(3, 4)]),
    case("unsqueeze_negative",  lambda m, x: x.unsqueeze(-1),           [(3, 4)]),
    case("flatten",             lambda m, x: m.flatten(x),              [(2, 3, 4)]),
    case("flatten_start_dim",   lambda m, x: m.flatten(x, 1),           [(2, 3, 4)]),
    case("flatten_middle",      lambda m, x: x.flatten(1, 2),           [(2, 3, 4, 5)]),
    case("flatten_0d",          lambda m, x: m.flatten(x),              [()]),
    case("expand",              lambda m, x: x.expand(3, 4),            [(3, 1)]),
    case("expand_new_dims",     lambda m, x: x.expand(2, -1, 4),        [(3, 1)]),
    case("broadcast_to",        lambda m, x: m.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    case("repeat",              lambda m, x: x.repeat(2, 3),            [(3, 4)]),
    case("repeat_new_dims",     lambda m, x: x.repeat(2, 1, 3),         [(3, 4)]),
    case("pad_last_dim",        lambda m, x: m.pad(x, (1, 2)),          [(3, 4)]),
    case("pad_two_dims_value",  lambda m, x: m.pad(x, (1, 2, 0, 1), value=0.5), [(2, 3, 4)]),
    case("pad_only_first_dim",  lambda m, x: m.pad(x, (0, 0, 2, 1)),    [(3, 4)]),
    case("cat",                 lambda m, x, y: m.cat([x, y]),          [(2, 4), (3, 4)]),
    case("cat_dim1_three",      lambda m, x, y, z: m.cat([x, y, z], dim=1), [(2, 1), (2, 3), (2, 2)]),
    case("cat_negative_dim",    lambda m, x, y: m.cat((x, y), dim=-1),  [(2, 3, 1), (2, 3, 4)]),
    case("stack",               lambda m, x, y: m.stack([x, y]),        [(3, 4), (3, 4)]),
    case("stack_last_dim",      lambda m, x, y, z: m.stack([x, y, z], dim=-1), [(3, 4), (3, 4), (3, 4)]),
    case("stack_one",           lambda m, x: m.stack([x], dim=1),       [(3, 4)]),
    case("split_size",          lambda m, x: m.split(x, 2, dim=1),      [(3, 5)]),
    case("split_sections",      lambda m, x: m.split(x, [1, 3], dim=0), [(4, 2)]),
    case("split_method",        lambda m, x: x.split(3),                [(7, 2)]),
    case("chunk",               lambda m, x: m.chunk(x, 3, dim=1),      [(2, 5)]),
    case("chunk_fewer",         lambda m, x: x.chunk(4),                [(6, 2)]),
    case("split_then_use_one",  lambda m, x: m.split(x, 2)[1] * 2,      [(6, 2)]),
]

GETITEM = [
    case("int",                 lambda m, x: x[1],                      [(3, 4)]),
    case("two_ints_0d",         lambda m, x: x[1, 2],                   [(3, 4)]),
    case("negative_int_slice",  lambda m, x: x[-1, 1:3],                [(3, 4)]),
    case("step_slice",          lambda m, x: x[:, ::2],                 [(3, 5)]),
    case("none",                lambda m, x: x[None, 1:, None],         [(3, 4)]),
    case("ellipsis",            lambda m, x: x[..., 0],                 [(2, 3, 4)]),
    case("int_list_repeats",    lambda m, x: x[[0, 2, 0]],              [(3, 4)]),
    case("int_list_negative",   lambda m, x: x[[-1, 0, -1]],            [(3, 4)]),
    case("int_tensor_repeats",  lambda m, x: x[m.tensor([2, 0, 2, 2])], [(3, 4)]),
    case("int_list_dim1",       lambda m, x: x[:, [1, 1, 3]],           [(3, 4)]),
    case("int_arrays_pairs",    lambda m, x: x[[0, 1, 1], [2, 2, 0]],   [(3, 4)]),
    case("int_array_2d",        lambda m, x: x[m.tensor([[0, 1], [1, 1]])], [(3, 4)]),
    case("mixed_slice_array_int", lambda m, x: x[1:, [0, 0, 2], 1],     [(3, 4, 2)]),
    case("bool_mask_elements",  lambda m, x: x[x > 0],                  [(3, 4)], "nonzero"),
    case("bool_mask_rows",      lambda m, x: x[m.tensor([True, False, True])], [(3, 4)]),
]

# ----------------------------------------------------------------------------
# Matrix products
# ----------------------------------------------------------------------------
MATMUL = [
    case("matmul_2d",           lambda m, x, y: m.matmul(x, y),         [(3, 4), (4, 5)]),
    case("matmul_operator",     lambda m, x, y: x @ y,                  [(3, 4), (4, 5)]),
    case("matmul_batched",      lambda m, x, y: x @ y,                  [(2, 3, 4), (2, 4, 5)]),
    case("matmul_batch_vs_2d",  lambda m, x, y: x @ y,                  [(2, 3, 4), (4, 5)]),
    case("matmul_2d_vs_batch",  lambda m, x, y: x @ y,                  [(3, 4), (2, 4, 5)]),
    case("matmul_batch_broadcast", lambda m, x, y: x @ y,               [(2, 1, 3, 4), (5, 4, 2)]),
    case("matmul_vec_vec",      lambda m, x, y: m.matmul(x, y),         [(4,), (4,)]),
    case("matmul_vec_mat",      lambda m, x, y: x @ y,                  [(4,), (4, 5)]),
    case("matmul_mat_vec",      lambda m, x, y: x @ y,                  [(3, 4), (4,)]),
    case("matmul_vec_batch",    lambda m, x, y: x @ y,                  [(4,), (2, 4, 5)]),
    case("matmul_batch_vec",    lambda m, x, y: x @ y,                  [(2, 3, 4), (4,)]),
    case("mm",                  lambda m, x, y: m.mm(x, y),             [(3, 4), (4, 5)]),
    case("bmm",                 lambda m, x, y: m.bmm(x, y),            [(2, 3, 4), (2, 4, 5)]),
]

# ----------------------------------------------------------------------------
# Activations (torch.nn.functional where torch has no top-level name)
# ----------------------------------------------------------------------------
ACTIVATIONS = [
    case("relu",                lambda m, x: m.relu(x),                 [(3, 4)], "nonzero"),
    case("relu_method",         lambda m, x: x.relu(),                  [(3, 4)], "nonzero"),
    case("leaky_relu",          lambda m, x: m.leaky_relu(x),           [(3, 4)], "nonzero"),
    case("leaky_relu_slope",    lambda m, x: m.leaky_relu(x, 0.2),      [(3, 4)], "nonzero"),
    case("sigmoid",             lambda m, x: m.sigmoid(x),              [(3, 4)]),
    case("tanh",                lambda m, x: m.tanh(x),                 [(3, 4)]),
    case("softplus",            lambda m, x: m.softplus(x),             [(3, 4)]),
    case("softplus_beta",       lambda m, x: m.softplus(x, beta=2.0),   [(3, 4)]),
    case("silu",                lambda m, x: m.silu(x),                 [(3, 4)]),
    case("elu",                 lambda m, x: m.elu(x),                  [(3, 4)], "nonzero"),
    case("elu_alpha",           lambda m, x: m.elu(x, alpha=0.5),       [(3, 4)], "nonzero"),
]

# ----------------------------------------------------------------------------
# Numerical stability: magnitudes up to 500 (exp(500) ~ 1e217, exp(-500) ~ 1e-217)
# ----------------------------------------------------------------------------
LARGE = [
    case("sigmoid_large",       lambda m, x: m.sigmoid(x),              [(4, 6)], "large"),
    case("softplus_large",      lambda m, x: m.softplus(x),             [(4, 6)], "large"),
    case("tanh_large",          lambda m, x: m.tanh(x),                 [(4, 6)], "large"),
    case("silu_large",          lambda m, x: m.silu(x),                 [(4, 6)], "large"),
    case("logsumexp_large",     lambda m, x: m.logsumexp(x, dim=1),     [(4, 6)], "large"),
    case("logsumexp_large_all", lambda m, x: m.logsumexp(x, dim=(0, 1)), [(4, 6)], "large"),
    case("softmax_large",       lambda m, x: m.softmax(x, dim=1),       [(4, 6)], "large"),
    case("log_softmax_large",   lambda m, x: m.log_softmax(x, dim=1),   [(4, 6)], "large"),
    case("log_softmax_large_dim0", lambda m, x: m.log_softmax(x, dim=0), [(4, 6)], "large"),
]


@pytest.mark.parametrize("fn, shapes, domain",
                         ELEMENTWISE + BROADCASTING + REDUCTIONS + SHAPES + GETITEM + MATMUL
                         + ACTIVATIONS + LARGE)
def test_parity(fn, shapes, domain):
    check_parity(fn, random_inputs(shapes, domain))


# ----------------------------------------------------------------------------
# Exactly at kinks and ties: the random cases above stay away from these points,
# so here each one is hit on purpose with hand-written inputs.  At such a point
# the derivative does not exist and PyTorch picks a convention (a subgradient);
# autograd's docstrings promise the same ones ("0 at x = 0, as PyTorch", "on
# ties each side gets half").
# ----------------------------------------------------------------------------
ROW_OF_ZEROS = [[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]]  # a zero row, and a tie (2, 2) in the other row


def at(name, fn, *arrays):
    return pytest.param(fn, arrays, id=name)


AT_KINKS_AND_TIES = [
    at("abs_at_zero",           lambda m, x: m.abs(x),                  ROW_OF_ZEROS),
    at("relu_at_zero",          lambda m, x: m.relu(x),                 ROW_OF_ZEROS),
    at("leaky_relu_at_zero",    lambda m, x: m.leaky_relu(x, 0.2),      ROW_OF_ZEROS),
    at("elu_at_zero",           lambda m, x: m.elu(x),                  ROW_OF_ZEROS),
    at("clamp_at_bounds",       lambda m, x: m.clamp(x, min=0.0, max=2.0), ROW_OF_ZEROS),
    at("maximum_tie",           lambda m, x, y: m.maximum(x, y),        [1.0, 2.0, 3.0], [1.0, 5.0, 3.0]),
    at("minimum_tie",           lambda m, x, y: m.minimum(x, y),        [1.0, 2.0, 3.0], [1.0, 5.0, 3.0]),
    at("max_all_tie",           lambda m, x: m.max(x),                  ROW_OF_ZEROS),
    at("amax_dim_tie",          lambda m, x: m.amax(x, dim=1),          ROW_OF_ZEROS),
    at("amin_dim_tie",          lambda m, x: m.amin(x, dim=1),          ROW_OF_ZEROS),
    at("norm_1_zero_row",       lambda m, x: m.norm(x, p=1, dim=1),     ROW_OF_ZEROS),
    at("norm_inf_zero_row",     lambda m, x: m.norm(x, p=INF, dim=1),   ROW_OF_ZEROS),
    at("norm_2_zero_row",       lambda m, x: m.norm(x, dim=1),          ROW_OF_ZEROS),
    at("norm_2_zero_tensor",    lambda m, x: m.norm(x),                 [0.0, 0.0, 0.0]),
    at("norm_3_zero_row",       lambda m, x: m.norm(x, p=3, dim=1),     ROW_OF_ZEROS),
    at("std_constant_row",      lambda m, x: m.std(x, dim=1),           [[1.5, 1.5, 1.5], [1.0, 2.0, 4.0]]),
]


@pytest.mark.parametrize("fn, arrays", AT_KINKS_AND_TIES)
def test_parity_at_kinks_and_ties(fn, arrays):
    check_parity(fn, [numpy.array(a, dtype=numpy.float64) for a in arrays])


# ----------------------------------------------------------------------------
# Bad inputs: both libraries raise, and autograd's message names the op and shapes
# ----------------------------------------------------------------------------
def error(name, fn, shapes, op, named_shapes=None):
    return pytest.param(fn, shapes, op, named_shapes or shapes, id=name)


ERRORS = [
    error("add_broadcast",      lambda m, x, y: x + y,                  [(3, 4), (2, 4)], "add"),
    error("sub_broadcast",      lambda m, x, y: m.sub(x, y),            [(3, 4), (3, 5)], "sub"),
    error("mul_broadcast",      lambda m, x, y: x * y,                  [(2, 3), (3, 2)], "mul"),
    error("div_broadcast",      lambda m, x, y: x / y,                  [(4,), (3,)], "div"),
    error("maximum_broadcast",  lambda m, x, y: m.maximum(x, y),        [(3, 4), (2, 4)], "maximum"),
    error("matmul_inner",       lambda m, x, y: x @ y,                  [(2, 3), (4, 5)], "matmul"),
    error("matmul_vector",      lambda m, x, y: m.matmul(x, y),         [(2, 3), (4,)], "matmul"),
    error("matmul_batch",       lambda m, x, y: x @ y,                  [(2, 3, 4), (3, 4, 5)], "matmul"),
    error("reshape_size",       lambda m, x: m.reshape(x, (5, 2)),      [(3, 4)], "reshape",
          [(3, 4), (5, 2)]),
    # view is reshape in autograd, and its message says "reshape"
    error("view_size",          lambda m, x: x.view(7, 2),              [(3, 4)], "reshape",
          [(3, 4), (7, 2)]),
    error("expand_size",        lambda m, x: x.expand(3, 4),            [(3, 2)], "expand",
          [(3, 2), (3, 4)]),
    error("cat_shapes",         lambda m, x, y: m.cat([x, y]),          [(2, 3), (2, 4)], "cat"),
    error("cat_dim1",           lambda m, x, y: m.cat([x, y], dim=1),   [(2, 3), (3, 3)], "cat"),
    error("stack_shapes",       lambda m, x, y: m.stack([x, y]),        [(2, 3), (3, 2)], "stack"),
]


@pytest.mark.parametrize("fn, shapes, op, named_shapes", ERRORS)
def test_both_raise(fn, shapes, op, named_shapes):
    check_both_raise(fn, random_inputs(shapes), op, named_shapes)
