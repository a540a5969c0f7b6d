"""Correct: float() of the single element b[0, 0, 0] (not of the whole array)."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + float(b[0, 0, 0])
    return Z
