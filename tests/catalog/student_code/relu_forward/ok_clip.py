"""np.clip with no upper bound."""
import numpy as np


def relu_forward(Z):
    return np.clip(Z, 0, None), Z
