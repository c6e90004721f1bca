"""autograd.nn: Module, Parameter, layers and losses with PyTorch's names and layouts.

A PyTorch model definition runs after changing ``from torch import nn`` to
``from autograd import nn``.

module.py holds ``Module`` (the base class) and parameter.py ``Parameter``; the
layers live one family per file (linear, conv, norm, pooling, activation, rnn,
attention, padding, distance, loss, containers).  Besides the layers:
``nn.functional`` (the ops under PyTorch's functional names), ``nn.init``
(weight initialisation), ``nn.utils`` (gradient clipping, weight and spectral
norm) and ``nn.parallel`` (data parallelism over processes).
"""
from . import functional, init, parallel, utils  # noqa: F401
from .activation import (ELU, GELU, SELU, Hardtanh, LeakyReLU, LogSoftmax, Mish, PReLU, ReLU, ReLU6,
                         Sigmoid, SiLU, Softmax, Softplus, Tanh)
from .attention import MultiheadAttention
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .distance import CosineSimilarity, PairwiseDistance
from .linear import Embedding, Flatten, Identity, Linear, Unflatten
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, GaussianNLLLoss, HuberLoss,
                   KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from .module import Module
from .norm import BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm
from .parameter import Parameter
from .padding import (CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ConstantPad3d,
                      PixelShuffle, PixelUnshuffle, ReflectionPad1d, ReflectionPad2d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, Dropout, Dropout2d, MaxPool1d, MaxPool2d, Upsample,
                      UpsamplingBilinear2d, UpsamplingNearest2d)

__all__ = [
    "Module", "Parameter", "MultiheadAttention", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Linear", "Conv2d", "ConvTranspose2d", "Embedding", "Identity", "Flatten", "Unflatten",
    "BatchNorm1d", "BatchNorm2d", "InstanceNorm2d", "GroupNorm", "LayerNorm",
    "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "GELU", "Softplus", "ELU", "Softmax", "LogSoftmax",
    "Hardtanh", "ReLU6", "PReLU", "Mish", "SELU", "UpsamplingBilinear2d", "UpsamplingNearest2d",
    "AvgPool2d", "MaxPool2d", "Upsample", "Dropout", "Dropout2d",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss",
    "SmoothL1Loss", "HuberLoss",
    "GaussianNLLLoss", "functional", "init", "utils",
    "Conv1d", "ConvTranspose1d", "CosineSimilarity", "PairwiseDistance", "KLDivLoss",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AvgPool1d", "MaxPool1d", "PixelShuffle", "PixelUnshuffle", "ZeroPad1d", "ZeroPad2d",
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNNCellBase",
]
