"""Adds the bias inside the sum, so it is counted once per element: np.sum(a*W + b)."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W + b)
    return Z
