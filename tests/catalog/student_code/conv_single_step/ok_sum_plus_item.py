"""Correct: elementwise product, np.sum, then the bias as a Python float via b.item()."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = a_slice_prev * W
    Z = np.sum(s)
    Z = Z + b.item()
    return Z
