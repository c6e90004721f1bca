"""scratchgen: generative models built only on autograd's public API.

The models (DCGAN, WGAN and WGAN-GP, autoencoder, VAE, DDPM, coupling flow, PixelCNN,
PixelRNN) live in ``scratchgen.models``, their training loops in ``scratchgen.train``;
``python -m scratchgen list`` names them.
"""
__version__ = "0.1.0"
