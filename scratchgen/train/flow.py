"""Training coupling flows: the ``realnvp`` family behind ``python -m scratchgen train realnvp``.

Images (MNIST and the other image sets): the data stays as 8-bit pixel values and
every batch is dequantised afresh, x = (k + u) / 256; each step is one Adam update
on the batch's mean bits/dim (``models/flow.py``: logit transform, the multi-scale
RealNVP, every Jacobian term counted), with the gradient norm clipped.  The learning
rate is held, then decays linearly to ``lr * lr_final`` over the last
``decay_fraction`` of the steps.  ``eval`` dequantises the whole test set once with a
fixed seed and reports its bits/dim in the space of 8-bit pixels.

2-D toys (``--data moons`` and the others): a ``PointFlow`` of MLP couplings
trained on the points' negative log-likelihood; ``eval`` reports the test NLL in nats
per point and the MMD^2 between samples and test points.

When training ends the run folder's samples/ gets the samples at each of
``temperatures`` (temperature_1.0.png, temperature_0.7.png: z ~ N(0, T^2 I)), and for
toys density.png: the model's density beside the data and its samples.
"""
import math

import numpy

import autograd as torch
from autograd import backend, nn

from .. import metrics, viz
from ..models.flow import PointFlow, RealNVP, dequantize
from .family import ModelFamily
from .schedules import decayed_learning_rate, set_learning_rate

EVAL_BATCH = 500          # test examples per pass in ``evaluate``


class RealNVPFamily(ModelFamily):
    name = "realnvp"
    description = "coupling flow (RealNVP / NICE): exact likelihood in bits/dim, exact inverse"
    data_kind = ("image", "toy")
    # MNIST: 5400 steps of batch 32 take under 10 minutes at one thread (docs/results.md).
    # alpha, the logit transform's margin: 1e-6 for MNIST as in MAF (Papamakarios et al. 2017);
    # 0.05 (CIFAR's value, the earlier default) reached only 2.15 bits/dim by step 1,400, 1e-6 1.61
    defaults = {"steps": 5400, "batch_size": 32, "lr": 2e-3, "lr_final": 0.1, "decay_fraction": 0.3,
                "grad_clip": None,   # the measured runs never clipped (see train/ddpm.py)
                "coupling": "affine",
                # images
                "levels": 1, "couplings": 3, "final_couplings": 4, "hidden": 32, "initial_squeeze": True,
                "norm": True, "alpha": 1e-6, "blocks": 0, "image_size": 28, "eval_seed": 0, "eval_images": None,
                # 2-D toys
                "toy_couplings": 8, "toy_hidden": 64, "mmd_points": 2000,
                "temperatures": [1.0, 0.7]}

    def build(self):
        c = self.config
        self.is_toy = c["channels"] == 0          # run.py sets channels to 0 for points
        if self.is_toy:
            model = PointFlow(2, c["toy_couplings"], c["toy_hidden"], c["coupling"])
        else:
            shape = (c["channels"], c["image_size"], c["image_size"])
            model = RealNVP(shape, c["levels"], c["couplings"], c["final_couplings"], c["hidden"],
                            c["coupling"], c["initial_squeeze"], c["norm"], c["alpha"], c["blocks"])
        self.model = model.to(self.device)
        self.modules = {"flow": self.model}
        self.optimizers = {"flow": torch.optim.Adam(self.model.parameters(), lr=c["lr"])}

    @classmethod
    def prepare(cls, data, config):
        """Images: uint8 -> float32 pixel values 0..255 (dequantised per batch); points as they are."""
        if data.ndim == 4 and data.shape[-2:] != (config["image_size"], config["image_size"]):
            raise ValueError(f"realnvp: the data has {data.shape[-2]} x {data.shape[-1]} images but "
                             f"image_size is {config['image_size']}; pass --image-size {data.shape[-1]}")
        return data.astype(numpy.float32)

    def train_step(self, batch, step):
        optimizer = self.optimizers["flow"]
        set_learning_rate(optimizer, decayed_learning_rate(self.config, step))
        loss = self.model.loss(batch if self.is_toy else dequantize(batch))
        optimizer.zero_grad()
        loss.backward()
        if self.config["grad_clip"] is not None:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.config["grad_clip"])
        optimizer.step()
        return {("nll" if self.is_toy else "bits_per_dim"): loss.item()}

    def sample(self, n, temperature=1.0):
        return backend.to_numpy(self.model.sample(n, temperature, self.device).array)

    def evaluate(self, test_data):
        self.train(False)
        try:
            with torch.no_grad():
                return self.evaluate_points(test_data) if self.is_toy else self.evaluate_images(test_data)
        finally:
            self.train(True)

    def evaluate_images(self, test_pixels):
        """Bits/dim of the first ``eval_images`` test images (None: all of them), dequantised once
        with the generator seeded ``eval_seed``."""
        test_pixels = test_pixels[:self.config.get("eval_images")]
        rng = numpy.random.default_rng(self.config["eval_seed"])
        x = (test_pixels + rng.random(test_pixels.shape, dtype=numpy.float32)) / 256
        bits = self._per_example(self.model.bits_per_dim, x)
        return {"test_bits_per_dim": float(bits.mean()), "test_bits_per_dim_standard_error": _se(bits),
                "num_test_images": len(x), "parameters": _count(self.model)}

    def evaluate_points(self, test_points):
        """Test NLL in nats per point, and MMD^2 between samples and test points."""
        nll = -self._per_example(self.model.log_prob, test_points)
        count = self.config["mmd_points"]
        samples = self.sample(count)
        return {"test_nll_nats": float(nll.mean()), "test_nll_standard_error": _se(nll),
                "mmd2": float(metrics.mmd(samples, test_points[:count])), "mmd_points": count,
                "num_test_points": len(test_points), "parameters": _count(self.model)}

    def _per_example(self, fn, data):
        parts = [backend.to_numpy(fn(torch.tensor(data[i:i + EVAL_BATCH], device=self.device)).array)
                 for i in range(0, len(data), EVAL_BATCH)]
        return numpy.concatenate(parts).astype(numpy.float64)

    def save_pictures(self, folder):
        """Samples at each temperature; for toys, the density beside the data and samples."""
        for temperature in self.config["temperatures"]:
            samples = self.sample(64 if not self.is_toy else 2000, temperature)
            path = folder / f"temperature_{temperature}.png"
            if self.is_toy:
                viz.scatter_2d(path, samples=samples)
            else:
                viz.save_image_grid(samples, path, title=f"RealNVP samples, temperature {temperature}")
        if self.is_toy:
            self.save_density(folder / "density.png")

    def save_density(self, path):
        from ..data import load_dataset
        data, _ = load_dataset(self.config["data"], "test", n=2000)

        def log_density(points):
            return self.model.log_prob(torch.tensor(points.astype(numpy.float32), device=self.device))
        viz.plot_density_2d(log_density, path, data=data, samples=self.sample(2000))


def _se(values):
    return float(numpy.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")


def _count(module):
    return int(sum(p.numel() for p in module.parameters()))
