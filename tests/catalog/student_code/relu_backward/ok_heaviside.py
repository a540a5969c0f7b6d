"""dA times the Heaviside step of Z (0 at 0)."""
import numpy as np


def relu_backward(dA, cache):
    return dA * np.heaviside(cache, 0.0)
