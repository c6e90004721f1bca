from ..skeletons import vae as skeleton


class Reparameterize(skeleton.Reparameterize):
    def backward(self, gz):
        mu, logvar, eps = self.inputs
        return gz, gz * eps * (logvar / 2).exp() / 2, None


class GaussianKL(skeleton.GaussianKL):
    def backward(self, gkl):
        mu, logvar = self.inputs
        g = gkl.reshape(-1, 1)
        return g * mu, g * (logvar.exp() - 1) / 2
