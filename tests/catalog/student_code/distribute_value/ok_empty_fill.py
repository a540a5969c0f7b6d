"""Correct: np.empty(shape) then .fill(average)."""
import numpy as np


def distribute_value(dz, shape):
    n_H, n_W = shape
    a = np.empty((n_H, n_W))
    a.fill(dz / (n_H * n_W))
    return a
