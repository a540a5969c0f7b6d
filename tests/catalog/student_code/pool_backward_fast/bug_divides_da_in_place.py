"""In average mode I divided dA by f*f in place (dA /= f * f) before spreading it."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_backward_fast(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    if mode == "max":
        windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
        k = windows.reshape(m, n_H, n_W, n_C, f * f).argmax(axis=-1)
        i, h, w, c = np.indices((m, n_H, n_W, n_C))
        np.add.at(dA_prev, (i, h * stride + k // f, w * stride + k % f, c), dA)
    else:
        dA /= f * f
        for x in range(f):
            for y in range(f):
                dA_prev[:, x:x + stride * (n_H - 1) + 1:stride, y:y + stride * (n_W - 1) + 1:stride] += dA
    return dA_prev
