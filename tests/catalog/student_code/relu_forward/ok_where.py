"""np.where(Z > 0, Z, 0)."""
import numpy as np


def relu_forward(Z):
    A = np.where(Z > 0, Z, 0.0)
    return A, Z
