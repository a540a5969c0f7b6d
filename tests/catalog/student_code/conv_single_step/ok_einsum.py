"""Correct: np.einsum('ijk,ijk->', ...) for the sum of products."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    Z = np.einsum('ijk,ijk->', a_slice_prev, W) + b.item()
    return Z
