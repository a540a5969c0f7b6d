"""Subtracts the bias instead of adding it."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W) - b.item()
    return Z
