"""Adds the (1,1,1) bias, then converts the result with float(Z) (TypeError on NumPy >= 2.4)."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = a_slice_prev * W
    Z = np.sum(s)
    Z = Z + b
    Z = float(Z)
    return Z
