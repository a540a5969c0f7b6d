"""Forgets to add the bias."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = a_slice_prev * W
    Z = np.sum(s)
    return Z
