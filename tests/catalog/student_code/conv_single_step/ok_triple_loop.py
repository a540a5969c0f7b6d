"""Correct: explicit loops over the three axes."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    f_h, f_w, n_c = a_slice_prev.shape
    total = 0.0
    for i in range(f_h):
        for j in range(f_w):
            for k in range(n_c):
                total += a_slice_prev[i, j, k] * W[i, j, k]
    Z = total + b.item()
    return Z
