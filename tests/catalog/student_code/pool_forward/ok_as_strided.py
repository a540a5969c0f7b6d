"""Correct: windows built with as_strided."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, s = hparameters["f"], hparameters["stride"]
    n_H = (n_H_prev - f) // s + 1
    n_W = (n_W_prev - f) // s + 1
    X = np.ascontiguousarray(A_prev)
    sm, sh, sw, sc = X.strides
    windows = as_strided(X, shape=(m, n_H, n_W, f, f, n_C), strides=(sm, s * sh, s * sw, sh, sw, sc), writeable=False)
    if mode == "max":
        A = windows.max(axis=(3, 4))
    else:
        A = windows.mean(axis=(3, 4))
    return A, (A_prev, hparameters)
