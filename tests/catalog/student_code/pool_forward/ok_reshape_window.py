"""Correct: flattens each window to (f*f, n_C) and reduces along axis 0."""
import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                flat = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, :].reshape(-1, n_C)
                A[i, h, w] = flat.max(axis=0) if mode == "max" else flat.mean(axis=0)
    return A, (A_prev, hparameters)
