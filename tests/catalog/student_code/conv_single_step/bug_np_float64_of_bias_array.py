"""Casts the bias with np.float64(b), which keeps the (1,1,1) shape on NumPy >= 2.4."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + np.float64(b)
    return Z
