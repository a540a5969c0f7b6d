"""Adds the (1,1,1) bias array as is, returning a (1,1,1) array instead of a scalar."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W) + b
    return Z
