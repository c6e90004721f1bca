"""GAN families: shapes and ranges, the WGAN-GP penalty's second derivatives, n_critic."""
import numpy
import pytest

import autograd as torch
from scratchgen.models.gan import Discriminator, Generator, gradient_penalty
from scratchgen.train.gan import DCGAN, WGAN, WGANGP


def test_generator_and_discriminator_shapes_and_ranges():
    G = Generator(latent_dim=8, feature_dim=4, channels=1, image_size=32)
    images = G(torch.randn(5, 8))
    assert images.shape == (5, 1, 32, 32)
    assert -1 <= images.min().item() and images.max().item() <= 1
    scores = Discriminator(1, 4, 32)(images)
    assert scores.shape == (5,) and 0 < scores.min().item() and scores.max().item() < 1
    critic = Discriminator(3, 4, 64, sigmoid=False, norm="instance")
    assert critic(torch.randn(2, 3, 64, 64)).shape == (2,)


def tiny_critic():
    torch.manual_seed(0)
    critic = Discriminator(1, 1, 32, sigmoid=False, norm="instance").double()
    with torch.no_grad():
        for p in critic.parameters():  # away from DCGAN's tiny initial weights
            p.copy_(torch.randn(*p.shape, dtype=torch.float64) * 0.5)
    return critic


def penalty_inputs():
    rng = numpy.random.default_rng(1)
    real = torch.tensor(rng.uniform(-1, 1, (2, 1, 32, 32)))
    fake = torch.tensor(rng.uniform(-1, 1, (2, 1, 32, 32)))
    e = torch.tensor(rng.uniform(0, 1, (2, 1, 1, 1)))
    return real, fake, e


def test_gradient_penalty_gradient_wrt_critic_weights_passes_gradcheck():
    critic = tiny_critic()
    real, fake, e = penalty_inputs()
    slots = [(module, name) for module in critic.modules() for name, p in module._parameters.items()
             if p is not None]

    def penalty(*weights):
        for (module, name), w in zip(slots, weights):
            module._parameters[name] = w  # the critic computes with the checked tensors
        return gradient_penalty(critic, real, fake, e)

    weights = tuple(module._parameters[name].detach().requires_grad_() for module, name in slots)
    assert torch.gradcheck(penalty, weights)


def test_wgan_updates_the_generator_every_n_critic_steps():
    config = {**WGAN.defaults, "channels": 1, "feature_dim": 2, "latent_dim": 4, "n_critic": 3}
    family = WGAN(config, torch.get_default_device())
    batch = torch.rand(4, 1, 32, 32) * 2 - 1
    logged = [family.train_step(batch, step) for step in range(1, 7)]
    assert ["loss_g" in losses for losses in logged] == [False, False, True, False, False, True]
    clip = config["clip"]
    assert all(numpy.abs(p.detach().numpy()).max() <= clip + 1e-7 for p in family.D.parameters())


def test_wgan_gp_critic_learns_to_separate_a_fixed_real_and_fake_batch():
    """The critic maximises critic(real) - critic(fake) (the Wasserstein estimate) while its
    gradient penalty holds it near 1-Lipschitz: on fixed batches the estimate must grow."""
    torch.manual_seed(0)
    config = {**WGANGP.defaults, "channels": 1, "feature_dim": 4, "latent_dim": 8, "lr": 1e-3}
    family = WGANGP(config, torch.get_default_device())
    real = torch.rand(8, 1, 32, 32) * 2 - 1
    fake = family.G(family.noise(8)).detach()

    def estimate():
        with torch.no_grad():
            return (family.D(real).mean() - family.D(fake).mean()).item()

    before = estimate()
    for _ in range(20):
        loss = family.critic_loss(real, fake)
        family.optimizers["critic"].zero_grad()
        loss.backward()
        family.optimizers["critic"].step()
    assert estimate() > before + 0.3  # 0.08 -> 0.71 with seed 0


@pytest.mark.parametrize("family_type", [DCGAN, WGAN, WGANGP])
def test_samples_come_from_the_generator_average(family_type):
    """With ema_decay > 0 the family samples from the moving average of G, which follows
    G's updates (and only them); with 0 it samples from G itself."""
    config = {**family_type.defaults, "channels": 1, "feature_dim": 2, "latent_dim": 4, "n_critic": 1}
    family = family_type(config, torch.get_default_device())
    assert family.generator() is family.G_average
    batch = torch.rand(4, 1, 32, 32) * 2 - 1
    for step in range(1, 4):
        family.train_step(batch, step)
    assert int(family.G_average.num_updates.item()) == 3
    average, live = family.G_average.module.l1[0].weight.numpy(), family.G.l1[0].weight.detach().numpy()
    assert not numpy.array_equal(average, live)
    family_without = family_type({**config, "ema_decay": 0}, torch.get_default_device())
    assert family_without.generator() is family_without.G
    assert "generator_average" not in family_without.modules


def test_a_run_writes_a_latent_interpolation(tmp_path):
    from scratchgen.train.run import train
    train("dcgan", {"steps": 2, "feature_dim": 2, "latent_dim": 4, "batch_size": 4}, tmp_path / "run",
          progress=False)
    assert (tmp_path / "run" / "samples" / "interpolation.png").stat().st_size > 0


def test_image_metrics_are_refused_for_data_the_classifier_does_not_know():
    config = {**DCGAN.defaults, "channels": 3, "feature_dim": 2, "latent_dim": 4, "data": "emoji"}
    assert "only knows MNIST" in DCGAN(config, torch.get_default_device()).evaluate(None)["image_metrics"]


@pytest.mark.parametrize("size, lr, expected", [(32, None, 5e-4), (64, None, 2e-4), (64, 1e-4, 1e-4)])
def test_dcgan_learning_rate_default_depends_on_the_image_size(size, lr, expected):
    config = {**DCGAN.defaults, "channels": 1, "feature_dim": 2, "latent_dim": 4, "image_size": size, "lr": lr}
    family = DCGAN(config, torch.get_default_device())
    assert [o.param_groups[0]["lr"] for o in family.optimizers.values()] == [expected, expected]


@pytest.mark.parametrize("family_type", [DCGAN, WGAN, WGANGP])
def test_the_generator_update_computes_no_gradient_for_the_discriminator(family_type):
    """G's backward pass stops at G's weights (``backward(inputs=...)``): D's gradients after a
    whole step are those of D's own loss, as its optimiser used them, not D's loss plus G's."""
    torch.manual_seed(0)
    config = {**family_type.defaults, "channels": 1, "feature_dim": 2, "latent_dim": 4, "n_critic": 1}
    family = family_type(config, torch.get_default_device())
    d_optimizer = family.optimizers["discriminator" if family_type is DCGAN else "critic"]
    used = []
    original_step = d_optimizer.step

    def step_and_record():
        used.append([p.grad.numpy().copy() for p in family.D.parameters()])
        return original_step()
    d_optimizer.step = step_and_record
    logged = family.train_step(torch.rand(4, 1, 32, 32) * 2 - 1, 1)
    assert "loss_g" in logged and len(used) == 1
    for before, p in zip(used[0], family.D.parameters()):
        numpy.testing.assert_array_equal(p.grad.numpy(), before)
    assert all(p.grad is not None for p in family.G.parameters())
