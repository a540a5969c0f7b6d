"""I forgot the bias."""
import numpy as np


def affine_forward(A_prev, W, b):
    m = A_prev.shape[0]
    return A_prev.reshape(m, -1) @ W, (A_prev, W, b)
