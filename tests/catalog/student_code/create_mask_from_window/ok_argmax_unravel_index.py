"""Correct: np.argmax + np.unravel_index to set the single max position to True."""
import numpy as np


def create_mask_from_window(x):
    mask = np.zeros_like(x, dtype=bool)
    idx = np.unravel_index(np.argmax(x), x.shape)
    mask[idx] = True
    return mask
