"""Correct: marks the entries whose difference from the maximum is zero."""
import numpy as np


def create_mask_from_window(x):
    mask = (np.max(x) - x) == 0
    return mask
