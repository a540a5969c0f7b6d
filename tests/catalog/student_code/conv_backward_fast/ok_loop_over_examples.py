"""A loop over the examples, and inside it over the filter offsets, with tensordot."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    n_H, n_W = dZ.shape[1], dZ.shape[2]
    dA_prev = np.zeros(A_prev.shape)
    dW = np.zeros(W.shape)
    for i in range(A_prev.shape[0]):
        a_pad = np.pad(A_prev[i], ((pad, pad), (pad, pad), (0, 0)))
        da_pad = np.zeros(a_pad.shape)
        for x in range(f):
            for y in range(f):
                part = (slice(x, x + stride * (n_H - 1) + 1, stride), slice(y, y + stride * (n_W - 1) + 1, stride))
                dW[x, y] += np.tensordot(a_pad[part], dZ[i], axes=([0, 1], [0, 1]))
                da_pad[part] += np.tensordot(dZ[i], W[x, y], axes=([2], [1]))
        dA_prev[i] = da_pad[pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2]]
    db = dZ.sum(axis=(0, 1, 2))[None, None, None, :]
    return dA_prev, dW, db
