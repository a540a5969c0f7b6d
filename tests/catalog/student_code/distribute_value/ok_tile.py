"""Correct: np.tile of the average."""
import numpy as np


def distribute_value(dz, shape):
    n_H, n_W = shape
    return np.tile(dz / (n_H * n_W), (n_H, n_W))
