"""Builds the mask by overwriting x itself (1 at the max, 0 elsewhere), modifying the input."""
import numpy as np


def create_mask_from_window(x):
    max_value = np.max(x)
    x[x != max_value] = 0
    x[x == max_value] = 1
    return x
