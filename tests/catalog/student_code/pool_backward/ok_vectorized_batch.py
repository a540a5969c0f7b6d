"""Correct: loops over output positions; masks for the whole batch with keepdims broadcasting."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    _, n_H, n_W, _ = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for h in range(n_H):
        for w in range(n_W):
            rows = slice(h * stride, h * stride + f)
            cols = slice(w * stride, w * stride + f)
            g = dA[:, h:h + 1, w:w + 1, :]
            if mode == "max":
                window = A_prev[:, rows, cols, :]
                mask = window == np.max(window, axis=(1, 2), keepdims=True)
                dA_prev[:, rows, cols, :] += mask * g
            else:
                dA_prev[:, rows, cols, :] += g / (f * f)
    return dA_prev
