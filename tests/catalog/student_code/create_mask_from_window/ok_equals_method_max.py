"""Correct: x == x.max()."""
import numpy as np


def create_mask_from_window(x):
    return x == x.max()
