"""Training a PixelRNN (Row LSTM): the ``pixelrnn`` family behind ``python -m scratchgen train pixelrnn``.

Everything but the network is the ``pixelcnn`` family's, on binary images: dynamically
binarised MNIST for training (fresh bits per batch), the test images binarised once with
the generator seeded by ``eval_seed`` (the very bits the ``vae`` and ``pixelcnn``
families' evals use, so the three NLLs are measured on the same binary images), the exact
test NLL in nats per image, a cosine learning-rate decay, and completions of the bottom
halves of test digits at the end of the run, the batch shared among ``workers`` processes.
"""
import autograd as torch

from ..models.pixelrnn import PixelRNN
from .pixelcnn import PixelCNNFamily, binarised_test_images


class PixelRNNFamily(PixelCNNFamily):
    name = "pixelrnn"
    description = "PixelRNN (Row LSTM layers), exact NLL on binarised MNIST"
    # 54,465 parameters, 3,600 steps of batch 32 on two processes: 14 min 10 s on 2 cores;
    # test NLL 87.79 nats on all 10,000 test images (docs/results.md)
    defaults = {"steps": 3600, "batch_size": 32, "lr": 3e-3, "lr_final": 0.05,
                "hidden": 32, "layers": 2, "first_kernel": 7, "width": 3, "output_hidden": 32,
                "image_size": 28, "workers": 2,
                # sampling is 784 network passes: only at the end unless asked for
                "sample_every": 10 ** 9, "checkpoint_every": 500,
                "eval_images": 10000, "eval_seed": 0, "completions": 4}

    def build(self):
        c = self.config
        if c["channels"] != 1:
            raise ValueError(f"pixelrnn: models one-channel images only; the data has "
                             f"{c['channels']} channels")
        self.model = PixelRNN(c["image_size"], c["hidden"], c["layers"], c["first_kernel"],
                              c["width"], c["output_hidden"]).to(self.device)
        self.modules = {"pixelrnn": self.model}
        self.optimizers = {"pixelrnn": torch.optim.Adam(self.model.parameters(), lr=c["lr"])}
        self.sampling_times = {}
        self.share_batches()

    def observe(self, intensities):
        """Fresh random bits: pixel = 1 with probability equal to its intensity."""
        return (torch.rand_like(intensities) < intensities).to(dtype=intensities.dtype)

    def observed_test_images(self, intensities):
        return binarised_test_images(intensities, self.config["eval_seed"])
