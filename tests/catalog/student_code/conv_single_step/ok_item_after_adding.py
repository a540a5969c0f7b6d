"""Correct: adds b as an array, then converts the (1,1,1) result with .item()."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W) + b
    return Z.item()
