"""Correct: builds the pad_width list axis by axis before calling np.pad."""
import numpy as np


def zero_pad(X, pad):
    pad_width = [(0, 0)] * X.ndim
    pad_width[1] = (pad, pad)
    pad_width[2] = (pad, pad)
    X_pad = np.pad(X, pad_width, mode="constant", constant_values=0.0)
    return X_pad
