"""Training a PixelCNN: the ``pixelcnn`` family behind ``python -m scratchgen train pixelcnn``.

levels=2 (the default): dynamically binarised MNIST.  Every time a batch is drawn each
pixel becomes 1 with probability equal to its intensity (a fresh draw each time, as the
``vae`` family does), and the model's Bernoulli conditionals are fitted to those bits.
levels=256: the 8-bit images themselves, k / 255, with a 256-way softmax per pixel.

Each step is one Adam update on the exact negative log-likelihood in nats per image
(``models/pixelcnn.py``); the learning rate follows half a cosine from ``lr`` down to
``lr * lr_final`` over the run, so the last steps take small, careful updates.

On a CPU each batch is shared among ``workers`` processes (``autograd.nn.parallel``,
default 2), as in the ``ddpm`` family: the layers (16 to 32 channels) are too small for
BLAS's threads, so the second core is used by giving it half the batch.  The loss is a
mean over images, so the gradient is that of the whole batch; only the fresh bits of
the helper's half come from its own generator.

``eval`` reports the exact test NLL in nats per image (and bits/dim) on the first
``eval_images`` test images.  For levels=2 the test images are binarised once with the
generator seeded by ``eval_seed``, drawing exactly the bits the ``vae`` family's eval
draws, so the two families' NLLs are measured on the same binary images.

When training ends the run folder's samples/ gets, besides final.png (64 samples):
    completions.png        test digits with the bottom half removed and sampled again:
                           the original, the top half given, then ``completions`` draws
    sampling_times.json    how long the 64 samples and the completions took
"""
import json
import math
import time

import numpy

import autograd as torch
from autograd import backend

from .. import viz
from ..data import load_dataset
from ..metrics import bits_per_dim
from ..models.pixelcnn import PixelCNN
from .ae_vae import in_batches, unit_images
from .family import ModelFamily
from .schedules import cosine_learning_rate, set_learning_rate

COMPLETION_DIGITS = 10     # test digits in completions.png


def binarised_test_images(intensities, seed):
    """Test images in [0, 1] -> fixed bits: pixel = 1 where u < intensity, u drawn once as float32
    from numpy's generator seeded ``seed`` (the very bits of the vae family's eval)."""
    u = numpy.random.default_rng(seed).random(intensities.shape, dtype=numpy.float32)
    return (u < intensities).astype(numpy.float32)


class PixelCNNFamily(ModelFamily):
    name = "pixelcnn"
    description = "PixelCNN (masked convolutions A/B), exact NLL; binarised or 8-bit MNIST"
    # 19,649 parameters, 5,500 steps of batch 32 on two processes: 8 min 34 s on 2 cores;
    # test NLL 93.23 nats on all 10,000 test images (docs/results.md)
    defaults = {"steps": 5500, "batch_size": 32, "lr": 3e-3, "lr_final": 0.05,
                "levels": 2, "hidden": 32, "blocks": 5, "first_kernel": 7, "block_kernel": 3,
                "output_hidden": 32, "image_size": 28, "workers": 2,
                # sampling is 784 network passes: only at the end unless asked for
                "sample_every": 10 ** 9, "checkpoint_every": 500,
                "eval_images": 10000, "eval_seed": 0, "completions": 4}

    def build(self):
        c = self.config
        if c["channels"] != 1:
            raise ValueError(f"pixelcnn: models one-channel images only (its masks order pixels, not "
                             f"channels); the data has {c['channels']} channels")
        self.model = PixelCNN(c["image_size"], c["levels"], c["hidden"], c["blocks"], c["first_kernel"],
                              c["block_kernel"], c["output_hidden"]).to(self.device)
        self.modules = {"pixelcnn": self.model}
        self.optimizers = {"pixelcnn": torch.optim.Adam(self.model.parameters(), lr=c["lr"])}
        self.sampling_times = {}
        self.share_batches()

    def share_batches(self):
        """The batch's gradient, worked out by ``workers`` processes (one: this one)."""
        self.parallel = torch.nn.parallel.DataParallel(self.model.parameters(), self.observed_loss,
                                                       self.batch_workers())

    def observed_loss(self, intensities):
        return self.model.loss(self.observe(intensities))

    @classmethod
    def prepare(cls, images, config):
        """Intensities in [0, 1] (k / 255); for levels=2 the bits are drawn per batch."""
        return unit_images(images, config)

    def observe(self, intensities):
        """What the model trains on: fresh random bits (levels=2) or the 8-bit values as they are."""
        if self.config["levels"] == 2:
            return (torch.rand_like(intensities) < intensities).to(dtype=intensities.dtype)
        return intensities

    def observed_test_images(self, intensities):
        if self.config["levels"] == 2:
            return binarised_test_images(intensities, self.config["eval_seed"])
        return intensities

    def learning_rate(self, step):
        """Half a cosine from lr (step 0) to lr * lr_final (the last step)."""
        return cosine_learning_rate(self.config, step)

    def train_step(self, batch, step):
        optimizer = self.optimizers[self.name]    # "pixelcnn", or "pixelrnn" in the subclass
        set_learning_rate(optimizer, self.learning_rate(step))
        nll = self.parallel.backward(batch, seed=(self.config["seed"], step))   # sets every .grad
        optimizer.step()
        return {"nll": nll}

    def sample(self, n):
        started = time.perf_counter()
        images = backend.to_numpy(self.model.sample(n, progress=self.show_progress).array)
        self.sampling_times["samples"] = {"images": n, "seconds": round(time.perf_counter() - started, 1)}
        return images

    def evaluate(self, test_images):
        """The exact test NLL in nats per image (mean and standard error) and in bits/dim."""
        x = self.observed_test_images(test_images[:self.config["eval_images"]])
        started = time.perf_counter()
        self.train(False)
        try:
            nll = -in_batches(self.model.log_prob, x, self.device)
        finally:
            self.train(True)
        return {"test_nll_nats": float(nll.mean()),
                "test_nll_standard_error": float(nll.std(ddof=1) / math.sqrt(len(nll))) if len(nll) > 1
                else float("nan"),
                "bits_per_dim": float(bits_per_dim(nll.mean(), x[0].size)),
                "num_test_images": len(x), "eval_seconds": round(time.perf_counter() - started, 1)}

    def save_pictures(self, folder):
        """completions.png and sampling_times.json (run.py calls this in eval mode, no graph)."""
        self.save_completions(folder / "completions.png")
        (folder / "sampling_times.json").write_text(json.dumps(self.sampling_times, indent=2) + "\n")

    def save_completions(self, path):
        """The top half of test digits given, the bottom half sampled ``completions`` times."""
        c = self.config
        images, _ = load_dataset(c["data"], "test", data_dir=c["data_dir"])
        originals = self.observed_test_images(self.prepare(images[:COMPLETION_DIGITS], c))
        size, k = c["image_size"], c["completions"]
        first_missing = (size // 2) * size             # raster index of the first hidden pixel
        given = torch.tensor(numpy.repeat(originals, k, axis=0), device=self.device)
        started = time.perf_counter()
        drawn = self.model.sample(given=given, first_pixel=first_missing, progress=self.show_progress)
        drawn = backend.to_numpy(drawn.array)
        self.sampling_times["completions"] = {"images": len(drawn), "pixels_each": size * size - first_missing,
                                              "seconds": round(time.perf_counter() - started, 1)}
        top_half = originals.copy()
        top_half[:, :, size // 2:] = 0.5               # grey: what the model did not see
        rows = numpy.concatenate([originals[:, None], top_half[:, None],
                                  drawn.reshape(len(originals), k, *originals.shape[1:])], axis=1)
        viz.save_image_rows(rows, path, title=f"original | top half given | {k} completions")
