"""Correct: np.pad directly, loops in the order i, c, h, w, bias read with b[0, 0, 0, c]."""
import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = int((n_H_prev + 2 * pad - f) / stride) + 1
    n_W = int((n_W_prev + 2 * pad - f) / stride) + 1
    A_prev_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for c in range(n_C):
            weights = W[:, :, :, c]
            bias = float(b[0, 0, 0, c])
            for h in range(n_H):
                for w in range(n_W):
                    a_slice_prev = A_prev_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                    Z[i, h, w, c] = np.sum(np.multiply(a_slice_prev, weights)) + bias
    cache = (A_prev, W, b, hparameters)
    return Z, cache
