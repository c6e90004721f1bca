"""scratchgen: generative models built only on autograd's public API.

The models (DCGAN, WGAN, autoencoder, VAE, DDPM, coupling flow, PixelCNN)
arrive issue by issue; see the README for what exists today.
"""
__version__ = "0.1.0"
