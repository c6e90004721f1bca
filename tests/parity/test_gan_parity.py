"""WGAN-GP's gradient penalty and its gradient for the critic's weights match PyTorch's."""
import inspect

import numpy
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import scratchgen.models.gan as gan  # noqa: E402


def torch_critic_class():
    namespace = {"nn": torch.nn, "math": __import__("math")}
    exec(inspect.getsource(gan).replace("from autograd import nn", ""), namespace)
    return namespace["Discriminator"]


def torch_penalty(critic, real, fake, e):
    x_hat = (e * real + (1 - e) * fake.detach()).detach().requires_grad_()
    grads, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grads.flatten(1).norm(dim=1) - 1) ** 2).mean()


def test_gradient_penalty_and_its_weight_gradients_match_pytorch():
    ours = gan.Discriminator(1, 2, 32, sigmoid=False, norm="instance").double()
    theirs = torch_critic_class()(1, 2, 32, sigmoid=False, norm="instance").double()
    rng = numpy.random.default_rng(0)
    state = {k: rng.standard_normal(tuple(v.shape)) * 0.3 for k, v in theirs.state_dict().items()}
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    ours.load_state_dict(state)
    real, fake = rng.uniform(-1, 1, (3, 1, 32, 32)), rng.uniform(-1, 1, (3, 1, 32, 32))
    e = rng.uniform(0, 1, (3, 1, 1, 1))
    ours_gp = gan.gradient_penalty(ours, *(autograd.tensor(a) for a in (real, fake, e)))
    theirs_gp = torch_penalty(theirs, *(torch.tensor(a) for a in (real, fake, e)))
    ours_gp.backward()
    theirs_gp.backward()
    numpy.testing.assert_allclose(ours_gp.item(), theirs_gp.item(), rtol=1e-8)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        if p.grad is None:  # the last bias does not change the gradient with respect to x
            assert q.grad is None or not q.grad.any(), name
            continue
        numpy.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, atol=1e-10, err_msg=name)
