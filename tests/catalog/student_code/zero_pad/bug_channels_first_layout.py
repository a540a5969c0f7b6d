"""Pads as if the layout were (m, n_C, n_H, n_W): the last two axes."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant', constant_values=(0, 0))
    return X_pad
