"""(sign(Z) + 1) / 2 as the mask, exact away from Z = 0."""
import numpy as np


def relu_backward(dA, cache):
    return dA * (np.sign(cache) + 1) / 2
