"""Adds b[0] (a (1,1) array), so Z becomes a (1,1) array."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W)
    Z = Z + b[0]
    return Z
