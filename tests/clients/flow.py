"""A masked autoregressive flow on 2-D data, written the slow readable way that
public flow code uses: each column of z is assigned in turn (z[:, i] = ...),
with a MultivariateNormal prior from torch.distributions."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import MultivariateNormal


class MaskedLinear(nn.Linear):
    def __init__(self, in_features, out_features, mask):
        super().__init__(in_features, out_features)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.linear(x, self.mask * self.weight, self.bias)


class ColumnFlow(nn.Module):
    """z_i = (x_i - mu_i(x_<i)) exp(-alpha_i(x_<i)), one column at a time."""

    def __init__(self, dim=2, hidden=16):
        super().__init__()
        self.dim = dim
        self.nets = nn.ModuleList([nn.Sequential(nn.Linear(max(i, 1), hidden), nn.Tanh(),
                                                 nn.Linear(hidden, 2)) for i in range(dim)])

    def forward(self, x):
        z = torch.zeros_like(x)
        log_det = torch.zeros(x.size(0))
        for i in range(self.dim):
            context = x[:, :i] if i > 0 else torch.zeros(x.size(0), 1)
            mu, alpha = self.nets[i](context).chunk(2, dim=1)
            z[:, i] = (x[:, i] - mu.squeeze(1)) * torch.exp(-alpha.squeeze(1))
            log_det -= alpha.squeeze(1)
        return z, log_det


class MADEFlow(nn.Module):
    """The same model computed in one pass with masked weights (MADE)."""

    def __init__(self, dim=2, hidden=16):
        super().__init__()
        degrees = torch.arange(hidden) % (dim - 1)
        mask1 = (degrees.unsqueeze(1) >= torch.arange(dim).unsqueeze(0)).float()
        out_degrees = torch.arange(dim).repeat(2)
        mask2 = (out_degrees.unsqueeze(1) > degrees.unsqueeze(0)).float()
        self.net = nn.Sequential(MaskedLinear(dim, hidden, mask1), nn.Tanh(),
                                 MaskedLinear(hidden, 2 * dim, mask2))

    def forward(self, x):
        mu, alpha = self.net(x).chunk(2, dim=1)
        return (x - mu) * torch.exp(-alpha), -alpha.sum(dim=1)


def make_models():
    return [ColumnFlow(), MADEFlow()]


def moons(n):
    angle = torch.linspace(0, 3.14159, n // 2)
    upper = torch.stack([angle.cos(), angle.sin()], dim=1)
    lower = torch.stack([1 - angle.cos(), 0.5 - angle.sin()], dim=1)
    return torch.cat([upper, lower]) + 0.05 * torch.linspace(-1, 1, n).unsqueeze(1)


def train(models, images, labels, checkpoint):
    prior = MultivariateNormal(torch.zeros(2), torch.eye(2))
    data = moons(128)
    losses = []
    for flow in models:
        optimizer = torch.optim.Adam(flow.parameters(), lr=1e-2)
        for step in range(15):
            z, log_det = flow(data)
            loss = -(prior.log_prob(z) + log_det).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(flow.parameters(), 5.0)
            optimizer.step()
            losses.append(loss.item())
    return losses
