"""Sets the border of X itself to zero (modifying X) instead of adding a border."""
import numpy as np


def zero_pad(X, pad):
    X[:, :pad, :, :] = 0
    X[:, -pad:, :, :] = 0
    X[:, :, :pad, :] = 0
    X[:, :, -pad:, :] = 0
    return X
