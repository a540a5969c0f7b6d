"""Correct: math.floor for the size, average computed as np.sum(window) / (f * f)."""
import math
import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = math.floor((n_H_prev - f) / stride) + 1
    n_W = math.floor((n_W_prev - f) / stride) + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                window = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                for c in range(n_C):
                    if mode == "max":
                        A[i, h, w, c] = np.max(window[:, :, c])
                    elif mode == "average":
                        A[i, h, w, c] = np.sum(window[:, :, c]) / (f * f)
    cache = (A_prev, hparameters)
    return A, cache
