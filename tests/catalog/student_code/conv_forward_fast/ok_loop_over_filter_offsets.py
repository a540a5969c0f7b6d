"""A loop over the f x f filter offsets only: each adds one strided slice times W[x, y]."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    A_pad = zero_pad(A_prev, pad)
    Z = np.zeros((m, n_H, n_W, n_C)) + b
    for x in range(f):
        for y in range(f):
            patch = A_pad[:, x:x + stride * (n_H - 1) + 1:stride, y:y + stride * (n_W - 1) + 1:stride, :]
            Z += patch @ W[x, y]
    return Z, (A_prev, W, b, hparameters)
