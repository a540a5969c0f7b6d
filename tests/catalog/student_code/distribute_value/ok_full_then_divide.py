"""Correct: np.full(shape, dz) / (n_H * n_W) (true division also works for an int dz)."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    a = np.full(shape, dz) / (n_H * n_W)
    return a
