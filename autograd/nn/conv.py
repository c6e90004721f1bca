"""Conv2d and ConvTranspose2d layers (the ops are in autograd/ops/conv.py)."""
from .. import creation
from ..ops.conv import pair
from . import functional as F
from . import init
from .checks import expect_channels
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                 bias, weight_shape, device, dtype):
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{type(self).__name__}: groups={groups} must divide in_channels="
                             f"{in_channels} and out_channels={out_channels}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = pair(kernel_size), pair(stride)
        self.padding, self.dilation = pair(padding), pair(dilation)
        self.groups = groups
        self.weight = Parameter(creation.empty(weight_shape + self.kernel_size, dtype=dtype, device=device))
        self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def _name(self):
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels})"

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0, 0)) != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """weight (out_channels, in_channels / groups, KH, KW)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: padding_mode={padding_mode!r}; only 'zeros' is implemented")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, (out_channels, in_channels // groups), device, dtype)

    def forward(self, x):
        expect_channels(self._name(), x, (4,), self.in_channels)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """weight (in_channels, out_channels / groups, KH, KW), as PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"ConvTranspose2d: padding_mode={padding_mode!r}; only 'zeros' is implemented")
        self.output_padding = pair(output_padding)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, (in_channels, out_channels // groups), device, dtype)

    def forward(self, x, output_size=None):
        expect_channels(self._name(), x, (4,), self.in_channels)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)
