"""Evaluation metrics for generative models: likelihoods, sample statistics, a classifier.

Likelihood models (VAE, flow, PixelCNN, DDPM's bound): ``likelihood.py``
    bits_per_dim            nats per example -> bits per dimension
    bits_per_dim_8bit       the same, for a density over dequantised images scaled to [0, 1]
    rescaling_log_det       D log 256: the correction between the two
    logit_log_det           the correction for a model that works in logit space
                            (from scratchgen.data.transforms, re-exported here)
    log_mean_exp            log (1/k) sum_i exp(v_i), computed stably
    iwae_bound              the importance-weighted bound on log p(x) from k log-weights

Sample-based comparisons: ``distances.py``
    mmd                     unbiased kernel two-sample statistic MMD^2 (2-D toy samples vs data)
    frechet_distance        ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

With the shipped MNIST classifier (scratchgen/models/classifier.py): ``sample_quality.py``
    classifier_report             features, confidence and class coverage of a set of images
    frechet_classifier_distance   Frechet distance between classifier features (an "FID for MNIST")
    floor_report                  the same numbers for real data against real data: the best a
                                  perfect generator can expect.  ``python -m scratchgen.metrics --floor``
                                  (``command_line.py``)
    image_quality                 the numbers training runs log for generated MNIST images

Everything here is NumPy (float64) except where noted: ``bits_per_dim``,
``bits_per_dim_8bit`` and ``log_mean_exp`` / ``iwae_bound`` also accept autograd
Tensors and then return Tensors, so they can be used inside a loss.
"""
from scratchgen.data.transforms import logit_log_det  # noqa: F401  (re-exported, see its docstring)

from .command_line import main  # noqa: F401
from .distances import (feature_statistics, frechet_distance,  # noqa: F401
                        frechet_distance_from_statistics, median_heuristic, mmd, trace_sqrt_product)
from .likelihood import (LOG2, bits_per_dim, bits_per_dim_8bit, iwae_bound,  # noqa: F401
                         log_mean_exp, rescaling_log_det)
from .sample_quality import (classifier_report, floor_report,  # noqa: F401
                             frechet_classifier_distance, get_classifier, image_quality)
