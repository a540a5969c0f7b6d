"""np.dot for all three gradients."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    dA_prev = np.dot(dZ, W.T).reshape(A_prev.shape)
    dW = np.dot(flat.T, dZ)
    db = np.sum(dZ, axis=0)
    return dA_prev, dW, db
