"""Puts all the padding after the image: (0, 2*pad) instead of (pad, pad)."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0)), mode='constant')
    return X_pad
