"""Training autoencoders (``ae``) and variational autoencoders (``vae``).

ae: images scaled to [0, 1]; each step is one Adam update on the mean squared
reconstruction error (``models/ae.py``).  ``eval`` reports the test MSE per pixel
beside PCA's (``models/pca.py``) at the same code size, fitted on the training set.

vae: the model sees dynamically binarised images: every time a batch is drawn,
each pixel becomes 1 with probability equal to its intensity (a fresh draw each
time, which acts as data augmentation); the Bernoulli decoder models those bits.
With ``likelihood=gaussian`` the images are instead dequantised, (pixel + u) / 256
with u ~ U[0, 1), and the Gaussian decoder models that density on [0, 1]^D.  Each
step is one Adam update on -ELBO (``models/vae.py``); the learning rate is held,
then decays linearly to ``lr * lr_final`` over the last ``decay_fraction`` of the
steps.  ``eval`` binarises (or dequantises) the test images once with a fixed seed,
and reports the importance-weighted NLL -L_k with k = ``eval_k`` and the negative
ELBO, both in nats per image.

When training ends both families also write, under ``samples/``: test images and
their reconstructions, interpolations between the codes of test images and, for
a VAE with a 2-D latent space, the decoded latent map and the test codes by digit.
"""
import math
import statistics

import numpy

import autograd as torch
from autograd import backend

from .. import viz
from ..data import load_dataset
from ..data.transforms import to_unit
from ..metrics import bits_per_dim, bits_per_dim_8bit, iwae_bound
from ..models.ae import ConvAutoencoder, MLPAutoencoder
from ..models.pca import PCA
from ..models.vae import ConvVAE, MLPVAE
from .family import ModelFamily
from .schedules import decayed_learning_rate, set_learning_rate

EVAL_BATCH = 100          # test images per pass in ``evaluate``
FIGURE_IMAGES = 10        # test images in the reconstruction and interpolation figures
INTERPOLATION_STEPS = 10


# ----------------------------------------------------------------------------
# What both families share: data, batching, figures
# ----------------------------------------------------------------------------
def unit_images(images, config):
    """uint8 (N, C, H, W) -> float32 in [0, 1], checking the size the model is built for."""
    size = config["image_size"]
    if images.shape[-2:] != (size, size):
        raise ValueError(f"{config['model']}: the data has {images.shape[-2]} x {images.shape[-1]} images "
                         f"but image_size is {size}; pass --set image_size={images.shape[-1]}")
    return to_unit(images)


def in_batches(fn, data, device, batch_size=EVAL_BATCH):
    """fn applied to each batch of the NumPy array ``data`` as a Tensor on ``device``, without a
    graph; the NumPy results concatenated."""
    with torch.no_grad():
        parts = [backend.to_numpy(fn(torch.tensor(data[start:start + batch_size], device=device)).array)
                 for start in range(0, len(data), batch_size)]
    return numpy.concatenate(parts)


def interpolate_codes(start, end, steps):
    """(R, L) and (R, L) -> (R * steps, L): straight lines from each start to its end."""
    weights = numpy.linspace(0.0, 1.0, steps, dtype=start.dtype)[None, :, None]
    lines = (1 - weights) * start[:, None] + weights * end[:, None]
    return lines.reshape(-1, start.shape[1])


class _Autoencoding(ModelFamily):
    """The figures and test data both families use; subclasses define how to encode to a code,
    decode a code to an image, and present a test image to the model."""

    def test_set(self):
        """The prepared test images (as ``prepare`` makes them) and their labels."""
        images, labels = load_dataset(self.config["data"], "test", data_dir=self.config["data_dir"])
        return self.prepare(images, self.config), labels

    def save_pictures(self, folder):
        """Reconstructions and interpolations of test images (run.py calls this in eval mode)."""
        test_images, labels = self.test_set()
        inputs = self.observed_test_images(test_images[:2 * FIGURE_IMAGES])
        codes = in_batches(self.code_of, inputs, self.device)
        reconstructions = in_batches(self.image_of, codes, self.device)
        viz.save_reconstructions(inputs[:FIGURE_IMAGES], reconstructions[:FIGURE_IMAGES],
                                 folder / "reconstructions.png", n=FIGURE_IMAGES)
        half = len(codes) // 2
        path = interpolate_codes(codes[:half], codes[half:], INTERPOLATION_STEPS)
        frames = in_batches(self.image_of, path, self.device)
        viz.save_interpolation(frames.reshape(half, INTERPOLATION_STEPS, *frames.shape[1:]),
                               folder / "interpolations.png", title="interpolations between test codes")
        self.save_extra_figures(folder, test_images, labels)

    def save_extra_figures(self, folder, test_images, labels):
        pass


# ----------------------------------------------------------------------------
# Autoencoder
# ----------------------------------------------------------------------------
class AE(_Autoencoding):
    name = "ae"
    description = "autoencoder (MLP, linear or conv), MSE loss; eval compares it with PCA"
    # MLP 784-512-256-32, 20,000 steps of batch 128 (43 epochs): 250 s of CPU time at one thread;
    # test MSE 0.0043 against PCA's 0.0168 at the same code size (docs/results.md)
    defaults = {"steps": 20000, "batch_size": 128, "arch": "mlp", "code_size": 32,
                "hidden": [512, 256], "width": 32, "lr": 1e-3, "image_size": 28}

    def build(self):
        c = self.config
        shape = (c["channels"], c["image_size"], c["image_size"])
        if c["arch"] == "conv":
            model = ConvAutoencoder(shape, c["code_size"], c["width"])
        elif c["arch"] in ("mlp", "linear"):
            model = MLPAutoencoder(shape, c["code_size"], tuple(c["hidden"]), linear=c["arch"] == "linear")
        else:
            raise ValueError(f"ae: arch must be 'mlp', 'linear' or 'conv', got {c['arch']!r}")
        self.model = model.to(self.device)
        self.modules = {"autoencoder": self.model}
        self.optimizers = {"autoencoder": torch.optim.Adam(self.model.parameters(), lr=c["lr"])}

    @classmethod
    def prepare(cls, images, config):
        return unit_images(images, config)

    def train_step(self, batch, step):
        loss = self.model.loss(batch)
        self.optimizers["autoencoder"].zero_grad()
        loss.backward()
        self.optimizers["autoencoder"].step()
        return {"mse": loss.item()}

    def sample(self, n):
        return numpy.clip(backend.to_numpy(self.model.sample(n).array), 0.0, 1.0)

    def observed_test_images(self, images):
        return images

    def code_of(self, x):
        return self.model.encode(x)

    def image_of(self, code):
        return self.model.decode(code).clamp(0.0, 1.0)

    def evaluate(self, test_images):
        """Test MSE per pixel of the autoencoder, and of PCA with as many components."""
        self.train(False)
        try:
            reconstructions = in_batches(self.model, test_images, self.device)
        finally:
            self.train(True)
        train_images, _ = load_dataset(self.config["data"], "train", data_dir=self.config["data_dir"])
        pca = PCA(self.config["code_size"]).fit(self.prepare(train_images, self.config))
        return {"test_mse": float(((reconstructions - test_images) ** 2).mean()),
                "pca_test_mse": pca.reconstruction_error(test_images),
                "code_size": self.config["code_size"]}


# ----------------------------------------------------------------------------
# Variational autoencoder
# ----------------------------------------------------------------------------
class VAE(_Autoencoding):
    name = "vae"
    description = "variational autoencoder (MLP or conv; Bernoulli or Gaussian), IWAE test NLL"
    # MLP 784-300-300-50, 75,000 steps of batch 100 (125 epochs): about 8 minutes at one thread;
    # test NLL 88.5 nats (k = 1000), negative ELBO 92.6 (docs/results.md)
    defaults = {"steps": 75000, "batch_size": 100, "arch": "mlp", "latent_dim": 50, "hidden": [300, 300],
                "width": 32, "likelihood": "bernoulli", "beta": 1.0, "lr": 1e-3, "lr_final": 0.05,
                "decay_fraction": 0.3, "image_size": 28, "eval_k": 1000, "eval_images": 10000,
                "eval_seed": 0}

    def build(self):
        c = self.config
        shape = (c["channels"], c["image_size"], c["image_size"])
        if c["arch"] == "conv":
            model = ConvVAE(shape, c["latent_dim"], c["width"], c["likelihood"], c["beta"])
        elif c["arch"] == "mlp":
            model = MLPVAE(shape, c["latent_dim"], tuple(c["hidden"]), c["likelihood"], c["beta"])
        else:
            raise ValueError(f"vae: arch must be 'mlp' or 'conv', got {c['arch']!r}")
        self.model = model.to(self.device)
        self.modules = {"vae": self.model}
        self.optimizers = {"vae": torch.optim.Adam(self.model.parameters(), lr=c["lr"])}

    @classmethod
    def prepare(cls, images, config):
        """Intensities in [0, 1]; the bits (or dequantised values) are drawn per batch."""
        return unit_images(images, config)

    def observe(self, intensities):
        """What the model sees of a batch of intensities: fresh random bits with those
        probabilities (Bernoulli), or the 8-bit values dequantised to [0, 1] (Gaussian)."""
        u = torch.rand_like(intensities)
        if self.config["likelihood"] == "bernoulli":
            return (u < intensities).to(dtype=intensities.dtype)
        return (intensities * 255 + u) / 256

    def train_step(self, batch, step):
        optimizer = self.optimizers["vae"]
        set_learning_rate(optimizer, decayed_learning_rate(self.config, step))
        reconstruction, kl = self.model.elbo_terms(self.observe(batch))
        loss = (reconstruction + self.model.beta * kl).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss.item(), "reconstruction": reconstruction.mean().item(), "kl": kl.mean().item()}

    def sample(self, n):
        return backend.to_numpy(self.model.sample(n).array)

    def observed_test_images(self, intensities):
        """The test images as the model sees them, drawn once from a fixed generator."""
        rng = numpy.random.default_rng(self.config["eval_seed"])
        u = rng.random(intensities.shape, dtype=numpy.float32)
        if self.config["likelihood"] == "bernoulli":
            return (u < intensities).astype(numpy.float32)
        return (intensities * 255 + u) / 256

    def code_of(self, x):
        return self.model.encode(x)[0]          # the posterior mean

    def image_of(self, z):
        return self.model.mean_image(self.model.decode(z))

    def evaluate(self, test_images):
        """Test NLL -L_k (k = eval_k) and negative ELBO in nats per image, on the first
        ``eval_images`` test images; the ELBO is the mean of the same k log weights."""
        c = self.config
        x = self.observed_test_images(test_images[:c["eval_images"]])
        self.train(False)
        try:
            # in_batches stacks along its first axis, so each batch's (k, n) weights go in transposed
            weights = in_batches(lambda b: self.model.log_weights_no_grad(b, c["eval_k"]).T, x,
                                 self.device).T                    # (k, N)
        finally:
            self.train(True)
        nll = -iwae_bound(weights)
        negative_elbo = -weights.mean(axis=0)
        d = int(numpy.prod(x.shape[1:]))
        result = {"test_nll_nats": float(nll.mean()), "test_nll_standard_error": _standard_error(nll),
                  "test_negative_elbo_nats": float(negative_elbo.mean()),
                  "iwae_k": c["eval_k"], "num_test_images": len(x)}
        if c["likelihood"] == "bernoulli":
            result["bits_per_dim"] = float(bits_per_dim(nll.mean(), d))
        else:   # a density over [0, 1]^D of dequantised 8-bit values: the 8-bit likelihood bound
            result["bits_per_dim_8bit"] = float(bits_per_dim_8bit(nll.mean(), d))
        return result

    def save_extra_figures(self, folder, test_images, labels):
        """For a 2-D latent space: decoded images on a grid of z, and the test codes by digit."""
        if self.config["latent_dim"] != 2:
            return
        side = 20
        # a grid of Gaussian quantiles, so that equal areas of the map hold equal prior mass
        quantiles = numpy.array([statistics.NormalDist().inv_cdf(p)
                                 for p in numpy.linspace(0.05, 0.95, side)], dtype=numpy.float32)
        grid = numpy.stack(numpy.meshgrid(quantiles, quantiles[::-1]), axis=-1).reshape(-1, 2)
        images = in_batches(self.image_of, grid, self.device)
        viz.save_image_grid(images, folder / "latent_map.png", nrow=side)
        codes = in_batches(self.code_of, self.observed_test_images(test_images), self.device)
        viz.scatter_by_label(folder / "latent_codes.png", codes, labels,
                             title="posterior means of the test images")


def _standard_error(values):
    return float(numpy.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")
