"""Correct: np.sum(a*W + 0) + b[0,0,0]."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = a_slice_prev * W + 0
    Z = np.sum(s) + b[0, 0, 0]
    return Z
