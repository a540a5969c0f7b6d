"""I zeroed dA in place and returned it."""
import numpy as np


def relu_backward(dA, cache):
    dA[cache <= 0] = 0
    return dA
