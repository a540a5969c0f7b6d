"""Correct: np.pad on H and W only, mode 'constant' with constant_values=(0, 0) as in the hint."""
import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant', constant_values=(0, 0))
    return X_pad
