"""Forgets dz: a = np.ones(shape) / (n_H * n_W)."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = 1 / (n_H * n_W)
    a = np.ones(shape) * average
    return a
