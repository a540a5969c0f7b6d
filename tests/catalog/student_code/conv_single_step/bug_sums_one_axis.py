"""Sums over the channel axis only, returning an (f, f) array."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W, axis=2) + b.item()
    return Z
