"""Correct: a float mask with a 1.0 at the flat argmax."""
import numpy as np


def create_mask_from_window(x):
    mask = np.zeros(x.shape)
    mask.flat[np.argmax(x)] = 1.0
    return mask
