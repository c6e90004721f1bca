"""Module: registration, traversal, state dicts, modes, devices and dtypes, printing."""
import collections

import numpy
import pytest

import autograd as torch
from autograd import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.norm = nn.BatchNorm1d(4)
        self.out = nn.Sequential(nn.ReLU(), nn.Linear(4, 2, bias=False))
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)

    def forward(self, x):
        return self.out(self.norm(self.hidden(x))) * self.scale


def test_attributes_register_parameters_buffers_and_modules_in_order():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "norm.weight", "norm.bias", "out.1.weight"]
    assert [n for n, _ in model.named_buffers()] == ["steps", "scratch", "norm.running_mean",
                                                     "norm.running_var", "norm.num_batches_tracked"]
    assert [n for n, _ in model.named_children()] == ["hidden", "norm", "out"]
    assert len(list(model.modules())) == 6
    assert model.hidden.weight.shape == (4, 3) and model.out[1].weight.shape == (2, 4)


def test_state_dict_keys_follow_pytorch_and_skip_non_persistent_buffers():
    keys = list(TwoLayer().state_dict())
    assert keys == ["scale", "steps", "hidden.weight", "hidden.bias", "norm.weight", "norm.bias",
                    "norm.running_mean", "norm.running_var", "norm.num_batches_tracked", "out.1.weight"]


def test_state_dict_round_trip_copies_values_in_place():
    source, target = TwoLayer(), TwoLayer()
    weight_before = target.hidden.weight
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.hidden.weight is weight_before  # the optimizer still holds the same Parameter
    numpy.testing.assert_array_equal(target.hidden.weight.detach().numpy(),
                                     source.hidden.weight.detach().numpy())


def test_load_state_dict_names_every_problem_and_changes_nothing():
    model = TwoLayer()
    before = model.hidden.weight.detach().numpy().copy()
    state = collections.OrderedDict(model.state_dict())
    state["hidden.weight"] = torch.zeros(5, 3)
    del state["hidden.bias"]
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(RuntimeError) as caught:
        model.load_state_dict(state)
    message = str(caught.value)
    assert "hidden.bias" in message and "extra.weight" in message and "hidden.weight" in message
    assert "(5, 3)" in message and "(4, 3)" in message
    numpy.testing.assert_array_equal(model.hidden.weight.detach().numpy(), before)


def test_load_state_dict_not_strict_reports_missing_and_unexpected():
    model = TwoLayer()
    state = model.state_dict()
    del state["scale"]
    state["surplus"] = torch.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["surplus"]


def test_train_eval_apply_and_zero_grad():
    model = TwoLayer()
    assert model.training and model.norm.training
    model.eval()
    assert not model.training and not model.out[1].training
    model.train()
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited[-1] == "TwoLayer" and visited.count("Linear") == 2
    model(torch.randn(5, 3)).sum().backward()
    assert model.hidden.weight.grad is not None
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_to_dtype_casts_floating_parameters_and_buffers_in_place():
    model = TwoLayer()
    weight = model.hidden.weight
    model.double()
    assert model.hidden.weight is weight and weight.dtype == torch.float64
    assert model.norm.running_mean.dtype == torch.float64
    assert model.norm.num_batches_tracked.dtype == torch.int64
    assert model(torch.randn(5, 3, dtype=torch.float64)).dtype == torch.float64


def test_repr_looks_like_pytorch():
    text = repr(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Conv2d(3, 8, 3, padding=1, bias=False)))
    assert text == ("Sequential(\n"
                    "  (0): Linear(in_features=3, out_features=4, bias=True)\n"
                    "  (1): ReLU()\n"
                    "  (2): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n"
                    ")")


def test_containers():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    table = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.Tanh()})
    assert "a" in table and [n for n, _ in table.named_parameters()] == ["a.weight", "a.bias"]
    seq = nn.Sequential(collections.OrderedDict([("first", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["first.weight", "first.bias"]
    assert isinstance(seq[0], nn.Linear) and len(seq[0:1]) == 1


def test_default_initialisation_bounds_follow_pytorch():
    torch.manual_seed(0)
    linear = nn.Linear(100, 50)
    bound = 1 / numpy.sqrt(100)
    assert numpy.abs(linear.weight.detach().numpy()).max() <= bound
    assert numpy.abs(linear.weight.detach().numpy()).max() > 0.9 * bound
    deconv = nn.ConvTranspose2d(8, 4, 3)  # fan_in is dim 1 * receptive field, as PyTorch
    assert numpy.abs(deconv.weight.detach().numpy()).max() <= 1 / numpy.sqrt(4 * 9)
    norm = nn.BatchNorm2d(3)
    assert norm.weight.tolist() == [1.0] * 3 and norm.running_var.tolist() == [1.0] * 3


def test_assigning_before_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


@pytest.mark.parametrize("layer, bad_input, expected", [
    (nn.Linear(3, 4), (16, 5), r"Linear\(3, 4\): expected input \(\*, 3\), got \(16, 5\)"),
    (nn.Conv2d(3, 64, 3), (16, 1, 28, 28), r"Conv2d\(3, 64\): expected input \(N, 3, H, W\), got \(16, 1, 28, 28\)"),
    (nn.ConvTranspose2d(8, 4, 3), (2, 4, 5, 5), r"ConvTranspose2d\(8, 4\): expected input \(N, 8, H, W\), got \(2, 4, 5, 5\)"),
    (nn.BatchNorm1d(4), (16, 5), r"BatchNorm1d\(4\): expected input \(N, 4\) or \(N, 4, L\), got \(16, 5\)"),
    (nn.BatchNorm2d(4), (16, 4), r"BatchNorm2d\(4\): expected input \(N, 4, H, W\), got \(16, 4\)"),
    (nn.InstanceNorm2d(4), (2, 3, 5, 5), r"InstanceNorm2d\(4\): expected input \(N, 4, H, W\), got \(2, 3, 5, 5\)"),
    (nn.GroupNorm(2, 4), (2, 6, 5), r"GroupNorm\(2, 4\): expected input \(N, 4, \*\), got \(2, 6, 5\)"),
    (nn.LayerNorm(8), (2, 7), r"LayerNorm\(\(8,\)\): expected input \(\*, 8\), got \(2, 7\)"),
    (nn.MaxPool2d(2), (2, 5, 5), r"MaxPool2d\(2\): expected input \(N, C, H, W\), got \(2, 5, 5\)"),
    (nn.AvgPool2d(2), (5, 5), r"AvgPool2d\(2\): expected input \(N, C, H, W\), got \(5, 5\)"),
    (nn.Upsample(scale_factor=2), (2, 5), r"Upsample: expected input \(N, C, H, W\), got \(2, 5\)"),
    (nn.Unflatten(1, (2, 3)), (4, 5), r"Unflatten\(1, \(2, 3\)\): expected input size 6 in dim 1, got \(4, 5\)"),
])
def test_each_layer_names_itself_and_both_shapes_on_bad_input(layer, bad_input, expected):
    with pytest.raises(ValueError, match=expected):
        layer(torch.zeros(*bad_input))


def test_embedding_looks_up_rows_and_scatters_gradients():
    table = nn.Embedding(5, 3)
    indices = torch.tensor([1, 3, 1])
    out = table(indices)
    assert out.shape == (3, 3)
    out.sum().backward()
    numpy.testing.assert_array_equal(table.weight.grad.numpy()[:, 0], [0, 2, 0, 1, 0])
    with pytest.raises(TypeError, match="integer indices"):
        table(torch.zeros(2))


def test_clip_grad_norm_scales_gradients_to_the_limit():
    a = torch.zeros(3, requires_grad=True)
    b = torch.zeros(4, requires_grad=True)
    (a * torch.tensor([3.0, 0.0, 0.0])).sum().backward()
    (b * torch.tensor([0.0, 4.0, 0.0, 0.0])).sum().backward()
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    joint = numpy.sqrt((a.grad.numpy() ** 2).sum() + (b.grad.numpy() ** 2).sum())
    assert joint == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_takes_the_generator_model_parameters_returns():
    """model.parameters() is a generator: read once for the norm, it must still be there
    for the scaling (it was not: every gradient was left as it was)."""
    torch.manual_seed(0)
    layer = nn.Linear(3, 2)
    (layer(torch.ones(4, 3)) * 10).sum().backward()
    total = nn.utils.clip_grad_norm_(layer.parameters(), max_norm=1.0)
    assert total.item() > 1.0
    joint = numpy.sqrt(sum((p.grad.numpy() ** 2).sum() for p in layer.parameters()))
    assert joint == pytest.approx(1.0, rel=1e-5)
