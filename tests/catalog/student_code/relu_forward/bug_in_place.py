"""I set the negative entries of Z to 0 in place and returned Z."""
import numpy as np


def relu_forward(Z):
    cache = Z.copy()
    Z[Z < 0] = 0
    return Z, cache
