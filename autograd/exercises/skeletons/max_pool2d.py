"""Exercise max_pool2d: the largest element of each k x k window.

Forward.  y[n, c, p, q] = max over the window (rows p*s .. p*s+k-1, columns
q*s .. q*s+k-1) of x[n, c].

The question.  Given gy, what is dL/dx?  Which elements of a window change its
output when nudged a little?  When the stride is smaller than the kernel,
windows overlap: what does an element that is the max of two windows receive?

forward saves ``self.argmax``: for each output element, the position of its
window's max in the flattened input (x.reshape(-1)), an integer array of y's
shape.

Your task: write ``MaxPool2d.backward`` returning gx as a Tensor of x's shape.
``scatter_add(target, index, values)`` does target[index] += values and adds
repeated indices once each (plain ``target[index] += values`` does not: try it
on an index with repeats); ``gy.array`` is the incoming gradient as an array.
Only the first derivative is checked.
"""
from autograd import Function, Tensor, get_array_module  # noqa: F401
from autograd.backend import scatter_add  # noqa: F401  (you will need it)


class MaxPool2d(Function):
    def __init__(self, k, stride):
        self.k, self.stride = k, stride

    def forward(self, x):
        xp = get_array_module(x)
        n, c, h, w = x.shape
        k, s = self.k, self.stride
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        # flat index of every input element, cut into the same windows as x
        position = xp.arange(x.size).reshape(x.shape)
        windows, where = [], []
        for i in range(k):
            for j in range(k):
                windows.append(x[:, :, i: i + s * oh: s, j: j + s * ow: s])
                where.append(position[:, :, i: i + s * oh: s, j: j + s * ow: s])
        windows, where = xp.stack(windows), xp.stack(where)     # (k*k, N, C, OH, OW)
        best = windows.argmax(axis=0)[None]
        self.argmax = xp.take_along_axis(where, best, axis=0)[0]
        return xp.take_along_axis(windows, best, axis=0)[0]

    def backward(self, gy):
        x, = self.inputs
        raise NotImplementedError("write MaxPool2d.backward")
