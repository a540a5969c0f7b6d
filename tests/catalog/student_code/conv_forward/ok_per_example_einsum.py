"""Correct: loops over examples and positions, einsum over the window and all filters."""
import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, n_C = W.shape[0], W.shape[-1]
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = 1 + (n_H_prev + 2 * pad - f) // stride
    n_W = 1 + (n_W_prev + 2 * pad - f) // stride
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        a_prev_pad = zero_pad(A_prev[i:i + 1], pad)[0]
        for h in range(n_H):
            for w in range(n_W):
                window = a_prev_pad[h * stride:h * stride + f, w * stride:w * stride + f]
                Z[i, h, w] = np.einsum("ijc,ijck->k", window, W) + b.ravel()
    return Z, (A_prev, W, b, hparameters)
