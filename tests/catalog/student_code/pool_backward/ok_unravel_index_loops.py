"""Correct: adds the gradient at the np.unravel_index(np.argmax(...)) position of each window."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    horiz_start = w * stride
                    if mode == "max":
                        window = A_prev[i, vert_start:vert_start + f, horiz_start:horiz_start + f, c]
                        r, q = np.unravel_index(np.argmax(window), window.shape)
                        dA_prev[i, vert_start + r, horiz_start + q, c] += dA[i, h, w, c]
                    elif mode == "average":
                        dA_prev[i, vert_start:vert_start + f, horiz_start:horiz_start + f, c] += distribute_value(
                            dA[i, h, w, c], (f, f))
    return dA_prev
