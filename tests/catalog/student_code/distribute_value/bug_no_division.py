"""Forgets to divide: a = np.ones(shape) * dz."""
import numpy as np


def distribute_value(dz, shape):
    a = np.ones(shape) * dz
    return a
