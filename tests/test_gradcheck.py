"""The gradient checker must catch wrong gradients and point at the wrong elements."""
import numpy
import pytest

import autograd as torch
from autograd import Function, Tensor


class SquareWrongAtOneElement(Function):
    """x^2 whose backward is off by a factor 3 at element (1, 2) only."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        x, = self.inputs
        factor = numpy.ones(x.shape)
        factor[1, 2] = 3.0
        return gy * x * 2 * torch.tensor(factor, device=x.device)


def test_gradcheck_catches_a_wrong_backward_and_names_the_element():
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    with pytest.raises(torch.GradcheckError) as caught:
        torch.gradcheck(lambda t: SquareWrongAtOneElement()(t), x)
    result = caught.value.result
    assert not result.passed
    assert len(result.mismatches) == 1
    worst = result.mismatches[0]
    assert worst.input_index == 0
    assert worst.input_element == (1, 2) and worst.output_element == (1, 2)
    assert worst.analytic == pytest.approx(3 * worst.numeric, rel=1e-6)
    assert "(1, 2)" in str(caught.value) and "FAILED" in str(caught.value)


def test_gradcheck_returns_a_structured_result_without_raising():
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    result = torch.gradcheck(lambda t: SquareWrongAtOneElement()(t), x, raise_exception=False)
    assert not result
    assert result.checked == 36 + 2 * 6     # the Jacobian, then v^T J for two random v
    pair, = result.jacobians
    assert pair.analytic.shape == pair.numeric.shape == (6, 6)


def test_gradcheck_passes_a_correct_gradient():
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
    result = torch.gradcheck(lambda a, b: (a @ b).tanh(), (x, w))
    assert result and result.mismatches == [] and result.checked == 6 * (12 + 8) + 2 * (12 + 8)


def test_gradcheck_refuses_float32_and_explains_why():
    x = torch.randn(3, requires_grad=True)
    with pytest.raises(TypeError, match="float64.*7 significant digits"):
        torch.gradcheck(lambda t: t * 2, x)


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="no input requires grad"):
        torch.gradcheck(lambda t: t * 2, torch.ones(2, dtype=torch.float64))


def test_gradcheck_flags_inputs_sitting_on_a_kink():
    x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    result = torch.gradcheck(lambda t: t.relu(), x, raise_exception=False)
    worst, = result.mismatches
    assert worst.input_element == (0,) and worst.near_kink
    assert "near a kink" in result.report()


class SquareWithConstantBackward(Function):
    """x^2 whose backward drops to raw arrays: first derivative right, second wrong.
    This is the classic slip that makes double backward silently wrong."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        x, = self.inputs
        return gy * Tensor(2 * x.array)  # 2x as a constant: d/dx of it is lost


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    fn = lambda t: SquareWithConstantBackward()(t)  # noqa: E731
    assert torch.gradcheck(fn, x)
    result = torch.gradgradcheck(fn, x, raise_exception=False)
    assert not result
    assert {m.input_index for m in result.mismatches} == {0}
    assert result.order == 2 and "second derivative check FAILED" in result.report()


def test_gradgradcheck_passes_a_correct_second_derivative():
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.gradgradcheck(lambda t: (t * t).sigmoid().sum(dim=1), x)


def test_gradcheck_counts_nan_gradients_as_mismatches():
    class NaNBackward(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy * float("nan")

    x = torch.ones(3, dtype=torch.float64, requires_grad=True)
    result = torch.gradcheck(lambda t: NaNBackward()(t), x, raise_exception=False)
    assert not result and len(result.mismatches) == 9  # every Jacobian entry is NaN



class IgnoresItsIncomingGradient(Function):
    """(x * x).sum() whose backward returns 2x whatever gradient it is handed: every
    one-hot row of its Jacobian is right, since a scalar's one-hot gradient is 1."""

    def forward(self, x):
        return (x * x).sum()

    def backward(self, gy):
        return 2 * self.inputs[0]


class ScalesItsIncomingGradientTwice(Function):
    def forward(self, x):
        return x * 3

    def backward(self, gy):
        return gy * gy * 3       # right only where gy is 1 (or 0)


@pytest.mark.parametrize("wrong", [IgnoresItsIncomingGradient, ScalesItsIncomingGradientTwice])
def test_a_backward_that_mishandles_its_incoming_gradient_fails_both_checks(wrong):
    x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    result = torch.gradcheck(lambda t: wrong()(t), x, raise_exception=False)
    assert not result and all(m.upstream for m in result.mismatches)
    assert "v1^T J" in result.report() and "ignores the gradient it receives" in result.report()
    assert not torch.gradgradcheck(lambda t: wrong()(t), x, raise_exception=False)
