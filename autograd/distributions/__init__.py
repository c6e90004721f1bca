"""Probability distributions, as ``torch.distributions``: ``import autograd.distributions as D``.

Each distribution gives ``sample`` (no gradient), ``rsample`` (reparameterised:
gradients reach the parameters) where ``has_rsample``, ``log_prob``,
``entropy``, ``mean``, ``variance`` and ``stddev``, with PyTorch's shapes
(sample_shape + batch_shape + event_shape; see distribution.py).

normal, uniform, bernoulli, categorical, multivariate_normal,
laplace, log_normal, gamma (Gamma and Beta)                  the families
independent               batch dims reinterpreted as event dims
transforms                invertible maps with their log-Jacobians
transformed_distribution  the distribution of f(X)
kl                        kl_divergence in closed form, register_kl
constraints               what parameters and values may be
"""
from . import constraints, kl, transforms
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .gamma import Beta, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import (AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform,
                         Transform)
from .uniform import Uniform

__all__ = ["AffineTransform", "Bernoulli", "Beta", "Categorical", "Gamma", "Laplace", "LogNormal", "ComposeTransform", "Distribution",
           "ExpTransform", "Independent", "MultivariateNormal", "Normal", "SigmoidTransform",
           "Transform", "TransformedDistribution", "Uniform", "constraints", "kl_divergence",
           "register_kl", "transforms"]
