"""A copy of dA with the entries where Z <= 0 set to 0."""
import numpy as np


def relu_backward(dA, cache):
    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0
    return dZ
