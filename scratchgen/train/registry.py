"""The model families that ``python -m scratchgen train`` knows, by name."""
import importlib

# name -> "module:class"; imported only when used, so `list` stays fast
FAMILIES = {
    "dcgan": "scratchgen.train.gan:DCGAN",
    "wgan": "scratchgen.train.gan:WGAN",
    "wgan-gp": "scratchgen.train.gan:WGANGP",
    "ae": "scratchgen.train.ae_vae:AE",
    "vae": "scratchgen.train.ae_vae:VAE",
    "ddpm": "scratchgen.train.ddpm:DDPMFamily",
    "pixelcnn": "scratchgen.train.pixelcnn:PixelCNNFamily",
    "pixelrnn": "scratchgen.train.pixelrnn:PixelRNNFamily",
    "realnvp": "scratchgen.train.flow:RealNVPFamily",
}

def family_class(name):
    if name not in FAMILIES:
        raise ValueError(f"unknown model {name!r}; available: {', '.join(sorted(FAMILIES))}")
    module_name, class_name = FAMILIES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)
