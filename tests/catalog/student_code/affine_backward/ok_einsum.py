"""einsum for dW and dA_prev."""
import numpy as np


def affine_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[0]
    flat = A_prev.reshape(m, -1)
    dA_prev = np.einsum("mn,dn->md", dZ, W).reshape(A_prev.shape)
    dW = np.einsum("md,mn->dn", flat, dZ)
    return dA_prev, dW, dZ.sum(axis=0)
