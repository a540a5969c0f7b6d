"""I multiplied dA by max(0, Z)."""
import numpy as np


def relu_backward(dA, cache):
    return dA * np.maximum(cache, 0)
