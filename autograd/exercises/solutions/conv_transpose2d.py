from autograd.exercises.im2col import Im2col

from ..skeletons import conv_transpose2d as skeleton


class ConvTranspose2d(skeleton.ConvTranspose2d):
    def backward(self, gy):
        x, w = self.inputs
        n, c, h, width = x.shape
        k = w.shape[2]
        gcols = Im2col(k, self.stride, self.padding)(gy)      # (N, O*k*k, H*W)
        gx = (w.reshape(c, -1) @ gcols).reshape(x.shape)
        gw = (x.reshape(n, c, h * width) @ gcols.transpose(1, 2)).sum(0).reshape(w.shape)
        return gx, gw
