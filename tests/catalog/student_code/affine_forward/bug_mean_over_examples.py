"""I flattened everything and averaged over the batch."""
import numpy as np


def affine_forward(A_prev, W, b):
    m = A_prev.shape[0]
    Z = A_prev.reshape(m, -1) @ W + b
    return np.broadcast_to(Z.mean(axis=0), Z.shape).copy(), (A_prev, W, b)
