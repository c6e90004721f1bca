"""Exercise wgan_gp: a critic whose backward is differentiable (the WGAN-GP penalty).

Math (Gulrajani et al. 2017).  WGAN-GP keeps the critic D close to 1-Lipschitz
with a penalty on the norm of its gradient with respect to its input:

    GP = mean over n of ( ||dD(x_n)/dx_n||_2 - 1 )^2

Training with GP needs dGP/dW: the derivative of a derivative.  The engine gets
it for free if, and only if, every backward is written with Tensor ops (then
``autograd.grad(..., create_graph=True)`` records the backward pass as a graph
that can itself be differentiated).

The critic here is one hidden layer:  h = tanh(x @ W1),  D(x) = h @ w2,
with x (N, I), W1 (I, H), w2 (H,), D(x) of shape (N,).  Backward, gd (N,):

    gh  = gd.reshape(N, 1) * w2          (N, H)
    ga  = gh * (1 - h^2)                 (tanh' = 1 - tanh^2)
    gx  = ga @ W1^T,   gW1 = x^T @ ga,   gw2 = h^T @ gd   (h^T: h.T)

Your task: write ``Critic.backward`` returning (gx, gW1, gw2).  The check runs
gradcheck on D, then on GP (which differentiates your backward), then
gradgradcheck on D.  Recompute h from the inputs with Tensor ops
(``(x @ w1).tanh()``) instead of using the array saved by forward.

Hint: an array taken from .data or wrapped in Tensor(...) is a constant to the
second backward pass: the first check passes and the penalty's fails.
"""
from autograd import Function, get_array_module


class Critic(Function):
    def forward(self, x, w1, w2):
        xp = get_array_module(x)
        self.h = xp.tanh(x @ w1)   # an array: fine for forward, a trap for backward
        return self.h @ w2

    def backward(self, gd):
        x, w1, w2 = self.inputs
        raise NotImplementedError("write Critic.backward")
