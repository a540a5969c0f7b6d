"""Correct: finds the max position with two loops and marks it."""
import numpy as np


def create_mask_from_window(x):
    best_i, best_j = 0, 0
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            if x[i, j] > x[best_i, best_j]:
                best_i, best_j = i, j
    mask = np.zeros(x.shape, dtype=bool)
    mask[best_i, best_j] = True
    return mask
