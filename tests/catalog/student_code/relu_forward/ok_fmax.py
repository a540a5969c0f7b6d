"""np.fmax(Z, 0.0)."""
import numpy as np


def relu_forward(Z):
    cache = Z
    return np.fmax(Z, 0.0), cache
