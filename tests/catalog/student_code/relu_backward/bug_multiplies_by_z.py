"""I multiplied dA by Z itself."""
import numpy as np


def relu_backward(dA, cache):
    return dA * cache
