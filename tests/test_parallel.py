"""nn.parallel.DataParallel: the gradient of a batch shared among forked processes."""
import multiprocessing

import numpy
import pytest

import autograd
from autograd import nn
from autograd.nn.parallel import DataParallel

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="DataParallel's helpers are forked processes")


def small_model():
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2)).double()


def batch(n=12, seed=0):
    return autograd.tensor(numpy.random.default_rng(seed).normal(size=(n, 5)))


def gradients(model):
    return [p.grad.numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_shared_gradient_is_the_whole_batch_gradient(workers):
    model = small_model()
    loss_fn = lambda x: (model(x) ** 2).mean()
    x = batch()
    expected_loss = loss_fn(x)
    expected_loss.backward()
    expected = gradients(model)
    with DataParallel(model.parameters(), loss_fn, workers) as parallel:
        for _ in range(2):            # a second call reuses the helpers
            loss = parallel.backward(x)
            assert loss == pytest.approx(expected_loss.item(), rel=1e-12)
            for got, want in zip(gradients(model), expected):
                numpy.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


def test_the_helpers_use_the_current_weights_and_grads_are_replaced():
    model = small_model()
    loss_fn = lambda x: (model(x) ** 2).mean()
    x = batch()
    with DataParallel(model.parameters(), loss_fn, workers=2) as parallel:
        parallel.backward(x)
        with autograd.no_grad():
            for p in model.parameters():
                p.array *= 1.5          # the helper's copy still has the old weights
        for p in model.parameters():
            p.grad = autograd.ones(*p.shape, dtype="float64")   # stale: must not be added in
        parallel.backward(x)
        got = gradients(model)
    for p in model.parameters():
        p.grad = None
    loss_fn(x).backward()
    for g, want in zip(got, gradients(model)):
        numpy.testing.assert_allclose(g, want, rtol=1e-10, atol=1e-14)


def test_helper_draws_are_seeded_per_call_and_differ_between_helpers():
    model = small_model()
    noisy_loss = lambda x: ((model(x) + autograd.randn(x.shape[0], 2, dtype="float64")) ** 2).mean()
    x = batch(4)
    x = autograd.tensor(numpy.repeat(x.numpy()[:1], 4, axis=0))    # every share the same images
    with DataParallel(model.parameters(), noisy_loss, workers=2) as parallel:
        autograd.manual_seed(1)
        first = parallel.backward(x, seed=(0, 7))
        autograd.manual_seed(1)
        again = parallel.backward(x, seed=(0, 7))
        autograd.manual_seed(1)
        other = parallel.backward(x, seed=(0, 8))
    assert first == again       # same seeds: the same draws in every process
    assert other != first       # the helper's draws follow the seed it is given


def test_a_failure_in_a_helper_is_raised_in_the_main_process():
    model = small_model()

    def loss_fn(x):
        if float(x.numpy()[0, 0]) > 100:      # only the helper's share holds this item
            raise ArithmeticError("bad share")
        return (model(x) ** 2).mean()

    values = batch(4).numpy()
    values[1, 0] = 1000.0                     # item 1 goes to helper 1 (every 2nd item)
    parallel = DataParallel(model.parameters(), loss_fn, workers=2)
    with pytest.raises(RuntimeError, match="(?s)worker 1 failed.*ArithmeticError: bad share"):
        parallel.backward(autograd.tensor(values))
    assert parallel._helpers == []            # stopped after the failure


def test_bad_settings_are_refused_clearly():
    model = small_model()
    loss_fn = lambda x: model(x).sum()
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        DataParallel(model.parameters(), loss_fn, workers=0)
    with DataParallel(model.parameters(), loss_fn, workers=2) as parallel:
        with pytest.raises(ValueError, match="a batch of 5 does not split into 2 equal shares"):
            parallel.backward(batch(5))


def test_close_stops_the_helpers():
    model = small_model()
    parallel = DataParallel(model.parameters(), lambda x: model(x).sum(), workers=3)
    parallel.backward(batch(6))
    processes = [process for process, _ in parallel._helpers]
    assert all(process.is_alive() for process in processes)
    parallel.close()
    assert not any(process.is_alive() for process in processes)


def test_ddpm_family_shares_its_batch_and_gets_the_one_process_gradient(tmp_path):
    """The DDPM family shares its batch between two processes by default; a step with a
    fixed t and noise gives the gradient that one process gives."""
    from scratchgen.train.run import make_config
    from scratchgen.train.ddpm import DDPMFamily
    config = make_config("ddpm", {"base_channels": 8, "channel_mults": [1, 2], "attention": False,
                                  "batch_size": 4, "timesteps": 10})
    config["channels"] = 1
    family = DDPMFamily(config, "cpu")
    assert family.parallel.workers == 2
    x = autograd.tensor(numpy.random.default_rng(0).uniform(-1, 1, (4, 1, 28, 28)).astype("float32"))
    t = autograd.tensor(numpy.array([3, 5, 7, 9]))
    eps = autograd.tensor(numpy.random.default_rng(1).normal(size=(4, 1, 28, 28)).astype("float32"))
    # fixed t and eps per image, so that the split cannot change the draws
    fixed_loss = lambda images: _fixed_loss(family, images, x, t, eps)
    family.parallel.loss_fn = fixed_loss
    loss = family.parallel.backward(x)
    shared = [p.grad.numpy().copy() for p in family.unet.parameters()]
    family.parallel.close()
    for p in family.unet.parameters():
        p.grad = None
    expected = fixed_loss(x)
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    for got, p in zip(shared, family.unet.parameters()):
        numpy.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-3, atol=1e-6)


def _fixed_loss(family, images, all_images, t, eps):
    """L_simple with each image's own t and eps, found by matching the image."""
    rows = [int(numpy.flatnonzero((all_images.numpy() == image).all(axis=(1, 2, 3)))[0])
            for image in images.numpy()]
    t_rows, eps_rows = autograd.tensor(t.numpy()[rows]), autograd.tensor(eps.numpy()[rows])
    x_t = family.diffusion.q_sample(images, t_rows, eps_rows)
    return ((family.diffusion.predict_noise(x_t, t_rows) - eps_rows) ** 2).mean()


def test_ddpm_workers_must_divide_the_batch():
    from scratchgen.train.run import make_config
    from scratchgen.train.ddpm import DDPMFamily
    config = make_config("ddpm", {"batch_size": 5, "workers": 2})
    config["channels"] = 1
    with pytest.raises(ValueError, match=r"workers must be at least 1 and divide batch_size \(5\), got 2"):
        DDPMFamily(config, "cpu")


# -- the autoregressive families (PixelCNN, PixelRNN) share their batches too -------------------
TINY_AUTOREGRESSIVE = {"pixelcnn": {"hidden": 8, "blocks": 1, "output_hidden": 8, "batch_size": 4},
                       "pixelrnn": {"hidden": 4, "layers": 1, "output_hidden": 4, "batch_size": 4}}


def _autoregressive_family(name, **overrides):
    from scratchgen.train.registry import family_class
    from scratchgen.train.run import make_config
    config = make_config(name, {**TINY_AUTOREGRESSIVE[name], **overrides})
    config["channels"] = 1
    autograd.manual_seed(0)
    return family_class(name)(config, "cpu")


@pytest.mark.parametrize("name", ["pixelcnn", "pixelrnn"])
def test_autoregressive_families_share_their_batch_and_get_the_one_process_gradient(name):
    """Two processes by default; with the bits fixed (the random binarisation is the only
    draw) the shared step's loss and gradient are the whole batch's in one process."""
    family = _autoregressive_family(name)
    assert family.parallel.workers == 2
    bits = autograd.tensor((numpy.random.default_rng(0).random((4, 1, 28, 28)) < 0.3).astype("float32"))
    family.parallel.loss_fn = family.model.loss            # the bits as they are, no fresh draw
    loss = family.parallel.backward(bits)
    shared = [p.grad.numpy().copy() for p in family.model.parameters()]
    family.parallel.close()
    for p in family.model.parameters():
        p.grad = None
    expected = family.model.loss(bits)
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    for got, p in zip(shared, family.model.parameters()):
        numpy.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-3, atol=1e-6)


def test_pixelcnn_workers_must_divide_the_batch():
    with pytest.raises(ValueError, match=r"pixelcnn: workers must be at least 1 and divide batch_size "
                                         r"\(5\), got 2"):
        _autoregressive_family("pixelcnn", batch_size=5)


RESUMABLE = {   # model -> (a tiny two-worker config, the loss its log records)
    "ddpm": ({"timesteps": 10, "ddim_steps": 2, "ancestral_samples": 2, "base_channels": 8,
              "channel_mults": [1, 2], "attention": False, "batch_size": 4, "sample_every": 100},
             "loss"),
    # lr_final 1: a learning rate that does not depend on the run's length
    "pixelcnn": ({**TINY_AUTOREGRESSIVE["pixelcnn"], "lr_final": 1.0, "completions": 1, "eval_images": 4},
                 "nll"),
}


@pytest.mark.parametrize("model", sorted(RESUMABLE))
def test_a_resumed_run_with_two_workers_logs_the_same_losses(tmp_path, model):
    """The helpers' draws are seeded from (seed, step), so a resumed run needs no helper state."""
    from scratchgen.train.folder import RunFolder
    from scratchgen.train.run import train
    settings, loss_name = RESUMABLE[model]
    tiny = {**settings, "log_every": 1, "checkpoint_every": 2, "workers": 2}
    train(model, {**tiny, "steps": 4}, tmp_path / "whole", progress=False)
    train(model, {**tiny, "steps": 2}, tmp_path / "resumed", progress=False)
    train(model, {**tiny, "steps": 4}, tmp_path / "resumed", resume=True, progress=False)
    losses = [[r[loss_name] for r in RunFolder(tmp_path / name).read_log()] for name in ("whole", "resumed")]
    assert len(losses[0]) == 4 and losses[0] == losses[1]
