"""Correct: zeros with X's dtype, centre addressed as pad:size-pad of the padded array."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=X.dtype)
    X_pad[:, pad:X_pad.shape[1] - pad, pad:X_pad.shape[2] - pad, :] = X
    return X_pad
