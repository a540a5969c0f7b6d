"""Offsets loop with matmul; returns a list [dA_prev, dW, db]."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    m, n_H, n_W, n_C = dZ.shape
    f = W.shape[0]
    n_C_prev = A_prev.shape[3]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    dZ_flat = dZ.reshape(-1, n_C)
    for x in range(f):
        for y in range(f):
            ix = (slice(None), slice(x, x + stride * (n_H - 1) + 1, stride),
                  slice(y, y + stride * (n_W - 1) + 1, stride), slice(None))
            dW[x, y] = A_pad[ix].reshape(-1, n_C_prev).T @ dZ_flat
            dA_pad[ix] += (dZ_flat @ W[x, y].T).reshape(m, n_H, n_W, n_C_prev)
    db = dZ_flat.sum(axis=0).reshape(b.shape)
    dA_prev = dA_pad[:, pad:dA_pad.shape[1] - pad, pad:dA_pad.shape[2] - pad, :]
    return [dA_prev, dW, db]
