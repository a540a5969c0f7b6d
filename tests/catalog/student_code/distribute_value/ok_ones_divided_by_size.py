"""Correct: a = np.ones(shape); a = a * dz / a.size."""
import numpy as np


def distribute_value(dz, shape):
    a = np.ones(shape)
    a = a * dz / a.size
    return a
