"""I wrote a leaky ReLU, max(0.01 z, z)."""
import numpy as np


def relu_forward(Z):
    return np.maximum(0.01 * Z, Z), Z
