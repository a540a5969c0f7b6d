"""I summed all of dZ into one number for db."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    return (dZ @ W.T).reshape(A_prev.shape), flat.T @ dZ, np.sum(dZ)
