"""I set A_prev.shape to flatten it, which reshapes the caller's array."""
import numpy as np


def affine_forward(A_prev, W, b):
    A_prev.shape = (A_prev.shape[0], -1)
    return A_prev @ W + b, (A_prev, W, b)
