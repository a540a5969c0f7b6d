"""einsum on the flattened input."""
import numpy as np


def affine_forward(A_prev, W, b):
    m = len(A_prev)
    Z = np.einsum("md,dn->mn", A_prev.reshape(m, -1), W) + b[None, :]
    return Z, (A_prev, W, b)
