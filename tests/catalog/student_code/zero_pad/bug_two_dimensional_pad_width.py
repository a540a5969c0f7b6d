"""Copies the pad_width of a 2-D image example: np.pad(X, ((pad, pad), (pad, pad)))."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((pad, pad), (pad, pad)), mode='constant', constant_values=0)
    return X_pad
