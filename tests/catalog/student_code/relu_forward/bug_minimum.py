"""I used np.minimum."""
import numpy as np


def relu_forward(Z):
    return np.minimum(Z, 0), Z
