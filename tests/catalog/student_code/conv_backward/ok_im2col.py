"""Correct: im2col matrix of patches; dW and the patch gradients as matrix products, then col2im."""
import numpy as np


def conv_backward(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    A_prev_pad = zero_pad(A_prev, pad)
    cols = np.zeros((m, n_H, n_W, f * f * n_C_prev))
    for h in range(n_H):
        for w in range(n_W):
            cols[:, h, w, :] = A_prev_pad[:, h * stride:h * stride + f, w * stride:w * stride + f, :].reshape(m, -1)
    cols = cols.reshape(-1, f * f * n_C_prev)
    dZ_flat = dZ.reshape(-1, n_C)
    dW = (cols.T @ dZ_flat).reshape(f, f, n_C_prev, n_C)
    db = dZ_flat.sum(axis=0).reshape(1, 1, 1, n_C)
    dcols = (dZ_flat @ W.reshape(-1, n_C).T).reshape(m, n_H, n_W, f, f, n_C_prev)
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    for h in range(n_H):
        for w in range(n_W):
            dA_prev_pad[:, h * stride:h * stride + f, w * stride:w * stride + f, :] += dcols[:, h, w]
    dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev, dW, db
