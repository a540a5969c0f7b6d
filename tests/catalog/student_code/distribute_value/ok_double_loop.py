"""Correct: fills the array entry by entry."""
import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    a = np.zeros((n_H, n_W))
    for h in range(n_H):
        for w in range(n_W):
            a[h, w] = average
    return a
