"""I returned only A, no cache."""
import numpy as np


def relu_forward(Z):
    return np.maximum(Z, 0)
