"""Correct: np.where(mask, gradient, 0) for max pooling."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f = hparameters["f"]
    stride = hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start, vert_end = h * stride, h * stride + f
                    horiz_start, horiz_end = w * stride, w * stride + f
                    if mode == "max":
                        a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += np.where(mask, dA[i, h, w, c], 0)
                    elif mode == "average":
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += np.full((f, f), dA[i, h, w, c] / (f * f))
    return dA_prev
