"""Differentiable ops, one family per module.

elementwise  arithmetic, exp/log/sqrt, abs/clamp, maximum/minimum/where, casts
reduce       sum, mean, var, max/min, logsumexp, softmax, log_softmax, norm
shape        reshape, permute, broadcast/sum_to, indexing, cat/stack/split, pad
linalg       matmul with batch broadcasting
activation   relu, leaky_relu, sigmoid, tanh, softplus, silu, elu
"""
