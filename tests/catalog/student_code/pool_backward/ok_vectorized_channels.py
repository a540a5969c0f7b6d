"""Correct: loops over (i, h, w); per-channel masks by broadcasting over the channel axis."""
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
                vs, ve = h * stride, h * stride + f
                hs, he = w * stride, w * stride + f
                g = dA[i, h, w, :]
                if mode == "max":
                    window = A_prev[i, vs:ve, hs:he, :]
                    mask = window == window.max(axis=(0, 1))
                    dA_prev[i, vs:ve, hs:he, :] += mask * g
                elif mode == "average":
                    dA_prev[i, vs:ve, hs:he, :] += g / (f * f)
    return dA_prev
