"""tensordot over the example axis for dW."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    dW = np.tensordot(A_prev, dZ, axes=([0], [0])).reshape(W.shape)
    dA_prev = np.tensordot(dZ, W, axes=([1], [1])).reshape(A_prev.shape)
    db = dZ.sum(axis=0)
    return dA_prev, dW, db
