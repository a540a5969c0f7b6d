"""One example at a time, flattened with ravel."""
import numpy as np


def affine_forward(A_prev, W, b):
    rows = [a.ravel() @ W + b for a in A_prev]
    return np.array(rows), (A_prev, W, b)
