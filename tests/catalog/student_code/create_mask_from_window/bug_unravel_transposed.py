"""Swaps row and column of the max: mask[col, row] = True (from unravel_index)."""
import numpy as np


def create_mask_from_window(x):
    row, col = np.unravel_index(np.argmax(x), x.shape)
    mask = np.zeros(x.shape, dtype=bool)
    mask[col, row] = True
    return mask
