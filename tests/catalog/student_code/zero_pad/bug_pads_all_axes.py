"""Pads every axis, also the examples and channels: np.pad(X, pad)."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, pad)
    return X_pad
