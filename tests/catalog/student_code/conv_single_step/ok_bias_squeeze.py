"""Correct: adds b.squeeze(), a 0-d array."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W) + b.squeeze()
    return Z
