"""Training a DDPM: the ``ddpm`` family behind ``python -m scratchgen train ddpm``.

Each step draws t uniformly from 1..T and noise eps, forms x_t in one draw and
regresses eps_theta(x_t, t) on eps (L_simple, ``models/ddpm.py``), with Adam and
gradient clipping.  A second copy of the U-Net holds an exponential moving
average (EMA) of the weights,

    theta_ema <- d theta_ema + (1 - d) theta,   d = min(ema_decay, (1 + n) / (10 + n)) after n steps,

(``autograd.optim.ExponentialMovingAverage``), which is what samples and the
bound use: single Adam iterates are noisy, their average makes cleaner images
(Ho et al. used d = 0.9999 over 800k steps; a run of a few thousand steps needs a
shorter memory, and the warm-up (1 + n) / (10 + n) keeps the first random
weights from lingering).

When training ends (``save_pictures``) the run folder's samples/ gets:
    forward_noising.png    8 training images at t = 0, 100, ..., T (q_sample)
    reverse_denoising.png  8 ancestral chains, x_t at t = T, ..., 0
    ancestral.png          ``ancestral_samples`` samples of Ho et al.'s Algorithm 2 (T network calls)
    ddim.png               64 samples of DDIM (``ddim_eta``, default 0; ``ddim_steps`` network calls)
    sampling_times.json    how long each sampler took for its grid

Images are MNIST's 28 x 28 (``image_size`` 32 pads them), scaled to [-1, 1].

On a CPU each batch is shared among ``workers`` processes (``autograd.nn.parallel``,
default 2): the U-Net's layers are too small for BLAS's threads, so the second core
is only used by giving it half the batch.  The step is the same, and the gradient is
that of the whole batch; only the draws of t and eps come from two generators.
"""
import json
import time

import numpy

import autograd as torch
from autograd import backend, nn

from .. import viz
from ..metrics import image_quality
from ..models.ddpm import DDPM, NoiseSchedule
from ..models.unet import UNet
from .family import ModelFamily
from .schedules import decayed_learning_rate, set_learning_rate

FORWARD_STRIP_TIMES = 11     # columns of the forward-noising strip: t = 0, T/10, ..., T
REVERSE_STRIP_TIMES = 11     # columns of the reverse-denoising strip
STRIP_ROWS = 8


class DDPMFamily(ModelFamily):
    name = "ddpm"
    description = "denoising diffusion (Ho et al. 2020): U-Net, EMA, ancestral and DDIM sampling"
    defaults = {
        "steps": 3000, "sample_every": 750, "checkpoint_every": 750,
        "lr": 1e-3, "lr_final": 1.0, "decay_fraction": 0.3, "ema_decay": 0.995,
        # no clipping: the measured runs never clipped (clip_grad_norm_ ignored a generator
        # of parameters until 2026-12-03), so the default is what they ran
        "grad_clip": None,
        "workers": 2, "image_size": 28, "timesteps": 1000, "schedule": "linear", "reverse_variance": "beta",
        "base_channels": 16, "channel_mults": [1, 2, 2], "blocks_per_level": 1, "attention": True,
        "ddim_steps": 50, "ddim_eta": 0.0, "clip_denoised": True, "ancestral_samples": 16,
        "eval_samples": 1000, "bound_images": 500, "bound_strata": 50,
    }
    # --quick: a run that shows the idea within 10 minutes on 2 CPU cores
    quick = {"steps": 500, "sample_every": 250, "checkpoint_every": 250, "ancestral_samples": 16,
             "eval_samples": 500, "bound_images": 100, "bound_strata": 20}

    def build(self):
        c = self.config
        self.image_shape = (c["channels"], c["image_size"], c["image_size"])
        self.unet = self._make_unet()
        self.ema = torch.optim.ExponentialMovingAverage(self.unet, c["ema_decay"])
        self.modules = {"unet": self.unet, "ema": self.ema}
        self.optimizers = {"unet": torch.optim.Adam(self.unet.parameters(), lr=c["lr"])}
        self.parallel = nn.parallel.DataParallel(self.unet.parameters(), self.diffusion_loss,
                                                 self.batch_workers())
        schedule = NoiseSchedule.named(c["schedule"], c["timesteps"], c["reverse_variance"], self.device)
        self.diffusion = DDPM(self.unet, schedule, self.image_shape)
        self.ema_diffusion = DDPM(self.ema.module, schedule, self.image_shape)   # samples and the bound
        self.recent_images = None    # a few training images, for the forward-noising strip

    def diffusion_loss(self, batch):
        return self.diffusion.loss(batch)

    def _make_unet(self):
        c = self.config
        return UNet(c["channels"], c["base_channels"], tuple(c["channel_mults"]), c["blocks_per_level"],
                    c["attention"]).to(self.device)

    @classmethod
    def prepare(cls, images, config):
        """uint8 -> [-1, 1] (the exact values k / 127.5 - 1 the bound's decoder expects), padded
        with -1 (black) to 32 x 32 when image_size is 32."""
        if config["image_size"] not in (28, 32) or images.shape[-1] not in (28, config["image_size"]):
            raise ValueError(f"ddpm: image_size must be 28 or 32 (MNIST-sized data), got "
                             f"{config['image_size']} for images of shape {images.shape}")
        x = images.astype(numpy.float32) / 127.5 - 1
        pad = (config["image_size"] - x.shape[-1]) // 2
        if pad > 0:
            x = numpy.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-1.0)
        return x

    def train_step(self, batch, step):
        set_learning_rate(self.optimizers["unet"], decayed_learning_rate(self.config, step))
        loss = self.parallel.backward(batch, seed=(self.config["seed"], step))
        if self.config["grad_clip"] is not None:
            nn.utils.clip_grad_norm_(self.unet.parameters(), self.config["grad_clip"])
        self.optimizers["unet"].step()
        self.ema.update(self.unet)
        self.recent_images = batch[:STRIP_ROWS]
        return {"loss": loss}

    def sample(self, n, sampler="ddim"):
        c = self.config
        images = self.ema_diffusion.sample(n, sampler, c["ddim_steps"], c["ddim_eta"], c["clip_denoised"],
                                           self.device)
        return numpy.clip((backend.to_numpy(images.array) + 1) / 2, 0.0, 1.0)

    def evaluate(self, test_images):
        """The bound in bits/dim on the first ``bound_images`` test images, and the classifier's
        view of ``eval_samples`` DDIM samples against the test set."""
        return {**self.bound_report(test_images[:self.config["bound_images"]]),
                **self.sample_report(test_images)}

    def bound_report(self, test_images):
        """Mean and standard error over images of the bound (``bound_strata`` stratified
        timesteps per image, plus t = 1 and the prior in closed form), and its three parts."""
        x0 = torch.tensor(test_images, device=self.device)
        started = time.perf_counter()
        with torch.no_grad():
            bits = self.ema_diffusion.bits_per_dim(x0, self.config["bound_strata"])
        return {"bound_bits_per_dim": float(bits["total"].mean()),
                "bound_standard_error": float(bits["total"].std(ddof=1) / numpy.sqrt(len(x0))),
                "bound_prior_bpd": float(bits["prior"].mean()),
                "bound_diffusion_bpd": float(bits["diffusion"].mean()),
                "bound_decoder_bpd": float(bits["decoder"].mean()),
                "bound_images": int(len(x0)), "bound_strata": self.config["bound_strata"],
                "bound_seconds": round(time.perf_counter() - started, 1)}

    def sample_report(self, test_images):
        """image_quality of DDIM samples (as the GANs report it) and the time sampling took."""
        c = self.config
        started = time.perf_counter()
        samples = self.sample_in_eval_mode(c["eval_samples"])
        seconds = time.perf_counter() - started
        return {**image_quality(samples, (test_images + 1) / 2),
                "ddim_steps": c["ddim_steps"], "ddim_eta": c["ddim_eta"], "ddim_seconds": round(seconds, 1)}

    def save_pictures(self, folder):
        """The strips, one grid per sampler and their timings, in ``folder`` (the run's samples/)."""
        self.save_forward_strip(folder / "forward_noising.png")
        times = {"ancestral": self.save_ancestral(folder), "ddim": self.save_ddim(folder / "ddim.png")}
        (folder / "sampling_times.json").write_text(json.dumps(times, indent=2) + "\n")

    def save_forward_strip(self, path):
        if self.recent_images is None:
            return
        x0, T = self.recent_images, self.config["timesteps"]
        times = [round(T * k / (FORWARD_STRIP_TIMES - 1)) for k in range(FORWARD_STRIP_TIMES)]
        eps = torch.randn(*x0.shape, device=self.device)
        columns = [x0 if t == 0 else self.diffusion.q_sample(x0, t, eps) for t in times]
        title = f"forward: x_t at t = {', '.join(map(str, times))}"
        viz.save_image_rows(_to_unit_rows(columns), path, title=title)

    def save_ancestral(self, folder):
        """``ancestral_samples`` ancestral samples (T network calls each: the slow part of the
        pictures); the first STRIP_ROWS chains are kept at REVERSE_STRIP_TIMES points."""
        T, n = self.config["timesteps"], max(self.config["ancestral_samples"], STRIP_ROWS)
        keep = {round(T * k / (REVERSE_STRIP_TIMES - 1)) for k in range(REVERSE_STRIP_TIMES - 1)}
        x = torch.randn(n, *self.image_shape, device=self.device)
        columns, started = [x[:STRIP_ROWS]], time.perf_counter()
        for t, x in self.ema_diffusion.ancestral_steps(x, self.config["clip_denoised"]):
            if t - 1 in keep:
                columns.append(x[:STRIP_ROWS])           # x_{t-1}
        seconds = time.perf_counter() - started
        viz.save_image_rows(_to_unit_rows(columns), folder / "reverse_denoising.png",
                            title=f"reverse (ancestral): x_t from t = {T} down to 0")
        viz.save_image_grid((backend.to_numpy(x.array) + 1) / 2, folder / "ancestral.png",
                            title=f"ancestral sampling, {T} steps")
        return {"images": n, "network_calls": T, "seconds": round(seconds, 1)}

    def save_ddim(self, path, n=64):
        started = time.perf_counter()
        images = self.sample(n)
        seconds = time.perf_counter() - started
        steps = self.config["ddim_steps"]
        viz.save_image_grid(images, path, title=f"DDIM (eta = {self.config['ddim_eta']}), {steps} steps")
        return {"images": n, "network_calls": steps, "seconds": round(seconds, 1)}


def _to_unit_rows(columns):
    """A list of K tensors (R, C, H, W) on [-1, 1] -> one (R, K, C, H, W) array on [0, 1]."""
    stacked = numpy.stack([backend.to_numpy(c.array) for c in columns], axis=1)
    return numpy.clip((stacked + 1) / 2, 0.0, 1.0)
