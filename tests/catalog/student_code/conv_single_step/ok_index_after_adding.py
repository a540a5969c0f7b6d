"""Correct: adds the (1,1,1) bias, then takes the single element Z[0, 0, 0]."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W)
    Z = Z + b
    Z = Z[0, 0, 0]
    return Z
