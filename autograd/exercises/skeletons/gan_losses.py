"""Exercise gan_losses: the generator's two losses, from the discriminator's logits.

Math (Goodfellow et al. 2014, section 3).  The discriminator ends in a sigmoid,
D(x) = sigmoid(a(x)), where a is its logit.  For a batch of N fakes G(z_n) with
logits a_n, the generator can minimise either

    the saturating loss (the minimax game's own):   mean_n log(1 - D(G(z_n)))
    the non-saturating loss (used in practice):     -mean_n log D(G(z_n))

(``scratchgen/train/gan.py`` trains G with the second, as binary cross-entropy
against the label 1; docs/models/gan.md compares the two.)  Both are to be
computed from the logits, stably: a confident discriminator gives logits of
+-50 and beyond, where sigmoid(a) rounds to exactly 1 or 0 in float64 and the
log of 1 - 1 is -inf.  softplus(x) = log(1 + e^x) is the tool: log sigmoid(a)
= -softplus(-a) and log(1 - sigmoid(a)) = -softplus(a).

The question.  How does each loss change when one logit a_n changes?  Early in
training D rejects the fakes (a_n very negative): which loss still gives the
generator a gradient there, and which gives almost none?

Your task: for ``SaturatingLoss`` and ``NonSaturatingLoss``, each a scalar of
the logits (N,),
  1. forward(logits), on raw arrays, finite for logits of +-800;
  2. write SaturatingLoss.backward and write NonSaturatingLoss.backward: the
     gradient with respect to the logits, with Tensor ops.
The check compares both losses with the reference first, then your gradients
with finite differences.

Hint: ``Tensor.sigmoid()`` is computed stably for any logit.
"""
from autograd import Function, get_array_module  # noqa: F401


class SaturatingLoss(Function):
    def forward(self, logits):
        raise NotImplementedError("write SaturatingLoss.forward")

    def backward(self, g_loss):
        raise NotImplementedError("write SaturatingLoss.backward")


class NonSaturatingLoss(Function):
    def forward(self, logits):
        raise NotImplementedError("write NonSaturatingLoss.forward")

    def backward(self, g_loss):
        raise NotImplementedError("write NonSaturatingLoss.backward")
