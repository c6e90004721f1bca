"""Preparing images for a model: scaling, padding, dequantisation, logit, binarisation.

Everything here takes and returns NumPy arrays: data is prepared before it
becomes a Tensor. Images are uint8 arrays (N, H, W) or (N, C, H, W). Functions
that need randomness take a ``numpy.random.Generator``, so that a DataLoader
can pass its own and stay reproducible (see loader.py).
"""
import math

import numpy


def _check_uint8(images, name):
    if images.dtype != numpy.uint8:
        raise TypeError(f"{name}: expected uint8 pixels 0..255, got {images.dtype} "
                        f"(already scaled? apply each scaling once)")


def _intensity(images):
    """Pixel intensity in [0, 1]: uint8 pixels divided by 255, floats taken as they are."""
    images = numpy.asarray(images)
    return images / numpy.float32(255) if images.dtype == numpy.uint8 else images


def to_unit(images):
    """uint8 pixels 0..255 -> float32 in [0, 1]."""
    _check_uint8(images, "to_unit")
    return images.astype(numpy.float32) / 255


def to_symmetric(images):
    """uint8 pixels 0..255 -> float32 in [-1, 1] (the range of a tanh output)."""
    _check_uint8(images, "to_symmetric")
    return images.astype(numpy.float32) / 127.5 - 1


def to_uint8(x, low=0.0, high=1.0):
    """Floats in [low, high] -> uint8 0..255 (clipped, rounded): to save or show samples."""
    unit = (numpy.asarray(x, dtype=numpy.float64) - low) / (high - low)
    return numpy.round(numpy.clip(unit, 0, 1) * 255).astype(numpy.uint8)


def pad_to_32(images):
    """28 x 28 images -> 32 x 32, with 2 pixels of zeros on each side; (N, H, W) or (N, C, H, W)."""
    if images.ndim not in (3, 4) or images.shape[-2:] != (28, 28):
        raise ValueError(f"pad_to_32: expected images (N, 28, 28) or (N, C, 28, 28), "
                         f"got {images.shape}")
    widths = [(0, 0)] * (images.ndim - 2) + [(2, 2), (2, 2)]
    return numpy.pad(images, widths)


def dequantize(images, rng):
    """Uniform dequantisation: uint8 pixel k -> (k + u) / 256 with u ~ U[0, 1), float32 in [0, 1).

    A density model fitted to these continuous values gives, through
    log P(k) >= E_u[log p((k + u) / 256)] - D log 256, a lower bound on the
    log-probability of the discrete image, D being its number of values.
    """
    _check_uint8(images, "dequantize")
    u = rng.random(images.shape, dtype=numpy.float32)
    return (images.astype(numpy.float32) + u) / 256


def logit_transform(x, alpha=0.05):
    """y = logit(alpha + (1 - 2 alpha) x) for x in [0, 1]; alpha keeps y finite at 0 and 1.

    Used by RealNVP (Dinh et al. 2017) so that a flow models unbounded values.
    Computed in x's float dtype (float32 in, float32 out).
    """
    p = alpha + (1 - 2 * alpha) * x
    return numpy.log(p) - numpy.log1p(-p)


def logit_inverse(y, alpha=0.05):
    """The inverse of logit_transform: x = (sigmoid(y) - alpha) / (1 - 2 alpha)."""
    return (1 / (1 + numpy.exp(-y)) - alpha) / (1 - 2 * alpha)


def logit_log_det(x, alpha=0.05):
    """log |det dy/dx| of y = logit_transform(x), one value per example (axis 0 indexes examples).

    Each value is transformed alone, so the Jacobian is diagonal with entries
        dy/dx = (1 - 2 alpha) / (p (1 - p)),   p = alpha + (1 - 2 alpha) x,
    and log|det| = sum over dims of [log(1 - 2 alpha) - log p - log(1 - p)].

    Bits per dimension in 8-bit pixel space, for a model of density p_Y over y,
    images of D values dequantised as x = (k + u) / 256:
        log p_X(x) = log p_Y(y) + logit_log_det(x)
        bits/dim   = -(log p_X(x) - D log 256) / (D log 2)
    (each pixel's bin [k, k + 1) has width 1/256 in x: a density over x,
    times 256 per value, is a density over the 0..255 scale).
    """
    p = alpha + (1 - 2 * alpha) * x
    per_value = math.log(1 - 2 * alpha) - numpy.log(p) - numpy.log1p(-p)
    return per_value.reshape(len(x), -1).sum(axis=1)


def binarize(images, threshold=0.5):
    """Fixed binarisation: 1.0 where the intensity (pixel / 255 for uint8) exceeds threshold."""
    return (_intensity(images) > threshold).astype(numpy.float32)


def stochastic_binarize(images, rng):
    """Each pixel becomes 1.0 with probability equal to its intensity in [0, 1], else 0.0.

    A fresh draw per epoch acts as data augmentation for Bernoulli models
    (the binarised MNIST of Salakhutdinov and Murray 2008 is one such draw).
    """
    p = _intensity(images)
    return (rng.random(p.shape) < p).astype(numpy.float32)
