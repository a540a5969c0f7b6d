"""Correct: float(dz) divided by the float number of entries, slice-assigned into zeros."""
import numpy as np


def distribute_value(dz, shape):
    n_H, n_W = shape
    average = float(dz) / float(n_H * n_W)
    a = np.zeros(shape)
    a[:, :] = average
    return a
