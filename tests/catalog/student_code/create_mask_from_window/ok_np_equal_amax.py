"""Correct: np.equal(x, np.amax(x))."""
import numpy as np


def create_mask_from_window(x):
    return np.equal(x, np.amax(x))
