"""Correct: concatenate blocks of zeros above/below, then left/right."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    rows = np.zeros((m, pad, n_W, n_C))
    X_pad = np.concatenate([rows, X, rows], axis=1)
    cols = np.zeros((m, n_H + 2 * pad, pad, n_C))
    X_pad = np.concatenate([cols, X_pad, cols], axis=2)
    return X_pad
