"""Learning-rate schedules of the training runs, read from a family's config.

    decayed_learning_rate   lr, then a linear decay to lr * lr_final over the last
                            ``decay_fraction`` of the steps (VAE, flow, DDPM)
    cosine_learning_rate    half a cosine from lr to lr * lr_final over the run (PixelCNN, PixelRNN)
    set_learning_rate       write a rate into every parameter group of an optimizer
"""
import math


def decayed_learning_rate(config, step):
    """config["lr"] until the last ``decay_fraction`` of the steps, then linearly down to
    lr * lr_final at the last step.  The schedule follows ``steps``: resuming a run with a
    larger --steps puts the rate back up to lr, to decay again before the new end."""
    remaining = (config["steps"] - step) / (config["decay_fraction"] * config["steps"])
    return config["lr"] * max(config["lr_final"], min(1.0, remaining))


def cosine_learning_rate(config, step):
    """Half a cosine from config["lr"] (step 0) to lr * lr_final (the last step)."""
    progress = min(1.0, step / config["steps"])
    return config["lr"] * (config["lr_final"]
                           + (1 - config["lr_final"]) * 0.5 * (1 + math.cos(math.pi * progress)))


def set_learning_rate(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr
