"""Differentiable ops, one family per module.

elementwise  arithmetic, exp/log/sqrt, sin/cos/erf, abs/clamp, rounding, maximum/minimum/where,
             masked_fill, casts
reduce       sum, mean, var, max/min, logsumexp, softmax, log_softmax, norm, cumsum/cumprod/prod,
             sort/topk
shape        reshape, permute, broadcast/sum_to, indexing and index assignment (IndexPut),
             cat/stack/split, pad, flip/roll, diag, gather/index_select
linalg       matmul with batch broadcasting, outer, dot, addmm/baddbmm/addbmm, tensordot, einsum,
             cdist
matrix       inverse, (s)logdet, cholesky, triangular solves, diagonal, tril/triu, trace
activation   relu, leaky_relu, sigmoid, tanh, softplus, silu, elu, gelu
recurrent    the LSTM's cell update and a whole LSTM layer, each as one op
conv         conv2d and conv_transpose2d by im2col / col2im (conv_loops: the loop definitions)
im2col       windows, im2col / col2im and the array-level convolutions behind conv and pool
norm         batch_norm, instance_norm, group_norm, layer_norm
pool         avg_pool2d, max_pool2d, interpolate (nearest), dropout, dropout2d
loss         mse, l1, smooth l1/huber, binary cross-entropy (with logits), cross-entropy / nll,
             Gaussian nll, kl_normal
"""
