"""Correct: float() of the sum, with the bias reduced by np.sum(b) first."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = float(np.sum(a_slice_prev * W) + np.sum(b))
    return Z
