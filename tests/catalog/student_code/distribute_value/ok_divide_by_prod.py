"""Correct: divides by np.prod(shape)."""
import numpy as np


def distribute_value(dz, shape):
    a = np.ones(shape) * (dz / np.prod(shape))
    return a
