"""Two-dimensional toy distributions, the first thing to fit a generative model to.

Each one can be drawn on a page and has a feature a model can get wrong:
separate modes (eight_gaussians, rings), thin curved ridges (two_moons,
swiss_roll) or sharp edges (checkerboard). Each generator takes the number of
points and a NumPy Generator, and lays its points roughly inside the square
[-4, 4] x [-4, 4], so one plotting range and one model size serve them all.
"""
import math

import numpy


def two_moons(n, rng):
    """Two interleaved half circles of radius 1, with a little Gaussian noise."""
    angle = rng.uniform(0, math.pi, n)
    upper = rng.random(n) < 0.5
    x = numpy.where(upper, numpy.cos(angle), 1 - numpy.cos(angle))
    y = numpy.where(upper, numpy.sin(angle), 0.5 - numpy.sin(angle))
    points = numpy.stack([x, y], axis=1) + rng.normal(0, 0.05, (n, 2))
    return (points - [0.5, 0.25]) * 2.3        # centre, then stretch x in [-1, 2] to +-3.45


def eight_gaussians(n, rng):
    """Eight small round Gaussians (std 0.2) evenly spaced on a circle of radius 2.8."""
    angle = 2 * math.pi * rng.integers(0, 8, n) / 8
    centres = 2.8 * numpy.stack([numpy.cos(angle), numpy.sin(angle)], axis=1)
    return centres + rng.normal(0, 0.2, (n, 2))


def swiss_roll(n, rng):
    """A spiral: the point at angle t lies at radius t, for t from 1.5 pi to 4.5 pi."""
    t = 1.5 * math.pi * (1 + 2 * rng.random(n))
    points = numpy.stack([t * numpy.cos(t), t * numpy.sin(t)], axis=1)
    return points * 0.25 + rng.normal(0, 0.1, (n, 2))    # radius 4.5 pi = 14.1 -> 3.5


def checkerboard(n, rng):
    """Uniform on the 8 dark squares of a 4 x 4 board of 2 x 2 squares covering [-4, 4)^2."""
    x = rng.uniform(-4, 4, n)
    y = rng.uniform(-4, 4, n)
    light = (numpy.floor(x / 2) + numpy.floor(y / 2)) % 2 == 1
    y = numpy.where(light, (y + 2 + 4) % 8 - 4, y)  # move up one square (wrapping): now dark
    return numpy.stack([x, y], axis=1)


def rings(n, rng):
    """Four concentric circles (radii 0.9 to 3.6) with noise; a larger ring gets more points."""
    radii = numpy.array([0.9, 1.8, 2.7, 3.6])
    radius = rng.choice(radii, size=n, p=radii / radii.sum())  # the same density along each ring
    angle = rng.uniform(0, 2 * math.pi, n)
    points = radius[:, None] * numpy.stack([numpy.cos(angle), numpy.sin(angle)], axis=1)
    return points + rng.normal(0, 0.08, (n, 2))


TOYS = {
    "two_moons": two_moons,
    "eight_gaussians": eight_gaussians,
    "swiss_roll": swiss_roll,
    "checkerboard": checkerboard,
    "rings": rings,
}


def sample_toy(name, n, seed=0):
    """n points of toy distribution ``name``, float32 (n, 2); the same seed, the same points."""
    if name not in TOYS:
        raise ValueError(f"unknown toy distribution {name!r}; choose one of {', '.join(TOYS)}")
    if n < 0:
        raise ValueError(f"sample_toy: n must be >= 0, got {n}")
    points = TOYS[name](int(n), numpy.random.default_rng(seed))
    return points.astype(numpy.float32)
