"""Marks the entry with the largest absolute value: np.abs(x) == np.max(np.abs(x))."""
import numpy as np


def create_mask_from_window(x):
    mask = np.abs(x) == np.max(np.abs(x))
    return mask
