"""A VAE in the style of the pytorch/examples one, written with torch.distributions:
the encoder gives a Normal posterior, z = q.rsample(), a Bernoulli decoder's
log_prob, and kl_divergence to the standard normal prior."""
import torch
from torch import nn, optim
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence


class VAE(nn.Module):
    def __init__(self, latent=4):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc21 = nn.Linear(64, latent)
        self.fc22 = nn.Linear(64, latent)
        self.fc3 = nn.Linear(latent, 64)
        self.fc4 = nn.Linear(64, 784)

    def encode(self, x):
        h1 = torch.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode(self, z):
        return self.fc4(torch.relu(self.fc3(z)))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        q = Independent(Normal(mu, torch.exp(0.5 * logvar)), 1)
        z = q.rsample()
        return self.decode(z), q


def loss_function(logits, x, q):
    prior = Independent(Normal(torch.zeros_like(q.mean), torch.ones_like(q.mean)), 1)
    reconstruction = Independent(Bernoulli(logits=logits), 1).log_prob(x.view(-1, 784))
    return -(reconstruction - kl_divergence(q, prior)).sum()


def make_models():
    return [VAE()]


def train(models, images, labels, checkpoint):
    model, = models
    data = torch.tensor(images[:128] > 127, dtype=torch.float32)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    model.train()
    for epoch in range(2):
        for start in range(0, len(data), 32):
            batch = data[start:start + 32]
            optimizer.zero_grad()
            logits, q = model(batch)
            loss = loss_function(logits, batch, q)
            loss.backward()
            optimizer.step()
            losses.append(loss.item() / len(batch))
    with torch.no_grad():
        sample = torch.sigmoid(model.decode(torch.randn(8, 4)))
        losses.append(sample.mean().item())
    return losses
