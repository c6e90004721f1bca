from ..skeletons import softmax as skeleton


class Softmax(skeleton.Softmax):
    def backward(self, gy):
        y = self.saved_output()
        return y * (gy - (gy * y).sum(self.dim, keepdim=True))
