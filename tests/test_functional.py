"""Second derivatives along the WGAN-GP path: linear, leaky_relu, conv, instance_norm."""
import numpy

import autograd as torch
from autograd import nn
from autograd.nn import functional as F


def float64_leaf(*shape, seed=0):
    rng = numpy.random.default_rng(seed)
    return torch.tensor(rng.standard_normal(shape), requires_grad=True)


def test_linear_second_derivative():
    x, w, b = float64_leaf(4, 3), float64_leaf(2, 3, seed=1), float64_leaf(2, seed=2)
    torch.gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), (x, w, b))


def test_leaky_relu_second_derivative():
    x = float64_leaf(3, 4)
    with torch.no_grad():
        x.array[numpy.abs(x.array) < 0.1] += 0.3  # away from the kink at 0
    torch.gradgradcheck(lambda t: F.leaky_relu(t, 0.2) * t, x)


def gradient_penalty(critic, x):
    """WGAN-GP's term (||d critic(x) / dx||_2 - 1)^2, averaged over the batch."""
    scores = critic(x)
    grads, = torch.autograd.grad(scores.sum(), x, create_graph=True)
    norms = grads.flatten(1).norm(dim=1)
    return ((norms - 1) ** 2).mean()


def small_critic(x, conv_w, conv_b, norm_w, norm_b, linear_w, linear_b):
    """Conv2d -> InstanceNorm2d(affine) -> LeakyReLU(0.2) -> Linear, as WGAN-GP's critic,
    with its parameters passed in so that gradcheck can perturb them."""
    h = F.conv2d(x, conv_w, conv_b, stride=2, padding=1)
    h = F.instance_norm(h, weight=norm_w, bias=norm_b)
    h = F.leaky_relu(h, 0.2).flatten(1)
    return F.linear(h, linear_w, linear_b)


def test_gradient_penalty_trains_the_critic_through_second_derivatives():
    torch.manual_seed(0)
    layers = [nn.Conv2d(1, 2, 3), nn.InstanceNorm2d(2, affine=True), nn.Linear(2 * 3 * 3, 1)]
    params = [p.detach().double().requires_grad_() for layer in layers for p in layer.parameters()]
    with torch.no_grad():
        params[2].add_(torch.randn(2, dtype=torch.float64) * 0.3)  # a non-trivial norm scale
    x = float64_leaf(2, 1, 5, 5, seed=3)
    torch.gradcheck(lambda *p: gradient_penalty(lambda t: small_critic(t, *p), x), tuple(params))
