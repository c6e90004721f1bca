import autograd

from ..skeletons import lstm_cell as skeleton


def gates(x, h, w_ih, w_hh, b):
    """i, f, g, o recomputed from the inputs with Tensor ops (differentiable again)."""
    a = x @ w_ih.T + h @ w_hh.T + b
    i, f, g, o = a.chunk(4, dim=1)
    return i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()


class LSTMCell(skeleton.LSTMCell):
    def backward(self, gh, gc):
        x, h, c, w_ih, w_hh, b = self.inputs
        gh = autograd.zeros_like(h) if gh is None else gh
        gc = autograd.zeros_like(c) if gc is None else gc
        i, f, g, o = gates(x, h, w_ih, w_hh, b)
        tanh_c = (f * c + i * g).tanh()
        gc_total = gc + gh * o * (1 - tanh_c * tanh_c)        # both roads into c'
        ga = autograd.cat([gc_total * g * i * (1 - i),          # through i, f, g, o to a
                           gc_total * c * f * (1 - f),
                           gc_total * i * (1 - g * g),
                           gh * tanh_c * o * (1 - o)], dim=1)
        return ga @ w_ih, ga @ w_hh, gc_total * f, ga.T @ x, ga.T @ h, ga.sum(dim=0)
