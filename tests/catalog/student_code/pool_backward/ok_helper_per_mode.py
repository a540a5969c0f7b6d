"""Correct: one private helper per mode returning the window gradient."""
import numpy as np


def _max_window_grad(window, g):
    return (window == np.max(window)) * g


def _average_window_grad(window, g):
    return np.ones(window.shape) * g / window.size


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    grad = _max_window_grad if mode == "max" else _average_window_grad
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows = slice(h * stride, h * stride + f)
                    cols = slice(w * stride, w * stride + f)
                    dA_prev[i, rows, cols, c] += grad(A_prev[i, rows, cols, c], dA[i, h, w, c])
    return dA_prev
