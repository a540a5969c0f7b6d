"""Correct: loops over output positions; np.tensordot over the batch and channel axes."""
import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    n_H_prev, n_W_prev = A_prev.shape[1], A_prev.shape[2]
    f = W.shape[0]
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    m, n_H, n_W, n_C = dZ.shape
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = np.zeros_like(A_prev_pad)
    dW = np.zeros_like(W)
    for h in range(n_H):
        for w in range(n_W):
            rows = slice(h * stride, h * stride + f)
            cols = slice(w * stride, w * stride + f)
            g = dZ[:, h, w, :]                                                  # (m, n_C)
            dA_prev_pad[:, rows, cols, :] += np.tensordot(g, W, axes=([1], [3]))   # (m, f, f, n_C_prev)
            dW += np.tensordot(A_prev_pad[:, rows, cols, :], g, axes=([0], [0]))   # (f, f, n_C_prev, n_C)
    db = dZ.sum(axis=(0, 1, 2), keepdims=True)
    dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev, dW, db
