"""Correct: loops over (i, h, w); reduces the window over axes (0, 1) for all channels at once."""
import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = int((n_H_prev - f) / stride) + 1
    n_W = int((n_W_prev - f) / stride) + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                a_prev_slice = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                if mode == "max":
                    A[i, h, w, :] = np.max(a_prev_slice, axis=(0, 1))
                elif mode == "average":
                    A[i, h, w, :] = np.mean(a_prev_slice, axis=(0, 1))
    cache = (A_prev, hparameters)
    return A, cache
