"""Reference for exercise gan_losses (the mathematics is in skeletons/gan_losses.py)."""
from autograd import Function, get_array_module


def softplus(a):
    """log(1 + e^a) on a raw array, without exp of a large positive number."""
    xp = get_array_module(a)
    return xp.maximum(a, 0) + xp.log1p(xp.exp(-xp.abs(a)))


class SaturatingLoss(Function):
    """mean log(1 - D(G(z))) = mean log(1 - sigmoid(a)) = -mean softplus(a)."""

    def forward(self, logits):
        return -softplus(logits).mean()

    def backward(self, g_loss):
        a, = self.inputs
        return -g_loss * a.sigmoid() / a.shape[0]          # softplus' = sigmoid


class NonSaturatingLoss(Function):
    """-mean log D(G(z)) = -mean log sigmoid(a) = mean softplus(-a)."""

    def forward(self, logits):
        return softplus(-logits).mean()

    def backward(self, g_loss):
        a, = self.inputs
        return -g_loss * (-a).sigmoid() / a.shape[0]       # the chain rule's -1 for -a
