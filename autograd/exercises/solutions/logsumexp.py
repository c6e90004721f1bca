from ..skeletons import logsumexp as skeleton


class LogSumExp(skeleton.LogSumExp):
    def backward(self, gy):
        x, y = self.inputs[0], self.saved_output()
        kept = skeleton.kept_shape(x.shape, self.dim)
        return gy.reshape(kept) * (x - y.reshape(kept)).exp()
