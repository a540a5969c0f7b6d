"""Correct: pads each channel separately."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C))
    for c in range(n_C):
        X_pad[:, :, :, c] = np.pad(X[:, :, :, c], ((0, 0), (pad, pad), (pad, pad)), 'constant', constant_values=0)
    return X_pad
