"""Exercise conv2d: convolution through im2col.

Forward.  x (N, C, H, W), weight w (O, C, k, k), stride s, padding p.  im2col
cuts x into its windows, one column per output pixel:

    cols = im2col(x)                 (N, C*k*k, L)      L = OH * OW
    W    = w.reshape(O, C*k*k)       (O, C*k*k)
    Y    = W @ cols                  (N, O, L)          (the product broadcasts over N)
    y    = Y.reshape(N, O, OH, OW)

The question.  Given gy = dL/dy, what are dL/dx and dL/dw?  The forward is a
chain of steps whose backwards you know: a reshape, a matrix product (exercise
matmul) and im2col, whose backward is col2im.  Go through them in reverse,
writing the shape of every intermediate beside it; w is used for every sample.

Your task: write ``Conv2d.backward`` returning (gx, gw).  Tensor ops you may
need: reshape, ``t.transpose(1, 2)`` (swap the last two dims of a 3-D tensor),
``t.T`` (transpose of a 2-D tensor), ``@``, ``t.sum(0)``.  The Functions
``Im2col`` and ``Col2im`` (autograd/exercises/im2col.py) are each other's
backward, so your backward stays differentiable.
"""
from autograd import Function
from autograd.exercises.im2col import Col2im, Im2col, im2col, output_size  # noqa: F401


class Conv2d(Function):
    def __init__(self, stride=1, padding=0):
        self.stride, self.padding = stride, padding

    def forward(self, x, w):
        n, _, h, width = x.shape
        o, _, k, _ = w.shape
        cols = im2col(x, k, self.stride, self.padding)           # (N, C*k*k, L)
        y = w.reshape(o, -1) @ cols                               # (N, O, L)
        oh = output_size(h, k, self.stride, self.padding)
        ow = output_size(width, k, self.stride, self.padding)
        return y.reshape(n, o, oh, ow)

    def backward(self, gy):
        x, w = self.inputs
        raise NotImplementedError("write Conv2d.backward")
