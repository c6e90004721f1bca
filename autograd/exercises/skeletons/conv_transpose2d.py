"""Exercise conv_transpose2d: the transposed convolution, through col2im.

Forward.  x (N, C, H, W), weight w (C, O, k, k) (PyTorch's layout: input
channels first), stride s, padding p.  The transposed convolution runs the
convolution's steps backwards: each input pixel spreads into a k x k patch.

    X    = x.reshape(N, C, H*W)
    W    = w.reshape(C, O*k*k)
    cols = W^T @ X                      (N, O*k*k, H*W)
    y    = col2im(cols)                 (N, O, OH, OW)   OH = (H - 1) s - 2p + k

The question.  Given gy = dL/dy, what are dL/dx and dL/dw?  Reverse the steps:
col2im's backward is im2col, then a matrix product.  Write the shape of each
factor beside each line; w is used for every sample.

Your task: write ``ConvTranspose2d.backward`` returning (gx, gw), with Tensor
ops and the Functions ``Im2col`` / ``Col2im`` (autograd/exercises/im2col.py).
"""
from autograd import Function
from autograd.exercises.im2col import Col2im, Im2col, col2im  # noqa: F401


def transpose_output_size(size, k, stride, padding):
    return (size - 1) * stride - 2 * padding + k


class ConvTranspose2d(Function):
    def __init__(self, stride=1, padding=0):
        self.stride, self.padding = stride, padding

    def forward(self, x, w):
        n, c, h, width = x.shape
        o, k = w.shape[1], w.shape[2]
        cols = w.reshape(c, -1).T @ x.reshape(n, c, h * width)   # (N, O*k*k, H*W)
        out_shape = (n, o, transpose_output_size(h, k, self.stride, self.padding),
                     transpose_output_size(width, k, self.stride, self.padding))
        return col2im(cols, out_shape, k, self.stride, self.padding)

    def backward(self, gy):
        x, w = self.inputs
        raise NotImplementedError("write ConvTranspose2d.backward")
