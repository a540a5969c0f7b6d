"""D computed with np.prod of the trailing shape, list cache."""
import numpy as np


def affine_forward(A_prev, W, b):
    D = int(np.prod(A_prev.shape[1:]))
    Z = np.matmul(A_prev.reshape(A_prev.shape[0], D), W) + b
    return Z, [A_prev, W, b]
