"""Correct: a float 0/1 mask built with astype(float)."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for c in range(n_C):
            for h in range(n_H):
                for w in range(n_W):
                    vs = h * stride
                    hs = w * stride
                    if mode == "average":
                        dA_prev[i, vs:vs + f, hs:hs + f, c] = dA_prev[i, vs:vs + f, hs:hs + f, c] + dA[i, h, w, c] / f / f
                    else:
                        window = a_prev[vs:vs + f, hs:hs + f, c]
                        mask = (window == window.max()).astype(float)
                        dA_prev[i, vs:vs + f, hs:hs + f, c] = dA_prev[i, vs:vs + f, hs:hs + f, c] + mask * dA[i, h, w, c]
    return dA_prev
