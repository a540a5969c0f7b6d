"""Pads with ones: constant_values=(1, 1)."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant', constant_values=(1, 1))
    return X_pad
