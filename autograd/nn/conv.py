"""Conv1d, Conv2d, ConvTranspose1d and ConvTranspose2d layers (the ops are in
autograd/ops/conv.py; the 1-d ones are 2-d convolutions of inputs of height 1)."""
from .. import creation
from ..ops.conv import ConvGeometry, pair, single
from . import functional as F
from . import init
from .checks import expect_channels, expect_input
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    dims = 2   # the spatial dims: sizes and strides are pairs (1-tuples for the 1-d layers)

    def _sizes(self, value, name):
        return pair(value, name) if self.dims == 2 else (single(value, name),)

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                 bias, weight_shape, device, dtype):
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{type(self).__name__}: groups={groups} must divide in_channels="
                             f"{in_channels} and out_channels={out_channels}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = self._sizes(kernel_size, "kernel_size")
        self.stride = self._sizes(stride, "stride")
        self.padding = padding if isinstance(padding, str) else self._sizes(padding, "padding")
        self.dilation = self._sizes(dilation, "dilation")
        self.groups = groups
        self.weight = Parameter(creation.empty(weight_shape + self.kernel_size, dtype=dtype, device=device))
        self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def _name(self):
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels})"

    def _check_sequence(self, x):
        """A 1-d layer takes a batch (N, C, L) or one sequence (C, L)."""
        c = self.in_channels
        expect_input(self._name(), x, f"(N, {c}, L) or ({c}, L)", x.ndim in (2, 3) and x.shape[-2] == c)

    def extra_repr(self):
        zeros, ones = (0,) * self.dims, (1,) * self.dims
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding not in (zeros, "valid"):
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", zeros) != zeros:
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
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding_for(x, output_size)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)

    def _output_padding_for(self, x, output_size):
        """The output_padding that gives ``output_size`` (one of the sizes this stride allows)."""
        geometry = ConvGeometry(self.kernel_size, self.stride, self.padding, self.dilation, self.groups)
        smallest = geometry.transpose_output_size(*x.shape[2:], (0, 0))
        wanted = tuple(output_size)[-2:]
        extra = tuple(w - s for w, s in zip(wanted, smallest))
        limits = tuple(max(s, d) for s, d in zip(self.stride, self.dilation))
        if any(not 0 <= e < limit for e, limit in zip(extra, limits)):
            largest = tuple(s + limit - 1 for s, limit in zip(smallest, limits))
            raise ValueError(f"{self._name()}: output_size {wanted} is not reachable from input "
                             f"{tuple(x.shape)}; sizes from {smallest} to {largest} are")
        return extra


class Conv1d(_ConvNd):
    """weight (out_channels, in_channels / groups, K); input (N, C, L) or (C, L)."""
    dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv1d: padding_mode={padding_mode!r}; only 'zeros' is implemented")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, (out_channels, in_channels // groups), device, dtype)

    def forward(self, x):
        self._check_sequence(x)
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose1d(_ConvNd):
    """weight (in_channels, out_channels / groups, K), as PyTorch; input (N, C, L) or (C, L)."""
    dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"ConvTranspose1d: padding_mode={padding_mode!r}; only 'zeros' is implemented")
        self.output_padding = (single(output_padding, "output_padding"),)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, (in_channels, out_channels // groups), device, dtype)

    def forward(self, x):
        self._check_sequence(x)
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)
