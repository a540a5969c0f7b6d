"""I cached the flattened input instead of A_prev in its own shape."""
import numpy as np


def affine_forward(A_prev, W, b):
    flat = A_prev.reshape(A_prev.shape[0], -1)
    return flat @ W + b, (flat, W, b)
