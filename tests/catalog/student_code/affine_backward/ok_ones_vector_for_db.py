"""db as a product with a vector of ones."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    db = np.ones(m) @ dZ
    return (dZ @ W.T).reshape(A_prev.shape), flat.T @ dZ, db
