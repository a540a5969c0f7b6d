"""Multiplies in place (a_slice_prev *= W), overwriting the input slice."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    a_slice_prev *= W
    Z = np.sum(a_slice_prev) + b.item()
    return Z
