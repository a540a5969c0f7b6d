"""np.maximum(0, Z), the zero first."""
import numpy as np


def relu_forward(Z):
    return np.maximum(0, Z), Z
