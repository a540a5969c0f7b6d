"""A sum of outer products, one per example."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    dW = np.zeros(W.shape)
    dA_flat = np.zeros(flat.shape)
    for i in range(m):
        dW += np.outer(flat[i], dZ[i])
        dA_flat[i] = W @ dZ[i]
    return dA_flat.reshape(A_prev.shape), dW, dZ.sum(axis=0)
