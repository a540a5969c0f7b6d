"""Allocates n_H + pad (not + 2*pad): the zeros are only added at the top and left."""
import numpy as np


def zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + pad, n_W + pad, n_C))
    X_pad[:, pad:, pad:, :] = X
    return X_pad
