"""Correct: hparameters.get and n_H = int((n_H_prev - f)/stride + 1)."""
import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = hparameters.get("f")
    stride = hparameters.get("stride")
    n_H = int((n_H_prev - f) / stride + 1)
    n_W = int((n_W_prev - f) / stride + 1)
    A = np.zeros((m, n_H, n_W, n_C_prev))
    for i in range(m):
        a_prev = A_prev[i]
        for c in range(n_C_prev):
            for h in range(n_H):
                for w in range(n_W):
                    vs, hs = h * stride, w * stride
                    a_prev_slice = a_prev[vs:vs + f, hs:hs + f, c]
                    if mode == "average":
                        A[i, h, w, c] = np.mean(a_prev_slice)
                    else:
                        A[i, h, w, c] = np.max(a_prev_slice)
    return A, (A_prev, hparameters)
