"""The backward pass itself: ordering, accumulation, freeing, higher order, grad()."""
import numpy
import pytest

import autograd as torch
from autograd import Function, Tensor


def test_chain_of_ten_thousand_ops_backpropagates_without_recursion():
    x = torch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 10_000, rel=1e-3)


def test_gradients_accumulate_across_backward_calls():
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 10).sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), [2 * 2.0 + 10, 2 * 3.0 + 10])


def test_non_leaf_used_twice_receives_the_sum_of_both_paths():
    x = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
    h = x.exp()               # used by both branches below
    y = h * 3 + h.log()       # dy/dh = 3 + 1/h, dh/dx = h
    y.sum().backward()
    expected = (3 + 1 / numpy.exp(1.5)) * numpy.exp(1.5)
    assert x.grad.item() == pytest.approx(expected, rel=1e-12)


def test_diamond_graph_runs_each_backward_once():
    calls = []

    class Count(Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            calls.append(1)
            return gy

    x = torch.tensor([1.0], requires_grad=True)
    shared = Count()(x)
    (shared * 2 + shared * 3).sum().backward()
    assert len(calls) == 1
    assert x.grad.item() == 5.0


def test_second_backward_through_freed_graph_says_retain_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    numpy.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_saved_buffers_are_freed_after_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    creator = y.creator
    y.sum().backward()
    assert creator.inputs is None
    assert not hasattr(creator, "__dict__") or "inputs" not in creator.__dict__


def test_second_and_third_derivatives_with_create_graph():
    x = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    h, = torch.autograd.grad(g.sum(), x, create_graph=True)
    k, = torch.autograd.grad(h.sum(), x)
    numpy.testing.assert_allclose(g.detach().numpy(), 3 * numpy.array([4.0, 1.0]))
    numpy.testing.assert_allclose(h.detach().numpy(), 6 * numpy.array([2.0, -1.0]))
    numpy.testing.assert_allclose(k.numpy(), [6.0, 6.0])


def test_backward_with_create_graph_makes_grad_differentiable():
    x = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    (x.exp() * x).sum().backward(create_graph=True)
    first = x.grad            # (1 + x) e^x
    assert first.requires_grad
    x.grad = None
    first.sum().backward()    # (2 + x) e^x
    assert x.grad.item() == pytest.approx(5 * numpy.exp(3.0))


def test_grad_leaves_dot_grad_alone_and_returns_a_tuple():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    gx, = torch.autograd.grad((x * w).sum(), [x])
    numpy.testing.assert_allclose(gx.numpy(), [3.0, 4.0])
    assert x.grad is None and w.grad is None
    assert not gx.requires_grad


def test_a_function_with_a_plain_backward_sees_the_recorded_mask_and_grad_drops_the_rest():
    """As ctx.needs_input_grad in PyTorch: backward() alone cannot be told what grad() wants
    (backward_for can), so it computes what was recorded and the engine keeps x's part."""
    calls = []

    class Spy(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, gy):
            a, b = self.inputs
            calls.append(self.needs_input_grad)
            return gy * b if self.needs_input_grad[0] else None, gy * a if self.needs_input_grad[1] else None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    weight = torch.tensor([3.0, 4.0], requires_grad=True)
    (gx,) = torch.autograd.grad(Spy()(x, weight).sum(), x)
    assert calls == [(True, True)] and gx.tolist() == [3.0, 4.0] and weight.grad is None


def test_grad_with_respect_to_an_intermediate_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = (h * h).sum()
    gh, = torch.autograd.grad(y, h)
    numpy.testing.assert_allclose(gh.numpy(), [4.0, 8.0])


def test_grad_reports_unused_inputs_unless_allowed():
    x = torch.tensor([1.0], requires_grad=True)
    unused = torch.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        torch.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = torch.autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 2.0


def test_grad_refuses_an_input_that_does_not_require_grad():
    x = torch.tensor([1.0], requires_grad=True)
    constant = torch.tensor([1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad((x * constant).sum(), constant)


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    numpy.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])


def test_backward_with_inputs_only_fills_those():
    x = torch.tensor([1.0], requires_grad=True)
    w = torch.tensor([2.0], requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.item() == 1.0


def test_float32_input_gets_float32_gradient_when_mixed_with_float64():
    a = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True)
    b = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == torch.float32 and b.grad.dtype == torch.float64


def test_python_scalars_do_not_promote_float32():
    x = torch.ones(3)
    assert (x * 2.5 + 1).dtype == torch.float32
    assert (2.0 ** x).dtype == torch.float32
    assert (x / 3).dtype == torch.float32


def test_leaf_grad_is_not_shared_between_leaves():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.array += 1
    numpy.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_leaf_grad_is_a_copy_in_the_gradients_own_memory_order():
    """A gradient that arrives transposed in memory (convolutions hand on batch-last
    arrays) is copied as it lies, not transposed into C order, and owns its memory."""
    x = torch.randn(4, 3, 5, 6, requires_grad=True)
    upstream = numpy.random.default_rng(0).standard_normal((3, 5, 6, 4)).astype(numpy.float32)
    batch_last = upstream.transpose(3, 0, 1, 2)                  # (N, C, H, W), batch innermost
    (x * 1.0).backward(Tensor(batch_last))
    assert x.grad.array.strides == batch_last.strides
    assert not numpy.shares_memory(x.grad.array, batch_last)
    numpy.testing.assert_array_equal(x.grad.numpy(), batch_last)


def test_backward_of_a_leaf_itself():
    x = torch.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_split_with_unused_outputs_gives_zero_gradient_there():
    x = torch.arange(6.0).requires_grad_()
    first, second, third = x.split(2)
    (second * 3).sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), [0, 0, 3, 3, 0, 0])


def test_no_grad_records_nothing_and_enable_grad_turns_it_back_on():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
        with torch.enable_grad():
            z = x * 2
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.creator is None
    assert z.requires_grad


def test_no_grad_works_as_a_decorator():
    @torch.no_grad()
    def double(t):
        return t * 2

    assert not double(torch.ones(2, requires_grad=True)).requires_grad
    assert torch.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = torch.ones(2, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.creator is None


def test_grad_then_backward_on_a_retained_graph_fills_every_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    torch.autograd.grad(y, x, retain_graph=True)
    y.backward()
    numpy.testing.assert_allclose(w.grad.numpy(), [1.0, 2.0])
    numpy.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def test_two_roots_made_by_one_function_after_another_op():
    """Both outputs of a split as roots, the split applied to a non-leaf: the Function before
    the split must be counted as consumed once, or it is never reached (it was: grad said x
    was unused, and an LSTM cell's (h, c) pair lost every gradient past the first step)."""
    x = Tensor(numpy.arange(4.0), requires_grad=True)
    a, b = (x * 1).chunk(2)
    gx, = torch.autograd.grad([a, b], [x], [Tensor(numpy.ones(2)), Tensor(numpy.full(2, 2.0))])
    assert gx.tolist() == [1.0, 1.0, 2.0, 2.0]
    a, b = (x * 3).chunk(2)
    torch.autograd.backward([a, b], [Tensor(numpy.ones(2)), Tensor(numpy.full(2, 2.0))])
    assert x.grad.tolist() == [3.0, 3.0, 6.0, 6.0]


class _RecordsWanted(Function):
    """x * w, remembering which inputs each backward pass asked for."""
    asked = []

    def forward(self, x, w):
        return x * w

    def backward_for(self, wanted, gy):
        type(self).asked.append(tuple(wanted))
        x, w = self.inputs
        return (gy * w if wanted[0] else None), (gy * x if wanted[1] else None)


def test_grad_asks_backward_for_only_the_inputs_on_a_path_to_its_targets_and_changes_no_function():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    _RecordsWanted.asked = []
    y = _RecordsWanted()(x, w)
    (gx,) = torch.grad(y.sum(), [x], retain_graph=True)
    assert _RecordsWanted.asked == [(True, False)]
    assert y.creator.needs_input_grad == (True, True)      # the recorded mask is untouched
    assert gx.tolist() == [3.0, 4.0] and w.grad is None
    y.sum().backward()
    assert _RecordsWanted.asked == [(True, False), (True, True)]
    assert x.grad.tolist() == [3.0, 4.0] and w.grad.tolist() == [1.0, 2.0]


def test_backward_for_is_what_backward_runs_with_the_recorded_mask():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0])
    _RecordsWanted.asked = []
    y = _RecordsWanted()(x, w)
    gx, gw = y.creator.backward(torch.ones(2))
    assert _RecordsWanted.asked == [(True, False)] and gw is None and gx.tolist() == [3.0, 4.0]
