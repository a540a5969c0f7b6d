"""Converts the whole (1,1,1) bias with float(b) (TypeError on NumPy >= 2.4)."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + float(b)
    return Z
