"""Bad input raises at once, with a message naming the op and the shapes or devices."""
import sys

import numpy
import pytest

import autograd as torch
from autograd import backend


def test_binary_op_with_mismatched_shapes_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"Add: cannot broadcast shapes \(2, 3\) and \(4,\)"):
        torch.ones(2, 3) + torch.ones(4)
    with pytest.raises(ValueError, match=r"Mul: cannot broadcast shapes \(5,\) and \(2, 3\)"):
        torch.ones(5) * torch.ones(2, 3)


def test_matmul_with_mismatched_inner_dims_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied"):
        torch.ones(2, 3) @ torch.ones(4, 5)
    with pytest.raises(ValueError, match=r"matmul: batch dims of shapes \(2, 1, 3\) and \(4, 3, 5\)"):
        torch.ones(2, 1, 3).matmul(torch.ones(4, 3, 5))


def test_reshape_to_the_wrong_size_says_so():
    with pytest.raises(ValueError, match=r"reshape: cannot view a tensor of shape \(2, 3\) \(6 elements\) as \(4,\)"):
        torch.ones(2, 3).reshape(4)


def test_cat_with_mismatched_shapes_lists_them():
    with pytest.raises(ValueError, match=r"cat: .*\(2, 3\), \(2, 4\)"):
        torch.cat([torch.ones(2, 3), torch.ones(2, 4)], dim=0)


def test_backward_on_a_non_scalar_without_gradient_says_what_to_pass():
    y = torch.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"only for a scalar output.*shape \(2, 3\).*pass a gradient"):
        y.backward()


def test_backward_on_a_tensor_that_needs_no_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.ones(2).sum().backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = torch.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"gradient of shape \(3,\) given for an output of shape \(2, 3\)"):
        y.backward(torch.ones(3))


def test_a_custom_function_returning_a_wrongly_shaped_gradient_is_named():
    class Broken(torch.Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy.sum()

    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Broken.backward returned a gradient of shape \(\) for input 0 of shape \(3,\)"):
        Broken()(x).sum().backward()


def test_a_custom_function_returning_an_array_instead_of_a_tensor_is_named():
    class RawArrays(torch.Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy.array * 2          # a raw array: no graph for a second derivative

    x = torch.ones(3, requires_grad=True)
    with pytest.raises(TypeError, match=r"RawArrays.backward returned a (numpy|cupy).ndarray for input 0, not a Tensor"):
        RawArrays()(x).sum().backward()


def test_requires_grad_on_an_integer_tensor_is_refused():
    with pytest.raises(TypeError, match="floating-point"):
        torch.arange(3).requires_grad_()


def test_dim_out_of_range_names_the_op():
    with pytest.raises(IndexError, match="sum: dim 2 is out of range for a tensor with 2 dims"):
        torch.ones(2, 3).sum(dim=2)


class FakeCupyArray(numpy.ndarray):
    """Stands in for cupy.ndarray so the device check can be tested without a GPU."""


class FakeCupy:
    ndarray = FakeCupyArray


def test_mixing_numpy_and_cupy_arrays_says_which_is_which(monkeypatch):
    monkeypatch.setattr(backend, "_cupy", FakeCupy)
    on_cpu = torch.Tensor(numpy.ones(3))
    on_gpu = torch.Tensor(numpy.ones(3).view(FakeCupyArray))
    with pytest.raises(RuntimeError, match=r"Add: inputs are on different devices: input 0 is a NumPy \(cpu\) "
                                           r"array, input 1 is a CuPy \(cuda\) array"):
        on_cpu + on_gpu


def test_to_cuda_without_cupy_says_cupy_is_missing(monkeypatch):
    monkeypatch.setattr(backend, "_cupy", None)
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` fail
    with pytest.raises(RuntimeError, match="needs CuPy, which is not installed"):
        torch.ones(2).to("cuda")


def test_unknown_device_is_refused():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        torch.ones(2).to("tpu")


# ----------------------------------------------------------------------------
# detect_anomaly
# ----------------------------------------------------------------------------
def test_detect_anomaly_names_the_op_that_made_nan_in_forward():
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    with torch.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Log produced NaN or Inf in its output 0"):
            with numpy.errstate(invalid="ignore"):
                x.log()


def test_detect_anomaly_names_the_op_whose_backward_made_inf():
    x = torch.tensor([0.0, 4.0], requires_grad=True)
    with torch.detect_anomaly():
        y = x.sqrt().sum()  # finite forward, infinite gradient at 0
        with pytest.raises(FloatingPointError, match=r"Sqrt.backward returned NaN or Inf"):
            with numpy.errstate(divide="ignore"):
                y.backward()


def test_without_detect_anomaly_nan_passes_silently():
    x = torch.tensor([-1.0], requires_grad=True)
    with numpy.errstate(invalid="ignore"):
        assert numpy.isnan(x.log().item())


def test_shape_op_misuse_is_explained():
    with pytest.raises(ValueError, match="flatten: start_dim 2 comes after end_dim 0"):
        torch.ones(2, 3, 4).flatten(2, 0)
    with pytest.raises(ValueError, match="expand: -1 is not allowed for the new leading dims"):
        torch.arange(3.0).expand(-1, 3)
    assert torch.tensor(1.0).transpose(0, -1).shape == ()
    assert torch.ones(2, 3).sum(dim=()).item() == 6.0


def test_pow_exponent_gradient_at_zero_base_is_zero():
    base = torch.tensor([0.0, 2.0], dtype=torch.float64)
    exponent = torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)
    (base ** exponent).sum().backward()
    numpy.testing.assert_allclose(exponent.grad.numpy(), [0.0, 8.0 * numpy.log(2.0)])


# ----------------------------------------------------------------------------
# Edges a hostile user found (issue [2 of 7]), each with PyTorch's behaviour or a clearer error
# ----------------------------------------------------------------------------
def test_batch_norm_on_an_empty_batch_leaves_the_running_statistics_alone():
    layer = torch.nn.BatchNorm2d(3)
    out = layer(torch.zeros(0, 3, 4, 4))
    assert out.shape == (0, 3, 4, 4)
    assert layer.running_mean.tolist() == [0.0] * 3 and layer.running_var.tolist() == [1.0] * 3


def test_layers_with_no_elements_build_as_in_pytorch():
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        layer = torch.nn.Linear(0, 3)
    assert layer(torch.zeros(2, 0)).shape == (2, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        conv = torch.nn.Conv2d(3, 8, 0)
    with pytest.raises(torch.ShapeError, match=r"Conv2d\(3, 8, kernel_size=\(0, 0\).*kernel size \(0, 0\) must be at least 1"):
        conv(torch.zeros(1, 3, 4, 4))


def test_a_too_small_input_names_the_layer_it_reached():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(),
                                   torch.nn.Conv2d(4, 8, 4, stride=2))
    with pytest.raises(torch.ShapeError) as info:
        model(torch.zeros(1, 1, 5, 5))
    message = str(info.value)
    assert message.startswith("Conv2d(4, 8, kernel_size=(4, 4), stride=(2, 2)): conv2d: input (1, 4, 3, 3)")
    assert message.count("Conv2d") == 1      # named once, by the innermost layer


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64])
def test_a_float32_layer_refuses_another_dtype_as_pytorch_does(dtype):
    with pytest.raises(torch.DtypeError, match=f"Linear.*same dtype, but got {dtype} input and float32 weight"):
        torch.nn.Linear(2, 3)(torch.zeros(1, 2, dtype=dtype))
    with pytest.raises(torch.DtypeError, match=f"Conv2d.*input type \\({dtype}\\) and weight type \\(float32\\)"):
        torch.nn.Conv2d(1, 2, 3)(torch.zeros(1, 1, 4, 4, dtype=dtype))
