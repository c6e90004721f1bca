"""PyTorch twins of scratchgen's families: the same default model and the same training step,
written in ``torch.nn`` so that ratios against PyTorch compare like with like.

Each twin keeps scratchgen's attribute names, so its ``state_dict`` keys are the scratchgen
model's and the weights copy straight across (``copy_weights``).  For each family there are

* ``build_<family>(config)``: the twin, a ``Twin`` holding its modules and optimisers, built
  with the family's hyperparameters (the same optimiser, betas, learning rate and schedule);
* ``<family>_step(twin, batch, draws, step)``: one training step exactly as the family's
  ``train_step`` does it, whose random draws come from ``draws`` (a list of arrays, consumed
  in the order the family makes them) so that both sides can be fed the same noise;

and on the scratchgen side ``scratchgen_family(name, overrides)`` builds the real family
(``make_config`` and the family's own ``build``), and ``run_scratchgen_step`` runs its real
``train_step`` while ``recording_draws`` keeps every random array it draws.

    family = scratchgen_family("dcgan", {}, dtype="float64")
    twin = build_twin("dcgan", family.config, dtype=torch.float64)
    copy_weights(family, twin)
    losses, draws = run_scratchgen_step(family, batch)
    twin_losses = TWIN_STEPS["dcgan"](twin, torch.from_numpy(batch), draws)

``tests/parity/test_twins.py`` checks losses, gradients and updated weights agree in float64;
``benchmarks/processes.py`` times both sides in separate processes (``workload``).

The twins found a bug in autograd: ``clip_grad_norm_`` given a generator
(``module.parameters()``) computed the norm and then scaled nothing, so the DDPM (grad_clip
1.0) and RealNVP (100) families never clipped.  It is fixed; those families' defaults are now
no clipping, which is what their measured runs did.

torch is imported inside the functions, and the torch side (the twins, their steps, DEFAULTS)
never imports autograd: a ``--child torch`` process holds one library only.
"""
import contextlib
import math

import numpy

FAMILIES = ("dcgan", "vae", "pixelcnn", "realnvp", "wgan-gp", "ddpm")


# make_config(name, {}) with channels=1 (MNIST's), written out so that the torch side never
# imports autograd (scratchgen's family modules do); tests/parity/test_twins.py checks that
# these are still the families' defaults
_RUN = {"data": "mnist", "seed": 0, "device": "cpu", "log_every": 10, "data_dir": None, "channels": 1}
DEFAULTS = {
    "dcgan": {"model": "dcgan", **_RUN, "steps": 4000, "batch_size": 64, "sample_every": 500,
              "checkpoint_every": 500, "image_size": 32, "latent_dim": 64, "feature_dim": 32, "lr": None,
              "beta1": 0.5, "beta2": 0.999, "n_critic": 1, "ema_decay": 0.999},
    "vae": {"model": "vae", **_RUN, "steps": 75000, "batch_size": 100, "sample_every": 500,
            "checkpoint_every": 500, "arch": "mlp", "latent_dim": 50, "hidden": [300, 300], "width": 32,
            "likelihood": "bernoulli", "beta": 1.0, "lr": 0.001, "lr_final": 0.05, "decay_fraction": 0.3,
            "image_size": 28, "eval_k": 1000, "eval_images": 10000, "eval_seed": 0},
    "pixelcnn": {"model": "pixelcnn", **_RUN, "steps": 5500, "batch_size": 32, "sample_every": 1000000000,
                 "checkpoint_every": 500, "lr": 0.003, "lr_final": 0.05, "levels": 2, "hidden": 32,
                 "blocks": 5, "first_kernel": 7, "block_kernel": 3, "output_hidden": 32, "image_size": 28,
                 "workers": 2, "eval_images": 10000, "eval_seed": 0, "completions": 4},
    "realnvp": {"model": "realnvp", **_RUN, "steps": 5400, "batch_size": 32, "sample_every": 500,
                "checkpoint_every": 500, "lr": 0.002, "lr_final": 0.1, "decay_fraction": 0.3,
                "grad_clip": None, "coupling": "affine", "levels": 1, "couplings": 3, "final_couplings": 4,
                "hidden": 32, "initial_squeeze": True, "norm": True, "alpha": 1e-06, "blocks": 0,
                "image_size": 28, "eval_seed": 0, "eval_images": None, "toy_couplings": 8, "toy_hidden": 64,
                "mmd_points": 2000, "temperatures": [1.0, 0.7]},
    "wgan-gp": {"model": "wgan-gp", **_RUN, "steps": 7500, "batch_size": 64, "sample_every": 500,
                "checkpoint_every": 500, "image_size": 32, "latent_dim": 64, "feature_dim": 32, "lr": 0.0001,
                "beta1": 0.0, "beta2": 0.9, "gp_weight": 10.0, "n_critic": 5, "ema_decay": 0.999},
    "ddpm": {"model": "ddpm", **_RUN, "steps": 3000, "batch_size": 64, "sample_every": 750,
             "checkpoint_every": 750, "lr": 0.001, "lr_final": 1.0, "decay_fraction": 0.3, "grad_clip": None,
             "ema_decay": 0.995, "workers": 2, "image_size": 28, "timesteps": 1000, "schedule": "linear",
             "reverse_variance": "beta", "base_channels": 16, "channel_mults": [1, 2, 2],
             "blocks_per_level": 1, "attention": True, "ddim_steps": 50, "ddim_eta": 0.0,
             "clip_denoised": True, "ancestral_samples": 16, "eval_samples": 1000, "bound_images": 500,
             "bound_strata": 50},
}


# ---------------------------------------------------------------------------------------------
# The scratchgen side: the real family, its real train_step, and its random draws recorded
# ---------------------------------------------------------------------------------------------
def scratchgen_family(name, overrides=None, dtype=None, seed=0):
    """The family ``name`` built by its own code from ``make_config(name, overrides)`` (MNIST's
    one channel unless ``overrides`` says ``channels``); ``dtype="float64"`` casts every module,
    the optimisers keeping the same parameter objects."""
    import autograd
    from scratchgen.train.registry import family_class
    from scratchgen.train.run import make_config
    config = make_config(name, dict(overrides or {}))
    if config["channels"] is None:   # a run takes it from its data; here there is none
        config["channels"] = 1
    autograd.manual_seed(seed)
    family = family_class(name)(config, "cpu")
    if dtype is not None:
        for module in family.modules.values():
            module.to(dtype=dtype)
    return family


@contextlib.contextmanager
def recording_draws():
    """Within the block, every random tensor autograd makes (``randn``, ``rand``, ``randint``,
    their ``_like`` forms, and the distributions' draws, which call the same functions) is
    appended, as a NumPy array, to the list this yields, in the order they are drawn."""
    import autograd
    from autograd import backend, creation
    names = ("randn", "rand", "randint", "randn_like", "rand_like")
    originals = {name: getattr(creation, name) for name in names}
    draws, depth = [], [0]

    def wrap(original):
        def recorded(*args, **kwargs):
            depth[0] += 1
            try:
                out = original(*args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0:          # a _like form calling another draw records once
                draws.append(numpy.array(backend.to_numpy(out.array)))
            return out
        return recorded

    wrapped = {name: wrap(f) for name, f in originals.items()}
    saved_top = {name: getattr(autograd, name) for name in names}
    try:
        for name in names:
            setattr(creation, name, wrapped[name])
            setattr(autograd, name, wrapped[name])
        yield draws
    finally:
        for name in names:
            setattr(creation, name, originals[name])
            setattr(autograd, name, saved_top[name])


def run_scratchgen_step(family, batch, step=0):
    """The family's own ``train_step`` on ``batch`` (a NumPy array, cast to the models' dtype);
    returns its losses and the random arrays it drew, in order."""
    import autograd
    dtype = next(next(iter(family.modules.values())).parameters()).dtype
    default = autograd.get_default_dtype()
    autograd.set_default_dtype(dtype)   # the family's own draws (noise, targets) in the models' dtype
    try:
        with recording_draws() as draws:
            losses = family.train_step(autograd.tensor(numpy.asarray(batch, dtype=dtype)), step)
    finally:
        autograd.set_default_dtype(default)
    return losses, draws


# ---------------------------------------------------------------------------------------------
# The twin side
# ---------------------------------------------------------------------------------------------
class Twin:
    """A twin's modules and optimisers by the family's names, its config, and anything its
    step keeps (loss functions, averages)."""

    def __init__(self, config, modules, optimizers, **extra):
        self.config, self.modules, self.optimizers = config, modules, optimizers
        self.__dict__.update(extra)


class Draws:
    """The recorded random arrays, handed out in order as tensors like a reference tensor."""

    def __init__(self, arrays):
        self.arrays, self.next_index = list(arrays), 0

    def take(self, like=None, dtype=None):
        import torch
        array = self.arrays[self.next_index]
        self.next_index += 1
        out = torch.from_numpy(numpy.array(array))
        if like is not None and out.is_floating_point():
            out = out.to(dtype=like.dtype, device=like.device)
        elif dtype is not None:
            out = out.to(dtype=dtype)
        return out

    def check_all_used(self):
        if self.next_index != len(self.arrays):
            raise AssertionError(f"the twin used {self.next_index} of {len(self.arrays)} draws")


def _seeded_draws(draws):
    """``draws`` as a Draws, or None: the twin then draws from torch's own generator."""
    if draws is None or isinstance(draws, Draws):
        return draws
    return Draws(draws)


def copy_weights(family, twin):
    """Every scratchgen module's state dict into the twin's module of the same name, strictly
    (same keys, same shapes), cast to the twin's dtype."""
    import torch
    from autograd import backend
    for name, module in family.modules.items():
        target = twin.modules[name]
        dtype = next(target.parameters()).dtype
        state = {k: torch.from_numpy(numpy.array(backend.to_numpy(v.array))) for k, v in module.state_dict().items()}
        state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}
        target.load_state_dict(state, strict=True)


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def build_twin(name, config, dtype=None, seed=0):
    import torch
    torch.manual_seed(seed)
    twin = TWIN_BUILDERS[name](config)
    if dtype is not None:
        for module in twin.modules.values():
            module.to(dtype=dtype)
    return twin


def EMA(model, decay):
    """autograd.optim.ExponentialMovingAverage in torch: a frozen copy whose parameters move
    towards the model's with decay min((1 + n) / (10 + n), decay), buffers copied; its state
    dict keys are ``module.*`` and ``num_updates`` like scratchgen's."""
    import copy
    import torch

    class ExponentialMovingAverage(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.decay = decay
            self.module = copy.deepcopy(model)
            self.module.requires_grad_(False)
            self.register_buffer("num_updates", torch.tensor(0, dtype=torch.int64))

        def forward(self, *args):
            return self.module(*args)

        @torch.no_grad()
        def update(self, model):
            n = float(self.num_updates)
            d = min((1 + n) / (10 + n), self.decay)
            for average, weight in zip(self.module.parameters(), model.parameters()):
                average.mul_(d).add_(weight, alpha=1 - d)
            for average, buffer in zip(self.module.buffers(), model.buffers()):
                average.copy_(buffer)
            self.num_updates += 1
    return ExponentialMovingAverage()


# -- DCGAN and WGAN-GP: scratchgen/models/gan.py, scratchgen/train/gan.py ----------------------
def _gan_modules(config, sigmoid, norm):
    from torch import nn
    image_size, latent, features, channels = (config["image_size"], config["latent_dim"],
                                              config["feature_dim"], config["channels"])
    n_blocks = int(math.log2(image_size)) - 3

    def dcgan_init_(module):
        name = type(module).__name__
        if "Conv" in name:
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif "Norm" in name and getattr(module, "weight", None) is not None:
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            width = features * 2 ** n_blocks
            self.l1 = nn.Sequential(nn.Linear(latent, width * 16, bias=False), nn.BatchNorm1d(width * 16),
                                    nn.ReLU())
            layers = [nn.Sequential(nn.ConvTranspose2d(width >> i, width >> (i + 1), 5, 2, padding=2,
                                                       output_padding=1, bias=False),
                                    nn.BatchNorm2d(width >> (i + 1)), nn.ReLU())
                      for i in range(n_blocks)]
            layers += [nn.ConvTranspose2d(features, channels, 5, 2, padding=2, output_padding=1), nn.Tanh()]
            self.l2_5 = nn.Sequential(*layers)
            self.apply(dcgan_init_)

        def forward(self, z):
            y = self.l1(z)
            return self.l2_5(y.view(y.size(0), -1, 4, 4))

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            layers = [nn.Conv2d(channels, features, 4, 2, 1), nn.LeakyReLU(0.2)]
            for i in range(n_blocks):
                w_in, w_out = features << i, features << (i + 1)
                normalise = nn.BatchNorm2d(w_out) if norm == "batch" else nn.InstanceNorm2d(w_out, affine=True)
                layers.append(nn.Sequential(nn.Conv2d(w_in, w_out, 4, 2, 1), normalise, nn.LeakyReLU(0.2)))
            layers.append(nn.Conv2d(features << n_blocks, 1, 4))
            if sigmoid:
                layers.append(nn.Sigmoid())
            self.ls = nn.Sequential(*layers)
            self.apply(dcgan_init_)

        def forward(self, x):
            return self.ls(x).view(-1)

    return Generator(), Discriminator()


def build_dcgan(config):
    import torch
    G, D = _gan_modules(config, sigmoid=True, norm="batch")
    lr = config["lr"] if config["lr"] is not None else (5e-4 if config["image_size"] == 32 else 2e-4)
    betas = (config["beta1"], config["beta2"])
    modules = {"generator": G, "discriminator": D}
    optimizers = {"generator": torch.optim.Adam(G.parameters(), lr=lr, betas=betas),
                  "discriminator": torch.optim.Adam(D.parameters(), lr=lr, betas=betas)}
    average = None
    if config["ema_decay"] > 0:
        average = modules["generator_average"] = EMA(G, config["ema_decay"])
    return Twin(config, modules, optimizers, G=G, D=D, average=average, criterion=torch.nn.BCELoss())


def _noise(twin, n, draws, like):
    import torch
    if draws is not None:
        return draws.take(like=like)
    return torch.randn(n, twin.config["latent_dim"], dtype=like.dtype, device=like.device)


def _update_generator(twin, loss_g):
    twin.optimizers["generator"].zero_grad()
    loss_g.backward(inputs=list(twin.G.parameters()))   # as the family: D's gradients are not wanted
    twin.optimizers["generator"].step()
    if twin.average is not None:
        twin.average.update(twin.G)
    return loss_g.item()


def dcgan_step(twin, real, draws=None, step=0):
    """scratchgen.train.gan.DCGAN.train_step in torch."""
    import torch
    draws = _seeded_draws(draws)
    n = real.shape[0]
    ones, zeros = torch.ones(n, dtype=real.dtype), torch.zeros(n, dtype=real.dtype)
    fake = twin.G(_noise(twin, n, draws, real))
    loss_d = (twin.criterion(twin.D(real), ones) + twin.criterion(twin.D(fake.detach()), zeros)) / 2
    twin.optimizers["discriminator"].zero_grad()
    loss_d.backward()
    twin.optimizers["discriminator"].step()
    losses = {"loss_d": loss_d.item()}
    if step % twin.config["n_critic"] == 0:
        losses["loss_g"] = _update_generator(twin, twin.criterion(twin.D(fake), ones))
    return losses


def build_wgan_gp(config):
    import torch
    G, D = _gan_modules(config, sigmoid=False, norm="instance")
    betas = (config["beta1"], config["beta2"])
    modules = {"generator": G, "critic": D}
    optimizers = {"generator": torch.optim.Adam(G.parameters(), lr=config["lr"], betas=betas),
                  "critic": torch.optim.Adam(D.parameters(), lr=config["lr"], betas=betas)}
    average = None
    if config["ema_decay"] > 0:
        average = modules["generator_average"] = EMA(G, config["ema_decay"])
    return Twin(config, modules, optimizers, G=G, D=D, average=average)


def gradient_penalty(critic, real, fake, e):
    """scratchgen.models.gan.gradient_penalty in torch (``e``: the mixing weights, (N, 1, 1, 1))."""
    import torch
    x_hat = (e * real + (1 - e) * fake.detach()).detach().requires_grad_()
    grads, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grads.flatten(1).norm(dim=1) - 1) ** 2).mean()


def wgan_gp_step(twin, real, draws=None, step=0):
    """scratchgen.train.gan.WGANGP.train_step in torch (WGAN's step with WGANGP's critic loss)."""
    import torch
    draws = _seeded_draws(draws)
    n = real.shape[0]
    fake = twin.G(_noise(twin, n, draws, real)).detach()
    distance = twin.D(fake).mean() - twin.D(real).mean()
    e = draws.take(like=real) if draws is not None else torch.rand(n, 1, 1, 1, dtype=real.dtype)
    loss_c = distance + twin.config["gp_weight"] * gradient_penalty(twin.D, real, fake, e)
    twin.optimizers["critic"].zero_grad()
    loss_c.backward()
    twin.optimizers["critic"].step()
    losses = {"loss_critic": loss_c.item()}
    if step % twin.config["n_critic"] == 0:
        losses["loss_g"] = _update_generator(twin, -twin.D(twin.G(_noise(twin, n, draws, real))).mean())
    return losses


# -- VAE: scratchgen/models/vae.py (MLPVAE), scratchgen/train/ae_vae.py ------------------------
def build_vae(config):
    import torch
    from torch import nn
    if config["arch"] != "mlp" or config["likelihood"] != "bernoulli":
        raise NotImplementedError("the VAE twin is the default's: arch=mlp, likelihood=bernoulli")
    d = config["channels"] * config["image_size"] ** 2
    latent, hidden = config["latent_dim"], tuple(config["hidden"])

    def mlp(sizes):
        layers = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        return nn.Sequential(*layers[:-1])

    class MLPVAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Flatten(), mlp([d, *hidden, 2 * latent]))
            self.decoder = mlp([latent, *reversed(hidden), d])
            self.latent_dim, self.beta = latent, config["beta"]
            self.input_shape = (config["channels"], config["image_size"], config["image_size"])

        def elbo_terms(self, x, eps):
            """(reconstruction, kl) per example, as VAE.elbo_terms; ``eps`` the reparameterisation's
            N(0, 1) draw."""
            h = self.encoder(x)
            mu, logvar = h[:, :self.latent_dim], h[:, self.latent_dim:]
            std = (0.5 * logvar).exp()
            z = mu + eps * std
            decoded = self.decoder(z).reshape(z.shape[0], *self.input_shape)
            log_px = -nn.functional.binary_cross_entropy_with_logits(decoded, x, reduction="none")
            reconstruction = -log_px.reshape(x.shape[0], -1).sum(dim=1)
            # KL(N(mu, std^2) || N(0, 1)) summed over the latent dims, as torch.distributions gives it
            q = torch.distributions.Independent(torch.distributions.Normal(mu, std), 1)
            p = torch.distributions.Independent(torch.distributions.Normal(torch.zeros_like(mu),
                                                                           torch.ones_like(mu)), 1)
            return reconstruction, torch.distributions.kl_divergence(q, p)

    model = MLPVAE()
    return Twin(config, {"vae": model}, {"vae": torch.optim.Adam(model.parameters(), lr=config["lr"])},
                model=model)


def vae_step(twin, intensities, draws=None, step=0):
    """scratchgen.train.ae_vae.VAE.train_step in torch: binarise with fresh uniforms, -ELBO,
    Adam at the family's decayed learning rate."""
    import torch
    from scratchgen.train.schedules import decayed_learning_rate
    draws = _seeded_draws(draws)
    optimizer = twin.optimizers["vae"]
    for group in optimizer.param_groups:
        group["lr"] = decayed_learning_rate(twin.config, step)
    u = draws.take(like=intensities) if draws is not None else torch.rand_like(intensities)
    x = (u < intensities).to(dtype=intensities.dtype)
    n = x.shape[0]
    eps = (draws.take(like=intensities) if draws is not None
           else torch.randn(n, twin.model.latent_dim, dtype=x.dtype))
    reconstruction, kl = twin.model.elbo_terms(x, eps)
    loss = (reconstruction + twin.model.beta * kl).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"loss": loss.item(), "reconstruction": reconstruction.mean().item(), "kl": kl.mean().item()}


# -- PixelCNN: scratchgen/models/pixelcnn.py, scratchgen/train/pixelcnn.py ---------------------
def build_pixelcnn(config):
    import torch
    from torch import nn
    from torch.nn import functional as F
    if config["levels"] != 2:
        raise NotImplementedError("the PixelCNN twin is the default's: levels=2 (binarised images)")

    def causal_mask(mask_type, k):
        mask = torch.zeros(k, k)
        mask[:k // 2, :] = 1
        mask[k // 2, :k // 2 + (mask_type == "B")] = 1
        return mask

    class MaskedConv2d(nn.Conv2d):
        def __init__(self, in_channels, out_channels, kernel_size, mask_type):
            super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
            self.register_buffer("mask", causal_mask(mask_type, kernel_size), persistent=False)

        def forward(self, x):
            return F.conv2d(x, self.weight * self.mask.to(dtype=self.weight.dtype), self.bias,
                            padding=self.padding)

    class MaskedBottleneckBlock(nn.Module):
        def __init__(self, channels, kernel_size):
            super().__init__()
            half = channels // 2
            self.reduce = nn.Conv2d(channels, half, 1)
            self.masked = MaskedConv2d(half, half, kernel_size, "B")
            self.expand = nn.Conv2d(half, channels, 1)

        def forward(self, x):
            return x + self.expand(self.masked(self.reduce(x.relu()).relu()).relu())

    class PixelCNN(nn.Module):
        def __init__(self):
            super().__init__()
            c = config
            self.first = MaskedConv2d(1, c["hidden"], c["first_kernel"], "A")
            self.blocks = nn.Sequential(*[MaskedBottleneckBlock(c["hidden"], c["block_kernel"])
                                          for _ in range(c["blocks"])])
            self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(c["hidden"], c["output_hidden"], 1), nn.ReLU(),
                                      nn.Conv2d(c["output_hidden"], 1, 1))

        def forward(self, x):
            return self.head(self.blocks(self.first(x)))

        def loss(self, x):
            nll = F.binary_cross_entropy_with_logits(self(x), x, reduction="none")
            return nll.flatten(1).sum(dim=1).mean()

    model = PixelCNN()
    return Twin(config, {"pixelcnn": model},
                {"pixelcnn": torch.optim.Adam(model.parameters(), lr=config["lr"])}, model=model)


def pixelcnn_step(twin, intensities, draws=None, step=0):
    """scratchgen.train.pixelcnn.PixelCNNFamily.train_step in torch: fresh bits, the exact NLL,
    Adam at the cosine learning rate.  (The family shares the batch among ``workers``
    processes, as ``ddpm_step`` says; the twin runs it whole, on torch's threads.)"""
    import torch
    from scratchgen.train.schedules import cosine_learning_rate
    draws = _seeded_draws(draws)
    optimizer = twin.optimizers["pixelcnn"]
    for group in optimizer.param_groups:
        group["lr"] = cosine_learning_rate(twin.config, step)
    u = draws.take(like=intensities) if draws is not None else torch.rand_like(intensities)
    loss = twin.model.loss((u < intensities).to(dtype=intensities.dtype))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"nll": loss.item()}


# -- RealNVP: scratchgen/models/flow.py (RealNVP on images), scratchgen/train/flow.py ----------
def build_realnvp(config):
    import torch
    from torch import nn
    c = config
    if c["channels"] == 0 or c["coupling"] != "affine":
        raise NotImplementedError("the RealNVP twin is the default's: images, affine couplings")

    def squeeze(x):
        n, ch, h, w = x.shape
        return x.reshape(n, ch, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, 4 * ch, h // 2, w // 2)

    def checkerboard_mask(shape, parity):
        channels, height, width = shape
        rows, columns = numpy.indices((height, width))
        board = ((rows + columns) % 2 == parity).astype(numpy.float32)
        return numpy.broadcast_to(board, (1, channels, height, width)).copy()

    def channel_mask(shape, parity):
        channels = shape[0]
        first_half = numpy.arange(channels) < channels // 2
        keep = (first_half if parity == 0 else ~first_half).astype(numpy.float32)
        return numpy.broadcast_to(keep.reshape(1, channels, 1, 1), (1, *shape)).copy()

    def normalised(layer, width):
        return [layer, nn.BatchNorm2d(width)] if c["norm"] else [layer]

    def conv_net(channels, hidden, out_channels):
        net = nn.Sequential(*normalised(nn.Conv2d(channels, hidden, 3, padding=1), hidden), nn.ReLU(),
                            *normalised(nn.Conv2d(hidden, hidden, 1), hidden), nn.ReLU(),
                            nn.Conv2d(hidden, out_channels, 3, padding=1))
        nn.init.zeros_(net[-1].weight)
        nn.init.zeros_(net[-1].bias)
        return net

    class PreActivationResidualBlock(nn.Module):
        def __init__(self, width):
            super().__init__()
            layers = []
            for _ in range(2):
                layers += ([nn.BatchNorm2d(width)] if c["norm"] else []) + [nn.ReLU(),
                                                                            nn.Conv2d(width, width, 3, padding=1)]
            self.body = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.body(x)

    def resnet_net(channels, hidden, out_channels, blocks):
        net = nn.Sequential(nn.Conv2d(channels, hidden, 3, padding=1),
                            *[PreActivationResidualBlock(hidden) for _ in range(blocks)],
                            *([nn.BatchNorm2d(hidden)] if c["norm"] else []), nn.ReLU(),
                            nn.Conv2d(hidden, out_channels, 3, padding=1))
        nn.init.zeros_(net[-1].weight)
        nn.init.zeros_(net[-1].bias)
        return net

    class Coupling(nn.Module):
        def __init__(self, mask, net):
            super().__init__()
            self.net = net
            self.register_buffer("mask", torch.tensor(mask), persistent=False)
            self.scale = nn.Parameter(torch.ones(1, mask.shape[1], 1, 1))

        def forward(self, x):
            kept = x * self.mask
            raw_s, t = self.net(kept).chunk(2, dim=1)
            free = 1 - self.mask
            t, s = t * free, self.scale * raw_s.tanh() * free
            return kept + (1 - self.mask) * (x * s.exp() + t), s.flatten(1).sum(dim=1)

    class Squeeze(nn.Module):
        def forward(self, x):
            return squeeze(x), x.new_zeros(len(x))

    class FlowSequence(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = nn.ModuleList(layers)

        def forward(self, x):
            log_det = x.new_zeros(len(x))
            for layer in self.layers:
                x, layer_log_det = layer(x)
                log_det = log_det + layer_log_det
            return x, log_det

    def image_couplings(shape, count, mask_kind):
        make_mask = checkerboard_mask if mask_kind == "checkerboard" else channel_mask

        def network():
            if c["blocks"]:
                return resnet_net(shape[0], c["hidden"], 2 * shape[0], c["blocks"])
            return conv_net(shape[0], c["hidden"], 2 * shape[0])
        return [Coupling(make_mask(shape, k % 2), network()) for k in range(count)]

    class RealNVP(nn.Module):
        def __init__(self):
            super().__init__()
            self.alpha = c["alpha"]
            self.num_dims = c["channels"] * c["image_size"] ** 2
            shape = (c["channels"], c["image_size"], c["image_size"])
            if c["initial_squeeze"]:
                shape = (4 * shape[0], shape[1] // 2, shape[2] // 2)
            self.levels = nn.ModuleList()
            for _ in range(c["levels"]):
                squeezed = (4 * shape[0], shape[1] // 2, shape[2] // 2)
                self.levels.append(FlowSequence(image_couplings(shape, c["couplings"], "checkerboard")
                                                + [Squeeze()]
                                                + image_couplings(squeezed, c["couplings"], "channel")))
                shape = (squeezed[0] // 2, *squeezed[1:])
            self.final = FlowSequence(image_couplings(shape, c["final_couplings"], "checkerboard"))

        def forward(self, y):
            h = squeeze(y) if c["initial_squeeze"] else y
            log_det, parts = y.new_zeros(len(y)), []
            for level in self.levels:
                h, level_log_det = level(h)
                log_det = log_det + level_log_det
                h, factored = h.chunk(2, dim=1)
                parts.append(factored.flatten(1))
            h, final_log_det = self.final(h)
            return torch.cat(parts + [h.flatten(1)], dim=1), log_det + final_log_det

        def to_logit(self, x):
            p = self.alpha + (1 - 2 * self.alpha) * x
            log_p, log_one_minus_p = p.log(), torch.log1p(-p)
            log_det = (math.log(1 - 2 * self.alpha) - log_p - log_one_minus_p).flatten(1).sum(dim=1)
            return log_p - log_one_minus_p, log_det

        def log_prob(self, x):
            y, logit_log_det = self.to_logit(x)
            z, flow_log_det = self(y)
            log_normal = (-0.5 * z * z - 0.5 * math.log(2 * math.pi)).flatten(1).sum(dim=1)
            return log_normal + flow_log_det + logit_log_det

        def loss(self, x):
            """Mean bits/dim of the 8-bit images: (nll + D log 256) / (D log 2)."""
            nll = -self.log_prob(x)
            return ((nll + self.num_dims * math.log(256.0)) / (self.num_dims * math.log(2))).mean()

    model = RealNVP()
    return Twin(config, {"flow": model}, {"flow": torch.optim.Adam(model.parameters(), lr=c["lr"])},
                model=model)


def realnvp_step(twin, pixels, draws=None, step=0):
    """scratchgen.train.flow.RealNVPFamily.train_step in torch (images): dequantise with fresh
    uniforms, bits/dim, gradient norm clipped, Adam at the decayed learning rate."""
    import torch
    from scratchgen.train.schedules import decayed_learning_rate
    draws = _seeded_draws(draws)
    optimizer = twin.optimizers["flow"]
    for group in optimizer.param_groups:
        group["lr"] = decayed_learning_rate(twin.config, step)
    u = draws.take(like=pixels) if draws is not None else torch.rand_like(pixels)
    loss = twin.model.loss((pixels + u) / 256)
    optimizer.zero_grad()
    loss.backward()
    if twin.config["grad_clip"] is not None:
        torch.nn.utils.clip_grad_norm_(twin.model.parameters(), twin.config["grad_clip"])
    optimizer.step()
    return {"bits_per_dim": loss.item()}


# -- DDPM: scratchgen/models/unet.py, scratchgen/models/ddpm.py, scratchgen/train/ddpm.py ------
def build_ddpm(config):
    import torch
    from torch import nn
    from torch.nn import functional as F
    c = config
    groups = 8

    def groups_for(channels):
        return math.gcd(groups, channels)

    def timestep_embedding(t, dim):
        """As scratchgen's: computed in float64, rounded to float32 (then cast to the images')."""
        half = dim // 2
        frequencies = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
        angles = t.to(torch.float64)[:, None] * frequencies[None, :]
        return torch.cat([angles.sin(), angles.cos()], dim=1).to(torch.float32)

    class TimeResidualBlock(nn.Module):
        def __init__(self, in_channels, out_channels, time_dim):
            super().__init__()
            self.out_channels = out_channels
            self.norm1 = nn.GroupNorm(groups_for(in_channels), in_channels)
            self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
            self.time_projection = nn.Linear(time_dim, out_channels)
            self.norm2 = nn.GroupNorm(groups_for(out_channels), out_channels)
            self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
            self.activation = nn.SiLU()
            self.skip = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

        def forward(self, x, time):
            h = self.conv1(self.activation(self.norm1(x)))
            shift = self.time_projection(self.activation(time))
            h = h + shift.reshape(shift.shape[0], self.out_channels, 1, 1)
            h = self.conv2(self.activation(self.norm2(h)))
            return h + self.skip(x)

    class SelfAttention(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.norm = nn.GroupNorm(groups_for(channels), channels)
            self.qkv = nn.Conv2d(channels, 3 * channels, 1)
            self.out = nn.Conv2d(channels, channels, 1)

        def forward(self, x):
            n, ch, h, w = x.shape
            q, k, v = self.qkv(self.norm(x)).reshape(n, 3, ch, h * w).chunk(3, dim=1)
            q, k, v = q.reshape(n, ch, h * w), k.reshape(n, ch, h * w), v.reshape(n, ch, h * w)
            weights = torch.softmax(q.transpose(1, 2) @ k / math.sqrt(ch), dim=2)
            return x + self.out((v @ weights.transpose(1, 2)).reshape(n, ch, h, w))

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            base, per_level = c["base_channels"], c["blocks_per_level"]
            self.base_channels = base
            widths = [base * mult for mult in c["channel_mults"]]
            time_dim = 4 * base
            self.time_mlp = nn.Sequential(nn.Linear(base, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim))
            self.conv_in = nn.Conv2d(c["channels"], base, 3, padding=1)
            self.down = nn.ModuleList()
            width = base
            for level_width in widths:
                self.down.append(nn.ModuleList([TimeResidualBlock(width if i == 0 else level_width, level_width,
                                                                  time_dim) for i in range(per_level)]))
                width = level_width
            self.middle_block1 = TimeResidualBlock(width, width, time_dim)
            self.middle_attention = SelfAttention(width) if c["attention"] else nn.Identity()
            self.middle_block2 = TimeResidualBlock(width, width, time_dim)
            self.up = nn.ModuleList()
            for level_width in reversed(widths):
                self.up.append(nn.ModuleList([TimeResidualBlock(width + level_width if i == 0 else level_width,
                                                                level_width, time_dim) for i in range(per_level)]))
                width = level_width
            self.norm_out = nn.GroupNorm(groups_for(width), width)
            self.conv_out = nn.Conv2d(width, c["channels"], 3, padding=1)

        def forward(self, x, t):
            time = self.time_mlp(timestep_embedding(t, self.base_channels).to(x.device, x.dtype))
            h, skips = self.conv_in(x), []
            for level, blocks in enumerate(self.down):
                if level > 0:
                    h = F.avg_pool2d(h, 2)
                for block in blocks:
                    h = block(h, time)
                skips.append(h)
            h = self.middle_block2(self.middle_attention(self.middle_block1(h, time)), time)
            for level, blocks in enumerate(self.up):
                if level > 0:
                    h = F.interpolate(h, scale_factor=2)
                h = torch.cat([h, skips.pop()], dim=1)
                for block in blocks:
                    h = block(h, time)
            return self.conv_out(F.silu(self.norm_out(h)))

    T = c["timesteps"]
    if c["schedule"] == "linear":
        betas = numpy.linspace(1e-4, 0.02, T, dtype=numpy.float64)
    else:
        steps = numpy.arange(T + 1, dtype=numpy.float64)
        f = numpy.cos((steps / T + 0.008) / 1.008 * math.pi / 2) ** 2
        betas = numpy.minimum(1 - (f / f[0])[1:] / (f / f[0])[:-1], 0.999)
    abar = numpy.cumprod(1 - numpy.concatenate([[0.0], betas]))
    unet = UNet()
    ema = EMA(unet, c["ema_decay"])
    return Twin(config, {"unet": unet, "ema": ema}, {"unet": torch.optim.Adam(unet.parameters(), lr=c["lr"])},
                unet=unet, ema=ema, sqrt_abar=torch.from_numpy(numpy.sqrt(abar)),
                sqrt_one_minus_abar=torch.from_numpy(numpy.sqrt(1 - abar)))


def ddpm_step(twin, x0, draws=None, step=0):
    """scratchgen.train.ddpm.DDPMFamily.train_step in torch: L_simple at t uniform on 1..T,
    gradient norm clipped, Adam at the decayed learning rate, then the weight average.  (The
    family splits the batch over ``workers`` processes and averages their gradients, the same
    function of the batch; the twin runs the whole batch in one, on torch's threads.)"""
    import torch
    from scratchgen.train.schedules import decayed_learning_rate
    draws = _seeded_draws(draws)
    c, n = twin.config, x0.shape[0]
    optimizer = twin.optimizers["unet"]
    for group in optimizer.param_groups:
        group["lr"] = decayed_learning_rate(c, step)
    if draws is not None:
        t, eps = draws.take(), draws.take(like=x0)
    else:
        t, eps = torch.randint(1, c["timesteps"] + 1, (n,)), torch.randn_like(x0)

    def at(table):
        return table[t].to(x0.dtype).reshape(n, 1, 1, 1)
    x_t = at(twin.sqrt_abar) * x0 + at(twin.sqrt_one_minus_abar) * eps
    loss = ((twin.unet(x_t, t) - eps) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    if c["grad_clip"] is not None:
        torch.nn.utils.clip_grad_norm_(twin.unet.parameters(), c["grad_clip"])
    optimizer.step()
    twin.ema.update(twin.unet)
    return {"loss": loss.item()}


TWIN_BUILDERS = {"dcgan": build_dcgan, "wgan-gp": build_wgan_gp, "vae": build_vae,
                 "pixelcnn": build_pixelcnn, "realnvp": build_realnvp, "ddpm": build_ddpm}
TWIN_STEPS = {"dcgan": dcgan_step, "wgan-gp": wgan_gp_step, "vae": vae_step, "pixelcnn": pixelcnn_step,
              "realnvp": realnvp_step, "ddpm": ddpm_step}


def fixed_batch(name, config, n, seed=0):
    """A fixed batch (float64) in the range the family's ``prepare`` gives."""
    rng = numpy.random.default_rng(seed)
    size, channels = config["image_size"], config["channels"]
    images = rng.random((n, channels, size, size))
    if name in ("dcgan", "wgan-gp", "ddpm"):
        return images * 2 - 1                          # DCGAN.prepare, DDPMFamily.prepare: [-1, 1]
    if name == "realnvp":
        return numpy.floor(images * 256)               # RealNVPFamily.prepare: pixel values 0..255
    return images                                      # intensities in [0, 1]


# ---------------------------------------------------------------------------------------------
# Workloads for benchmarks/processes.py: the family's own step under autograd, the twin's under torch
# ---------------------------------------------------------------------------------------------
# the seed's own DCGAN: 64x64 RGB (emoji), latent 100, feature_dim 64
SEED_DCGAN = {"image_size": 64, "channels": 3, "latent_dim": 100, "feature_dim": 64}


def workload(name, batch_size=None, settings=None):
    """``build(torch) -> step`` for ``processes.WORKLOADS``: with autograd, scratchgen's family
    built by its own code and its real ``train_step``; with torch, the twin and its step.  Both
    run in float32 on the family's default batch size (or ``batch_size``), with ``settings``
    replacing defaults on both sides, on the same fixed batch, each drawing its noise from its
    own generator; steps count from 1 as in a run."""
    settings = dict(settings or {})

    def build(torch):
        config = {**DEFAULTS[name], **settings}
        n = batch_size or config["batch_size"]
        batch = fixed_batch(name, config, n).astype(numpy.float32)
        counter = [0]
        if torch.__name__ == "autograd":
            family = scratchgen_family(name, {"batch_size": n, **settings})
            x = torch.tensor(batch)

            def step():
                counter[0] += 1
                return family.train_step(x, counter[0])
        else:
            twin = build_twin(name, config)
            x = torch.from_numpy(batch)

            def step():
                counter[0] += 1
                return TWIN_STEPS[name](twin, x, None, counter[0])
        return step
    build.__doc__ = f"The {name} family's default model and train_step (benchmarks/twins.py)."
    return build
