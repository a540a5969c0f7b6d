"""I took the absolute value."""
import numpy as np


def relu_forward(Z):
    return np.abs(Z), Z
