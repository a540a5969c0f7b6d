"""Correct: pads each example separately with np.pad on its (H, W) axes."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C))
    for i in range(m):
        X_pad[i] = np.pad(X[i], ((pad, pad), (pad, pad), (0, 0)), mode="constant")
    return X_pad
