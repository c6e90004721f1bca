"""The Tensor's PyTorch-style surface: attributes, conversions, creation, seeding."""
import numpy
import pytest

import autograd as torch


def test_attributes():
    x = torch.zeros(2, 3)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.ndim == 2 and x.dim() == 2 and x.numel() == 6 and len(x) == 2
    assert x.dtype == torch.float32 and x.device == torch.get_default_device()
    assert x.grad is None and not x.requires_grad and x.is_leaf


def test_item_numpy_detach_and_requires_grad():
    x = torch.tensor([[1.5]], requires_grad=True)
    assert x.item() == 1.5 and float(x) == 1.5
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert isinstance(x.detach().numpy(), numpy.ndarray)
    y = torch.ones(2).requires_grad_()
    assert y.requires_grad
    with pytest.raises(ValueError, match="one-element"):
        torch.ones(2).item()


def test_float_double_and_to_dtype_are_differentiable():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == torch.float64 and y.float().dtype == torch.float32
    (y * y).sum().backward()
    assert x.grad.dtype == torch.float32
    numpy.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert x.to(torch.float64).dtype == torch.float64
    assert x.to(x.device) is x


def test_tensor_defaults_follow_pytorch():
    assert torch.tensor([1.0, 2.0]).dtype == torch.float32
    assert torch.tensor([1, 2]).dtype == torch.int64
    assert torch.tensor([True]).dtype == torch.bool
    assert torch.tensor(numpy.zeros(2)).dtype == torch.float64
    assert torch.arange(3).dtype == torch.int64 and torch.arange(0.0, 1.0, 0.5).dtype == torch.float32
    assert torch.full((2,), 7).dtype == torch.int64 and torch.full((2,), 0.5).dtype == torch.float32


def test_tensor_copies_its_data():
    source = numpy.zeros(3, dtype=numpy.float32)
    t = torch.tensor(source)
    source[0] = 5
    assert t[0].item() == 0
    shared = torch.from_numpy(source)
    assert shared[0].item() == 5


def test_creation_functions_shapes_and_dtypes():
    assert torch.zeros(2, 3).shape == (2, 3) and torch.zeros((2, 3)).shape == (2, 3)
    assert torch.ones(4, dtype=torch.float64).dtype == torch.float64
    numpy.testing.assert_array_equal(torch.eye(3).numpy(), numpy.eye(3))
    numpy.testing.assert_array_equal(torch.full((2, 2), 3.0).numpy(), numpy.full((2, 2), 3.0))
    like = torch.ones(2, 5, dtype=torch.float64)
    for make in (torch.zeros_like, torch.ones_like, torch.randn_like, torch.rand_like):
        made = make(like)
        assert made.shape == (2, 5) and made.dtype == torch.float64
    assert torch.full_like(like, 2.0).numpy().tolist() == [[2.0] * 5] * 2


def test_random_tensors_and_manual_seed():
    torch.manual_seed(123)
    a = torch.randn(1000)
    torch.manual_seed(123)
    b = torch.randn(1000)
    numpy.testing.assert_array_equal(a.numpy(), b.numpy())
    assert abs(a.mean().item()) < 0.15 and abs(a.std().item() - 1) < 0.1
    u = torch.rand(1000)
    assert 0 <= u.min().item() and u.max().item() < 1
    assert torch.randint(5, (4,)).shape == (4,) and torch.randint(5, (4,)).max().item() < 5
    k = torch.randint(3, 7, (1000,))
    assert k.dtype == torch.int64 and set(numpy.unique(k.numpy())) == {3, 4, 5, 6}
    assert sorted(torch.randperm(5).tolist()) == [0, 1, 2, 3, 4]


def test_max_with_dim_returns_values_and_indices():
    x = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = torch.min(x, dim=0, keepdim=True)
    assert result.values.shape == (1, 3) and result.indices.tolist() == [[0, 1, 0]]
    assert x.max().item() == 7.0
    assert torch.max(x, torch.full((2, 3), 4.0)).tolist() == [[4.0, 5.0, 4.0], [7.0, 4.0, 4.0]]


def test_comparisons_give_bool_tensors_without_graph():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x > 1.5
    assert mask.dtype == torch.bool and not mask.requires_grad
    assert mask.tolist() == [False, True, True]
    assert (x == 2.0).tolist() == [False, True, False]
    assert (~mask).tolist() == [True, False, False]


def test_tensor_is_hashable_by_identity():
    a, b = torch.ones(1), torch.ones(1)
    assert len({a, b}) == 2


def test_repr_shows_values_and_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True, device="cpu")
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert "grad_fn=<Mul>" in repr(x * 2)
    assert "dtype=float64" in repr(torch.zeros(1, dtype=torch.float64))


def test_setitem_is_refused_on_a_leaf_that_requires_grad():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 5.0
    with torch.no_grad():
        x[0] = 5.0
    assert x.detach().tolist() == [5.0, 1.0, 1.0]


def test_import_autograd_as_torch_runs_a_torch_style_script():
    import autograd as torch_like
    x = torch_like.randn(8, 3, requires_grad=True)
    w = torch_like.randn(3, 2, requires_grad=True)
    logits = torch_like.matmul(x, w)
    loss = -torch_like.log_softmax(logits, dim=1)[torch_like.arange(8), torch_like.zeros(8, dtype=torch_like.long)].mean()
    loss = loss + 0.01 * torch_like.sum(w ** 2)
    grad_w, = torch_like.autograd.grad(loss, w)
    assert grad_w.shape == (3, 2)
    assert torch_like.cat([x, x], 1).shape == (8, 6) and torch_like.stack([x, x]).shape == (2, 8, 3)
    assert torch_like.sigmoid(x).shape == x.shape and torch_like.exp(x).shape == x.shape


def test_in_place_methods_refuse_a_leaf_that_requires_grad_in_grad_mode():
    w = torch.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="clamp_: a leaf Variable that requires grad"):
        w.clamp_(-0.5, 0.5)
    with torch.no_grad():
        w.clamp_(-0.5, 0.5).mul_(2).add_(torch.ones(4), alpha=0.5)
    assert w.detach().tolist() == [1.5] * 4
    t = torch.zeros(3).fill_(2.0)
    assert t.tolist() == [2.0] * 3 and t.zero_().tolist() == [0.0] * 3
    t.copy_(torch.tensor([1.0, 2.0, 3.0]))
    assert t.tolist() == [1.0, 2.0, 3.0]
    torch.manual_seed(0)
    u = torch.zeros(1000).uniform_(-2, 2)
    assert -2 <= u.min().item() and u.max().item() < 2
    n = torch.zeros(1000).normal_(5, 0.1)
    assert abs(n.mean().item() - 5) < 0.02


def test_set_default_device_places_new_tensors_and_refuses_unknown_names():
    before = torch.get_default_device()  # 'cuda' under pytest --backend cupy
    try:
        torch.set_default_device("cpu")
        assert torch.zeros(2).device == "cpu" and torch.tensor([1.0]).device == "cpu"
        assert torch.nn.Linear(2, 3).weight.device == "cpu"
        with pytest.raises(ValueError, match="unknown device 'tpu'"):
            torch.set_default_device("tpu")
        assert torch.get_default_device() == "cpu"
    finally:
        torch.set_default_device(before)
