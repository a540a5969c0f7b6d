"""Correct: im2col (one row per output position, patches flattened) then a matrix product."""
import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
    A_prev_pad = zero_pad(A_prev, pad)
    cols = np.zeros((m, n_H, n_W, f * f * n_C_prev))
    for h in range(n_H):
        for w in range(n_W):
            patch = A_prev_pad[:, h * stride:h * stride + f, w * stride:w * stride + f, :]
            cols[:, h, w, :] = patch.reshape(m, -1)
    Z = cols.reshape(-1, f * f * n_C_prev) @ W.reshape(-1, n_C) + b.reshape(1, n_C)
    Z = Z.reshape(m, n_H, n_W, n_C)
    cache = (A_prev, W, b, hparameters)
    return Z, cache
