"""I reshaped into f x f blocks, which only works when f == stride divides the size."""
import numpy as np


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    blocks = A_prev[:, :n_H_prev // f * f, :n_W_prev // f * f].reshape(m, n_H_prev // f, f, n_W_prev // f, f, n_C)
    A = blocks.max(axis=(2, 4)) if mode == "max" else blocks.mean(axis=(2, 4))
    return A, (A_prev, hparameters)
