"""Activation layers: thin modules over the functional ops."""
from ..ops import activation as A
from ..ops import reduce as R
from .module import Module


class ReLU(Module):
    def __init__(self, inplace=False):  # accepted; computes out of place (see ops/activation.py)
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return A.relu(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return A.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    def forward(self, x):
        return A.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return A.tanh(x)


class SiLU(Module):
    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return A.silu(x)


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return A.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class ELU(Module):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return A.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return R.softmax(x, self.dim)


class LogSoftmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return R.log_softmax(x, self.dim)


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return A.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Hardtanh(Module):
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x):
        return x.clamp(self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Hardtanh):
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0)


class PReLU(Module):
    """max(0, x) + a min(0, x) with a learnt slope a, one for all channels or one per channel."""

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        from ..creation import full
        from .parameter import Parameter
        self.num_parameters = num_parameters
        self.weight = Parameter(full((num_parameters,), init))

    def forward(self, x):
        slope = self.weight if self.num_parameters == 1 or x.ndim < 2 else \
            self.weight.reshape((1, -1) + (1,) * (x.ndim - 2))
        return A.relu(x) - slope * A.relu(-x)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Mish(Module):
    def forward(self, x):
        return x * A.tanh(A.softplus(x))


class SELU(Module):
    """scale * (max(0, x) + min(0, alpha (e^x - 1))), the constants of Klambauer et al. 2017."""
    alpha, scale = 1.6732632423543772, 1.0507009873554805

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return A.elu(x, self.alpha) * self.scale
