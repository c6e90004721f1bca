"""Padding layers and pixel shuffling (the ops are ``F.pad``, ``F.pixel_shuffle``)."""
from ..ops.shape import pad
from ..ops.pool import pixel_shuffle, pixel_unshuffle
from .checks import expect_input
from .module import Module


class _PadNd(Module):
    """Pads the last ``dims`` dims of a batch (N, C, ...) or of one sample (C, ...).

    ``padding`` is an int (every side) or PyTorch's tuple (left, right[, top, bottom
    [, front, back]]): the last dim's pair first."""
    mode = "constant"
    dims = 2

    def __init__(self, padding, value=0.0):
        super().__init__()
        self.padding = (padding,) * (2 * self.dims) if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != 2 * self.dims:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a "
                             f"{2 * self.dims}-tuple, got {padding!r}")
        self.value = value

    def forward(self, x):
        expect_input(f"{type(self).__name__}({self.padding})", x,
                     f"a {self.dims + 1}-D or {self.dims + 2}-D tensor",
                     x.ndim in (self.dims + 1, self.dims + 2))
        if self.mode == "constant":
            return pad(x, self.padding, "constant", self.value)
        return pad(x, self.padding, self.mode)

    def extra_repr(self):
        text = f"{self.padding}"
        return text + (f", value={self.value}" if type(self).__name__.startswith("Constant") else "")


class ConstantPad1d(_PadNd):
    dims = 1


class ConstantPad2d(_PadNd):
    dims = 2


class ConstantPad3d(_PadNd):
    dims = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ReflectionPad1d(_PadNd):
    mode, dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    mode, dims = "reflect", 2


class ReplicationPad1d(_PadNd):
    mode, dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    mode, dims = "replicate", 2


class ReplicationPad3d(_PadNd):
    mode, dims = "replicate", 3


class CircularPad1d(_PadNd):
    mode, dims = "circular", 1


class CircularPad2d(_PadNd):
    mode, dims = "circular", 2


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = upscale_factor."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x):
        return pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = downscale_factor."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x):
        return pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
