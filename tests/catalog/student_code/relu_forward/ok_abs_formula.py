"""(Z + |Z|) / 2."""
import numpy as np


def relu_forward(Z):
    A = (Z + np.abs(Z)) / 2
    return A, Z
