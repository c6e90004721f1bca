import math

from ..skeletons import sum_mean as skeleton


class Sum(skeleton.Sum):
    def backward(self, gy):
        x, = self.inputs
        return gy.reshape(skeleton.kept_shape(x.shape, self.dim)).broadcast_to(x.shape)


class Mean(skeleton.Mean):
    def backward(self, gy):
        x, = self.inputs
        count = math.prod(x.shape) if self.dim is None else x.shape[self.dim]
        return gy.reshape(skeleton.kept_shape(x.shape, self.dim)).broadcast_to(x.shape) / count
