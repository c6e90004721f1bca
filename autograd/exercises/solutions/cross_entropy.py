from autograd import Tensor

from ..skeletons import cross_entropy as skeleton


class CrossEntropy(skeleton.CrossEntropy):
    def backward(self, g_loss):
        n = self.probs.shape[0]
        return g_loss * Tensor(self.probs - self.one_hot) / n, None
