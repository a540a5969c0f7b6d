"""Correct: dot product of the flattened arrays, bias via b.ravel()[0]."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.dot(a_slice_prev.flatten(), W.flatten()) + b.ravel()[0]
    return Z
