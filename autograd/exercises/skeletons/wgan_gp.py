"""Exercise wgan_gp: a critic whose backward is differentiable (the WGAN-GP penalty).

Forward (Gulrajani et al. 2017).  WGAN-GP keeps the critic D close to
1-Lipschitz with a penalty on the norm of its gradient with respect to its input:

    GP = mean over n of ( ||dD(x_n)/dx_n||_2 - 1 )^2

Training with GP needs dGP/dW: the derivative of a derivative.  The engine gets
it if, and only if, every backward is written with Tensor ops (then
``autograd.grad(..., create_graph=True)`` records the backward pass as a graph
that can itself be differentiated).  The critic here is one hidden layer:

    h = tanh(x @ W1),   D(x) = h @ w2

with x (N, I), W1 (I, H), w2 (H,), D(x) of shape (N,).

The question.  Given gd = dL/dD (N,), what are dL/dx, dL/dW1 and dL/dw2?  Go
back through the two layers (exercises matmul and tanh); then ask which of the
values you use would be constants to a second backward pass.

Your task: write ``Critic.backward`` returning (gx, gW1, gw2).  The check runs
gradcheck on D, then on GP (which differentiates your backward), then
gradgradcheck on D.
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
