"""I divided dZ by m in place to normalize, then multiplied the results back."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    dZ /= m
    return (dZ @ W.T).reshape(A_prev.shape) * m, flat.T @ dZ * m, dZ.sum(axis=0) * m
