"""My forward pass cached the pooled output instead of the input, and my backward pass looked for the maxima in it."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A, (A, hparameters)


def pool_backward_fast(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros(A_prev.shape)
    n_H, n_W = dA.shape[1], dA.shape[2]
    for x in range(f):
        for y in range(f):
            rows, cols = slice(x, x + stride * (n_H - 1) + 1, stride), slice(y, y + stride * (n_W - 1) + 1, stride)
            if mode == "max":
                windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
                share = (windows == windows.max(axis=(4, 5), keepdims=True))[..., x, y] * dA
            else:
                share = dA / (f * f)
            dA_prev[:, rows, cols, :] += share
    return dA_prev
