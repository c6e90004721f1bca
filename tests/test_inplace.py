"""In-place changes can never corrupt a gradient (issue [1 of 7]).

A tensor changed in place after an op used it, and before backward, either
leaves the gradient right (the op's backward does not read it) or makes
backward refuse with PyTorch's error.  Changes that gradients flow through
(``x.add_(w)``, ``z[i] = w``) are recorded in the graph.
"""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as torch
import autograd.nn.functional as F

from strategies import ANY, arrays

VERSION_ERROR = "modified by an inplace operation"


# ----------------------------------------------------------------------------
# The two silent wrong gradients of the issue
# ----------------------------------------------------------------------------
def test_changing_a_saved_tensor_in_place_makes_backward_refuse():
    w = torch.tensor([1., 2.], requires_grad=True)
    x = torch.tensor([3., 4.])
    y = (w * x).sum()
    x.add_(10)
    with pytest.raises(RuntimeError, match=VERSION_ERROR) as info:
        y.backward()
    message = str(info.value)
    assert "Mul" in message and "(2,)" in message
    assert "version 1; expected version 0" in message


def test_item_assignment_counts_as_a_change():
    w = torch.tensor([1., 2.], requires_grad=True)
    x = torch.tensor([3., 4.])
    y = (w * x).sum()
    x[0] = 100
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        y.backward()


def test_a_change_under_no_grad_is_counted_and_an_unread_one_is_allowed():
    # w's own value is not read by backward (x does not require grad), so the
    # gradient [3, 4] is still right, and PyTorch allows it too
    w = torch.tensor([1., 2.], requires_grad=True)
    x = torch.tensor([3., 4.])
    y = (w * x).sum()
    with torch.no_grad():
        w.mul_(0)
    y.backward()
    assert w.grad.tolist() == [3., 4.]
    assert w._version == 1


def test_an_optimizer_step_before_a_second_backward_is_caught():
    # the GAN pattern: h = relu(x @ w1) @ w2 reads w2 for h's gradient
    torch.manual_seed(0)
    w1 = torch.randn(3, 4, requires_grad=True)
    w2 = torch.randn(4, 1, requires_grad=True)
    x = torch.randn(5, 3)
    out = (x @ w1).relu() @ w2
    loss_a, loss_b = out.sum(), (out ** 2).sum()
    optimizer = torch.optim.SGD([w1, w2], lr=0.1)
    loss_a.backward(retain_graph=True)
    optimizer.step()
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        loss_b.backward()


def test_slice_assignment_keeps_the_graph():
    w = torch.ones(3, requires_grad=True)
    z = torch.zeros(5)
    z[1:4] = w * 2
    z.sum().backward()
    assert w.grad.tolist() == [2., 2., 2.]


def test_slice_assignment_into_a_tensor_in_the_graph_reaches_both_sides():
    x = torch.tensor([1., 2., 3., 4.], requires_grad=True)
    w = torch.tensor([10., 20.], requires_grad=True)
    z = x * 1
    z[1:3] = w ** 2
    (z * torch.tensor([1., 2., 3., 4.])).sum().backward()
    assert x.grad.tolist() == [1., 0., 0., 4.]          # the overwritten part gets nothing
    assert w.grad.tolist() == [2 * 10 * 2., 2 * 20 * 3.]


def test_columns_written_one_at_a_time_as_an_autoregressive_flow_does():
    torch.manual_seed(0)
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    u = torch.zeros(4, 3, dtype=torch.float64)
    for i in range(3):
        shift = u[:, :i].sum(1) if i else torch.zeros(4, dtype=torch.float64)
        u[:, i] = x[:, i] * 2 + shift
    u.sum().backward()
    # u0 = 2 x0, u1 = 2 x1 + u0, u2 = 2 x2 + u0 + u1 = 2 x2 + 2 x1 + 4 x0
    assert x.grad[0].tolist() == [2. + 2. + 4., 2. + 2., 2.]


# ----------------------------------------------------------------------------
# Recorded in-place changes: leaves, views, +=
# ----------------------------------------------------------------------------
def test_a_leaf_that_requires_grad_refuses_in_place_change_in_grad_mode():
    a = torch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        a.add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        a[0].add_(1)
    with torch.no_grad():
        a.add_(1)   # allowed: an update outside the graph
    assert a._version == 1


def test_in_place_on_a_non_leaf_is_recorded():
    x = torch.tensor([1., 2.], requires_grad=True)
    w = torch.tensor([3., 5.], requires_grad=True)
    h = x * 2
    h.mul_(w)       # reads h's old value for w's gradient: a copy is kept
    h.add_(x)
    h.sum().backward()
    assert x.grad.tolist() == [2 * 3. + 1, 2 * 5. + 1]
    assert w.grad.tolist() == [2., 4.]


def test_plus_equals_changes_the_tensor_itself_as_in_pytorch():
    w = torch.tensor([1., 2.], requires_grad=True)
    alias = w.detach()
    with torch.no_grad():
        w -= 0.5 * torch.ones(2)
    assert w.is_leaf and w.requires_grad       # still the parameter (manual SGD works)
    assert alias.tolist() == [0.5, 1.5]


def test_a_write_into_a_view_is_a_write_into_its_base():
    base = torch.zeros(2, 3)
    w = torch.ones(3, requires_grad=True)
    row = base[0]
    row.add_(w * 2)
    assert base.creator is not None and row.creator is not None
    base.sum().backward()
    assert w.grad.tolist() == [2., 2., 2.]


def test_indexed_plus_equals_through_a_view():
    x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    h = x * 1
    h[:, 0] += 10
    h[:, 1] *= 3
    (h * torch.tensor([[1., 2.], [3., 4.]])).sum().backward()
    assert h.tolist() == [[11., 6.], [13., 12.]]
    assert x.grad.tolist() == [[1., 6.], [3., 12.]]


def test_a_view_made_before_its_base_changed_follows_the_base():
    w = torch.ones(3, requires_grad=True)
    z = torch.zeros(5)
    middle = z[1:4]
    z[1:4] = w * 2
    middle.sum().backward()
    assert w.grad.tolist() == [2., 2., 2.]


def test_writing_into_an_expanded_tensor_is_refused():
    x = torch.zeros(1, 3).expand(4, 3)
    with pytest.raises(RuntimeError, match="more than one element"):
        x.add_(1)


def test_in_place_result_must_keep_shape_and_a_dtype_it_can_hold():
    x = torch.zeros(3)
    with pytest.raises(RuntimeError, match=r"output with shape \(3,\) doesn't match the broadcast shape \(2, 3\)"):
        x.add_(torch.ones(2, 3))
    n = torch.zeros(3, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="can't be cast"):
        n.add_(1.5)


# ----------------------------------------------------------------------------
# .data is a Tensor outside the graph; .detach() shares the version counter
# ----------------------------------------------------------------------------
def test_data_is_a_tensor_over_the_same_memory_outside_the_graph():
    p = torch.tensor([-2., 0.5, 3.], requires_grad=True)
    y = (p * p).sum()
    assert isinstance(p.data, torch.Tensor) and not p.data.requires_grad
    assert p.data.size(0) == 3
    p.data.clamp_(-1, 1)                  # WGAN's weight clipping, unversioned
    assert p.tolist() == [-1., 0.5, 1.]
    assert p._version == 0
    values, indices = torch.max(torch.tensor([[1., 5.], [7., 2.]]).data, 1)
    assert indices.tolist() == [1, 0] and values.tolist() == [5., 7.]
    y.backward()                          # the documented escape hatch: no error


def test_data_can_be_assigned():
    p = torch.zeros(2, requires_grad=True)
    p.data = torch.ones(3)
    assert p.shape == (3,) and p.requires_grad


def test_detach_shares_the_version_counter():
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    y.detach().zero_()
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        y.sum().backward()


# ----------------------------------------------------------------------------
# Every op: a change in place after forward is caught or harmless
# ----------------------------------------------------------------------------
def _conv(x, w):
    return F.conv2d(x.reshape(1, 1, 3, 3), w.reshape(2, 1, 2, 2))


def _conv_transpose(x, w):
    return F.conv_transpose2d(x.reshape(1, 2, 2, 2), w.reshape(2, 1, 2, 2), stride=2)


def _index_put_copy(a, b):
    out = a * 1
    out[1:3] = b
    return out


OPS = {   # name: (function, the input shapes, whether inputs must be positive / in (0, 1))
    "add": (lambda a, b: a + b, [(2, 3), (3,)], None),
    "sub": (lambda a, b: a - b, [(2, 3), (2, 3)], None),
    "mul": (lambda a, b: a * b, [(2, 3), (3,)], None),
    "div": (lambda a, b: a / b, [(2, 3), (2, 3)], "positive"),
    "pow": (lambda a, b: a ** b, [(4,), (4,)], "positive"),
    "neg": (lambda a: -a, [(4,)], None),
    "exp": (torch.exp, [(4,)], None),
    "log": (torch.log, [(4,)], "positive"),
    "log1p": (torch.log1p, [(4,)], "positive"),
    "sqrt": (torch.sqrt, [(4,)], "positive"),
    "abs": (torch.abs, [(4,)], None),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), [(6,)], None),
    "maximum": (torch.maximum, [(4,), (4,)], None),
    "where": (lambda a, b: torch.where(a > 0, a, b), [(4,), (4,)], None),
    "clone": (lambda a: a.clone(), [(4,)], None),
    "cast": (lambda a: a.float(), [(4,)], None),
    "matmul": (torch.matmul, [(2, 3), (3, 2)], None),
    "sum": (lambda a: a.sum(0), [(2, 3)], None),
    "amax": (lambda a: a.amax(1), [(2, 3)], None),
    "max_dim": (lambda a: a.max(1)[0], [(2, 3)], None),
    "logsumexp": (lambda a: a.logsumexp(1), [(2, 3)], None),
    "softmax": (lambda a: a.softmax(1), [(2, 3)], None),
    "log_softmax": (lambda a: a.log_softmax(1), [(2, 3)], None),
    "norm": (lambda a: a.norm(), [(2, 3)], None),
    "reshape": (lambda a: a.reshape(3, 2), [(2, 3)], None),
    "permute": (lambda a: a.permute(1, 0), [(2, 3)], None),
    "expand": (lambda a: a.expand(2, 3), [(3,)], None),
    "getitem": (lambda a: a[1:, ::2], [(3, 3)], None),
    "getitem_array": (lambda a: a[[2, 0]], [(3, 2)], None),
    "cat": (lambda a, b: torch.cat([a, b]), [(2,), (3,)], None),
    "split": (lambda a: a.split(2)[1], [(5,)], None),
    "pad": (lambda a: F.pad(a, (1, 2)), [(3,)], None),
    "relu": (torch.relu, [(6,)], None),
    "leaky_relu": (F.leaky_relu, [(6,)], None),
    "sigmoid": (torch.sigmoid, [(4,)], None),
    "silu": (F.silu, [(4,)], None),
    "tanh": (torch.tanh, [(4,)], None),
    "softplus": (F.softplus, [(4,)], None),
    "elu": (F.elu, [(6,)], None),
    "conv2d": (_conv, [(9,), (8,)], None),
    "conv_transpose2d": (_conv_transpose, [(8,), (8,)], None),
    "layer_norm": (lambda a: F.layer_norm(a, (3,)), [(2, 3)], None),
    "batch_norm": (lambda a, w: F.batch_norm(a, None, None, w, None, training=True), [(4, 2), (2,)], None),
    "binary_cross_entropy": (F.binary_cross_entropy, [(4,), (4,)], "probability"),
    "max_pool2d": (lambda a: F.max_pool2d(a.reshape(1, 1, 4, 4), 2), [(16,)], None),
    "avg_pool2d": (lambda a: F.avg_pool2d(a.reshape(1, 1, 4, 4), 2), [(16,)], None),
    "mse_loss": (F.mse_loss, [(4,), (4,)], None),
    "index_put": (_index_put_copy, [(4,), (2,)], None),
    "tan": (torch.tan, [(4,)], "probability"),
    "sinh": (torch.sinh, [(4,)], None),
    "cosh": (torch.cosh, [(4,)], None),
    "asin": (torch.asin, [(4,)], "probability"),
    "acos": (torch.acos, [(4,)], "probability"),
    "atan": (torch.atan, [(4,)], None),
    "atanh": (torch.atanh, [(4,)], "probability"),
    "lgamma": (torch.lgamma, [(4,)], "positive"),
    "digamma": (torch.digamma, [(4,)], "positive"),
    "polygamma": (lambda a: torch.polygamma(2, a), [(4,)], "positive"),
    "erfinv": (torch.erfinv, [(4,)], "probability"),
    "scatter_add": (lambda a, b: a.scatter_add(0, torch.tensor([[1, 0], [1, 2]]), b),
                    [(3, 2), (2, 2)], None),
    "pad_reflect": (lambda a: F.pad(a.reshape(1, 4), (2, 1), mode="reflect"), [(4,)], None),
}

# Inputs that no backward reads, where PyTorch allows the change too: it must be allowed.
NOT_READ = {"add": (0, 1), "sub": (0, 1), "neg": (0,), "exp": (0,), "sqrt": (0,), "clone": (0,),
            "cast": (0,), "sum": (0,), "softmax": (0,), "log_softmax": (0,), "reshape": (0,),
            "permute": (0,), "expand": (0,), "getitem": (0,), "getitem_array": (0,), "cat": (0, 1),
            "split": (0,), "pad": (0,), "sigmoid": (0,), "tanh": (0,), "index_put": (0, 1),
            "tan": (0,), "erfinv": (0,), "scatter_add": (0, 1), "pad_reflect": (0,)}


def _inputs(shapes, kind, draw):
    result = []
    for shape in shapes:
        values = numpy.asarray(draw(arrays(shape, ANY)), dtype=numpy.float64)
        if kind == "positive":
            values = numpy.abs(values) + 0.5
        elif kind == "probability":
            values = 0.1 + 0.7 / (1 + numpy.exp(-values))
        result.append(values)
    return result


def _gradients(fn, values, upstream, change=None):
    """The gradients of <upstream, fn(inputs)>, with ``change(inputs, output)`` made
    between forward and backward; None if backward refused."""
    inputs = [torch.tensor(v, requires_grad=True) for v in values]
    out = fn(*inputs)
    if change is not None:
        change(inputs, out)
    try:
        grads = torch.autograd.grad(out, inputs, torch.tensor(upstream, dtype=out.dtype),
                                    allow_unused=True)
    except RuntimeError as err:
        assert VERSION_ERROR in str(err), err
        return None
    return [numpy.zeros_like(v) if g is None else g.numpy() for g, v in zip(grads, values)]


def _nudge(t):
    t.mul_(1.1).add_(0.02)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_a_tensor_changed_after_forward_is_caught_or_harmless(name, data):
    fn, shapes, kind = OPS[name]
    values = _inputs(shapes, kind, data.draw)
    with torch.no_grad():
        shape = fn(*[torch.tensor(v) for v in values]).shape
    upstream = numpy.asarray(data.draw(arrays(tuple(shape), ANY)), dtype=numpy.float64) + 1.5
    reference = _gradients(fn, values, upstream)
    targets = [("input", i) for i in range(len(values))]
    if name != "expand":   # an expanded output cannot be written (PyTorch refuses it too)
        targets.append(("output", 0))
    for kind_, index in targets:
        def pick(inputs, out):
            return inputs[index] if kind_ == "input" else out

        def change_counted(inputs, out):
            with torch.no_grad():
                _nudge(pick(inputs, out))

        def change_uncounted(inputs, out):
            _nudge(pick(inputs, out).data)

        counted = _gradients(fn, values, upstream, change_counted)
        uncounted = _gradients(fn, values, upstream, change_uncounted)
        harmless = all(numpy.allclose(u, r) for u, r in zip(uncounted, reference))
        if not harmless:   # backward reads it: the counted change must be refused
            assert counted is None, f"{name}: {kind_} {index} changed the gradient silently"
        elif counted is not None:
            for c, r in zip(counted, reference):
                numpy.testing.assert_allclose(c, r, err_msg=f"{name}: {kind_} {index} changed")
        if kind_ == "input" and index in NOT_READ.get(name, ()):
            assert counted is not None, f"{name}: input {index} is not read, the change must be allowed"
