"""Correct: the boolean mask converted to 0/1 integers."""
import numpy as np


def create_mask_from_window(x):
    mask = (x == np.max(x)).astype(int)
    return mask
