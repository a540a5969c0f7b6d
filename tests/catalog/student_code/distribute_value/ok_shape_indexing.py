"""Correct: divides by shape[0] * shape[1] without unpacking."""
import numpy as np


def distribute_value(dz, shape):
    average = dz / (shape[0] * shape[1])
    a = average * np.ones(shape)
    return a
