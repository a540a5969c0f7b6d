"""Divides by the shape tuple itself: np.ones(shape) * dz / np.array(shape) (divides row-wise by (n_H, n_W))."""
import numpy as np


def distribute_value(dz, shape):
    a = np.ones(shape) * dz / np.array(shape)
    return a
