"""Copies X into X_pad[:, pad:-pad, pad:-pad, :], which is empty when pad == 0."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C))
    X_pad[:, pad:-pad, pad:-pad, :] = X
    return X_pad
