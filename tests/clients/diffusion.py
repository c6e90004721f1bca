"""A small DDPM in the style of public diffusion tutorials: a linear beta schedule
with cumprod, coefficients looked up with gather, a sinusoidal time embedding,
GroupNorm and SiLU, and the noise-prediction loss."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

T = 100


def linear_beta_schedule(timesteps):
    return torch.linspace(1e-4, 0.02, timesteps)


betas = linear_beta_schedule(T)
alphas = 1.0 - betas
alphas_cumprod = torch.cumprod(alphas, dim=0)
alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.0)
sqrt_alphas_cumprod = torch.sqrt(alphas_cumprod)
sqrt_one_minus_alphas_cumprod = torch.sqrt(1.0 - alphas_cumprod)


def extract(a, t, x_shape):
    batch_size = t.shape[0]
    out = a.gather(-1, t.cpu())
    return out.reshape(batch_size, *((1,) * (len(x_shape) - 1))).to(t.device)


def q_sample(x_start, t, noise):
    return (extract(sqrt_alphas_cumprod, t, x_start.shape) * x_start
            + extract(sqrt_one_minus_alphas_cumprod, t, x_start.shape) * noise)


class SinusoidalPositionEmbeddings(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half_dim = self.dim // 2
        embeddings = math.log(10000) / (half_dim - 1)
        embeddings = torch.exp(torch.arange(half_dim) * -embeddings)
        embeddings = time[:, None] * embeddings[None, :]
        return torch.cat((embeddings.sin(), embeddings.cos()), dim=-1)


class Denoiser(nn.Module):
    def __init__(self, channels=8):
        super().__init__()
        self.time_mlp = nn.Sequential(SinusoidalPositionEmbeddings(16), nn.Linear(16, channels), nn.GELU())
        self.conv_in = nn.Conv2d(1, channels, 3, padding=1)
        self.norm = nn.GroupNorm(4, channels)
        self.conv_mid = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv_out = nn.Conv2d(channels, 1, 3, padding=1)

    def forward(self, x, time):
        h = self.conv_in(x)
        h = h + self.time_mlp(time)[:, :, None, None]
        h = F.silu(self.norm(h))
        h = self.conv_mid(h)
        return self.conv_out(F.silu(h))


def make_models():
    return [Denoiser()]


def train(models, images, labels, checkpoint):
    model, = models
    data = torch.from_numpy(images[:64, ::2, ::2].copy()).float() / 127.5 - 1
    data = data.unsqueeze(1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    losses = []
    for step in range(4):
        batch = data[step * 16:(step + 1) * 16]
        t = torch.randint(0, T, (batch.shape[0],)).long()
        noise = torch.randn_like(batch)
        predicted = model(q_sample(batch, t, noise), t.float())
        loss = F.smooth_l1_loss(noise, predicted) + F.mse_loss(noise, predicted)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
