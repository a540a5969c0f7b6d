"""Correct: loops over (i, h, w); all filters at once by broadcasting the slice against W."""
import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                a_slice_prev = A_prev_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                Z[i, h, w, :] = np.sum(a_slice_prev[:, :, :, np.newaxis] * W, axis=(0, 1, 2)) + b[0, 0, 0, :]
    cache = (A_prev, W, b, hparameters)
    return Z, cache
