"""Differentiable ops, one family per module.

elementwise  arithmetic, exp/log/sqrt, abs/clamp, maximum/minimum/where, casts
reduce       sum, mean, var, max/min, logsumexp, softmax, log_softmax, norm
shape        reshape, permute, broadcast/sum_to, indexing, cat/stack/split, pad
linalg       matmul with batch broadcasting
activation   relu, leaky_relu, sigmoid, tanh, softplus, silu, elu
conv         conv2d and conv_transpose2d by im2col / col2im (conv_loops: the loop definitions)
norm         batch_norm, instance_norm, group_norm, layer_norm
pool         avg_pool2d, max_pool2d, interpolate (nearest), dropout
loss         mse, l1, binary cross-entropy (with logits), cross-entropy / nll, Gaussian nll, kl_normal
"""
