"""Marks the positive entries: mask = x > 0."""
import numpy as np


def create_mask_from_window(x):
    mask = x > 0
    return mask
