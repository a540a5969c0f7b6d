"""My mask keeps the negative inputs (Z < 0)."""
import numpy as np


def relu_backward(dA, cache):
    return dA * (cache < 0)
