"""Keeps the maximum's value instead of 1: mask = x * (x == np.max(x))."""
import numpy as np


def create_mask_from_window(x):
    mask = x * (x == np.max(x))
    return mask
