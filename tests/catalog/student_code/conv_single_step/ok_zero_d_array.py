"""Correct: adds the (1,1,1) bias, then squeezes to a 0-d array."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.squeeze(np.sum(a_slice_prev * W) + b)
    return Z
