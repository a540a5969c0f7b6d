"""Correct: .get for the hyperparameters, output size from the pooling formula, average in the else branch."""
import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    stride = hparameters.get("stride")
    f = hparameters.get("f")
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H = int((n_H_prev - f) / stride + 1)
    n_W = int((n_W_prev - f) / stride + 1)
    dA_prev = np.zeros((m, n_H_prev, n_W_prev, n_C))
    for i in range(m):
        for c in range(n_C):
            for h in range(n_H):
                for w in range(n_W):
                    vs, hs = h * stride, w * stride
                    if mode == "max":
                        mask = create_mask_from_window(A_prev[i, vs:vs + f, hs:hs + f, c])
                        dA_prev[i, vs:vs + f, hs:hs + f, c] += np.multiply(mask, dA[i, h, w, c])
                    else:
                        dA_prev[i, vs:vs + f, hs:hs + f, c] += distribute_value(dA[i, h, w, c], (f, f))
    return dA_prev
