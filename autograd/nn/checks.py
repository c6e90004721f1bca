"""Input checks shared by the layers: one clear message naming the layer."""
from ..function import ShapeError


def expect_input(layer, x, expected, ok):
    """Raise ``Layer(args): expected input <expected>, got <shape>`` unless ``ok``."""
    if not ok:
        raise ShapeError(f"{layer}: expected input {expected}, got {tuple(x.shape)}")


def expect_channels(layer, x, ndims, channels):
    """x must have ``ndims`` dims (a tuple of allowed counts) with ``channels`` in dim 1."""
    names = {2: "(N, {c})", 3: "(N, {c}, L)", 4: "(N, {c}, H, W)"}
    expected = " or ".join(names[n].format(c=channels) for n in ndims)
    expect_input(layer, x, expected, x.ndim in ndims and x.shape[1] == channels)
