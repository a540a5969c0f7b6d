"""Compares with the maximum of the first row only: x == np.max(x[0])."""
import numpy as np


def create_mask_from_window(x):
    mask = x == np.max(x[0])
    return mask
