"""Pads the wrong axes (m and n_H instead of n_H and n_W)."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((pad, pad), (pad, pad), (0, 0), (0, 0)), mode='constant', constant_values=(0, 0))
    return X_pad
