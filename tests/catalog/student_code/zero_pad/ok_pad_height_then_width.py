"""Correct: pads the height first, then the width, in two np.pad calls."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (0, 0), (0, 0)))
    X_pad = np.pad(X_pad, ((0, 0), (0, 0), (pad, pad), (0, 0)))
    return X_pad
