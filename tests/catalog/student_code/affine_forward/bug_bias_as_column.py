"""I added the bias as a column vector."""
import numpy as np


def affine_forward(A_prev, W, b):
    m = A_prev.shape[0]
    return A_prev.reshape(m, -1) @ W + b.reshape(-1, 1), (A_prev, W, b)
