"""Uses np.dot (a matrix product) instead of the elementwise product."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(np.dot(a_slice_prev, W)) + b.item()
    return Z
