"""Thinks pad is the total number of zeros and puts pad//2 on each side."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad // 2, pad // 2), (pad // 2, pad // 2), (0, 0)))
    return X_pad
