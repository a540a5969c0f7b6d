"""Correct: loops over the f*f offsets inside the window, combining strided slices."""
import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    if mode == "max":
        A = np.full((m, n_H, n_W, n_C), -np.inf)
    else:
        A = np.zeros((m, n_H, n_W, n_C))
    for di in range(f):
        for dj in range(f):
            part = A_prev[:, di:di + stride * (n_H - 1) + 1:stride, dj:dj + stride * (n_W - 1) + 1:stride, :]
            if mode == "max":
                A = np.maximum(A, part)
            else:
                A = A + part / (f * f)
    cache = (A_prev, hparameters)
    return A, cache
