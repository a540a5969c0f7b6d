"""I padded the bottom and the right by the stride (the step to the next window), not by pad."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    m, n_H, n_W, n_C = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, stride), (pad, stride), (0, 0)))
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for x in range(f):
        rows = slice(x, x + stride * (n_H - 1) + 1, stride)
        for y in range(f):
            cols = slice(y, y + stride * (n_W - 1) + 1, stride)
            dW[x, y] = np.tensordot(A_pad[:, rows, cols, :], dZ, axes=([0, 1, 2], [0, 1, 2]))
            dA_pad[:, rows, cols, :] += dZ @ W[x, y].T
    db = dZ.sum(axis=(0, 1, 2)).reshape(b.shape)
    return dA_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :], dW, db
