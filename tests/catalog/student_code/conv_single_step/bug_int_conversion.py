"""Converts the result with int() instead of float(), truncating it."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = int(np.sum(a_slice_prev * W) + b.item())
    return Z
