"""Marks the entries at or above the mean: x >= np.mean(x)."""
import numpy as np


def create_mask_from_window(x):
    mask = x >= np.mean(x)
    return mask
