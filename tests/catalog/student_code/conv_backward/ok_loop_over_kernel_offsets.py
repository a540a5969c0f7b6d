"""Correct: loops over the f*f kernel offsets with strided slices and matrix products."""
import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    s, p = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, _ = dZ.shape
    A_pad = zero_pad(A_prev, p)
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for di in range(f):
        for dj in range(f):
            rows = slice(di, di + s * (n_H - 1) + 1, s)
            cols = slice(dj, dj + s * (n_W - 1) + 1, s)
            dA_pad[:, rows, cols, :] += dZ @ W[di, dj].T
            dW[di, dj] = np.einsum("mhwc,mhwk->ck", A_pad[:, rows, cols, :], dZ)
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    dA_prev = dA_pad[:, p:p + n_H_prev, p:p + n_W_prev, :]
    return dA_prev, dW, db
