"""Builds the array with the transposed shape (n_W, n_H)."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    a = np.ones((n_W, n_H)) * average
    return a
