"""Correct: np.tensordot over all three axes."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.tensordot(a_slice_prev, W, axes=3) + b.item()
    return Z
